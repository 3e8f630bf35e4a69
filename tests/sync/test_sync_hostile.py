"""A sync against a misbehaving server or a broken local store: a typed error, and nothing half-merged."""

from __future__ import annotations

import sys

import pytest

from ls_widget import ApiError, SyncError
from ls_widget.sync import run as sync_run
from ls_widget.sync.target import Target

from ..trust.conftest import api, page, stored_session  # noqa: F401 - api is a fixture
from ..trust.hostile import answer

ITEMS = "/API/V3/Account/5/Item.json"


def item(i: int, stamp: str = "2026-10-01T10:00:00+00:00") -> dict:
    return {"itemID": str(i), "description": f"item {i}", "timeStamp": stamp}


@pytest.mark.parametrize("bad", [
    {"description": "no key", "timeStamp": "2026-10-01T10:00:00+00:00"},
    {"itemID": {"x": 1}, "timeStamp": "2026-10-01T10:00:00+00:00"},
    {"itemID": "9", "timeStamp": "soon"},
    {"itemID": "9"},
    {"itemID": "9", "timeStamp": 5},
])
def test_a_record_that_cannot_be_merged_stops_the_sync_before_storing_it(api, monkeypatch, bad):
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = answer(200, page("Item", [item(1), item(2), bad]))
    target = Target("Hostile")
    with pytest.raises(ApiError, match="Item"):
        sync_run.sync(session, target, ["Item"], progress=False)
    assert target.count("Item") == 0 and target.state("Item") == {}


def test_the_high_water_mark_is_the_newest_timestamp_in_utc(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = answer(200, page("Item", [item(1, "2026-10-01T10:00:00-04:00"),
                                                  item(2, "2026-10-01T13:30:00+00:00")]))
    target = Target("Hostile")
    sync_run.sync(session, target, ["Item"], progress=False)
    assert target.state("Item") == {"last": "2026-10-01T14:00:00+00:00", "account": "5", "connection": "Hostile"}
    sync_run.sync(session, target, ["Item"], progress=False)
    assert "timeStamp=%3E%3D%2C2026-10-01T13%3A55%3A00%2B00%3A00" in api.received[-1].path  # 5 minutes back


def test_a_damaged_local_database_is_a_sync_error_naming_it(conn, ls_home):
    conn.sync(["Customer"], progress=False)
    database = ls_home / "sync" / "Downtown.duckdb"
    database.write_bytes(b"this is not a DuckDB file" * 100)
    with pytest.raises(SyncError, match="Downtown.duckdb"):
        conn.sync(["Customer"], progress=False)


def test_counting_for_the_progress_bar_costs_under_two_percent(monkeypatch):
    counted = []

    class Session:
        def count(self, resource, **params):
            counted.append(params)
            return 123_456

    spec = sync_run.spec_for("Sale")
    assert sync_run._affordable_count(Session(), spec, {"sort": "timeStamp"}, rows_before=40_000) is None
    assert counted == []  # 400 pages: a 10-drip count would be 2.5% of the pull
    assert sync_run._affordable_count(Session(), spec, {"sort": "timeStamp", "archived": "true"}, 60_000) == 1235
    assert counted == [{"archived": "true"}]


def test_tables_of_one_account_never_take_another_accounts_records(api, monkeypatch):
    """A saved connection signed in again to another Lightspeed account must not resume into the first's tables."""
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = answer(200, page("Item", [item(1)]))
    target = Target("Hostile")
    sync_run.sync(session, target, ["Item"], progress=False)
    other = stored_session(api.url, monkeypatch)
    other.account_id = "6"
    with pytest.raises(SyncError, match="account 5.*account 6"):
        sync_run.sync(other, target, ["Item"], progress=False)
    assert target.count("Item") == 1


def test_without_dlt_the_message_says_which_extra_to_install(monkeypatch):
    from ls_widget.errors import SyncError
    from ls_widget.sync import target

    monkeypatch.setitem(sys.modules, "dlt", None)  # what Python does for a module that is not installed
    with pytest.raises(SyncError, match=r"pip install 'ls-widget\[sync\]'"):
        target.import_dlt()


def test_a_broken_dlt_is_not_reported_as_missing(monkeypatch):
    """A half-installed dlt (one of its own imports failing) is named as such, with the reinstall command."""
    import builtins

    from ls_widget.errors import SyncError
    from ls_widget.sync import target

    real_import = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "dlt":
            raise ModuleNotFoundError("No module named 'orjson'", name="orjson")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    with pytest.raises(SyncError, match=r"dlt is installed but cannot be imported .*orjson.*--force-reinstall"):
        target.import_dlt()
