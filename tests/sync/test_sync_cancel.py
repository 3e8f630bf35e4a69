"""Cancelling a sync (the panel's "Cancel"): it stops fetching, keeps every chunk it committed, never half a chunk, and
the next sync carries on from there. ``on_progress`` sees pages and records grow.

As in test_sync_resume.py, chunks close every ``COMMIT_PAGES`` pages here (the sandbox is faster than any Lightspeed)."""

from __future__ import annotations

import threading

import pytest

from ls_widget import sandbox
from ls_widget.sync import fetch
from ls_widget.progress import ProgressEvent
from ls_widget.sync.target import Target

from .conftest import FAST, Requests, assert_tables_equal_source

PAGES = 25


@pytest.fixture(autouse=True)
def chunks_by_pages(monkeypatch):
    monkeypatch.setattr(fetch, "COMMIT_SECONDS", 0.0)


@pytest.fixture
def big():
    with sandbox.start(items=PAGES * 100, customers=150, sales=30, employees=2, categories=4, **FAST) as running:
        yield running


@pytest.fixture
def conn(big):
    connection = big.connection(name="Warehouse", scopes=["employee:all"])
    connection.complete_authorization(big.approve(connection.authorization_url()))
    connection.save()
    return connection.connection  # the plain Connection, as the panel's sync thread uses it


def cancel_after(pages: int, resource: str = "Item"):
    """An ``on_progress`` that records every event and sets the cancel event once ``resource`` has ``pages`` pages."""
    cancel, events = threading.Event(), []

    def on_progress(event: ProgressEvent) -> None:
        events.append(event)
        if event.resource == resource and event.pages >= pages:
            cancel.set()

    return on_progress, cancel, events


def count(conn, table: str) -> int:
    return int(conn.sql(f'select count(*) as n from "{table}"')["n"][0])


def test_cancel_mid_resource_keeps_what_it_committed_and_the_next_sync_finishes(conn):
    on_progress, cancel, events = cancel_after(7)
    loads: list[int] = []
    real = Target.load

    def counting(self, resources, **kw):
        loads.append(1)
        return real(self, resources, **kw)

    Target.load = counting
    try:
        result = conn.sync(["Item", "Customer"], progress=False, models=False, on_progress=on_progress,
                           cancel=cancel)
    finally:
        Target.load = real
    assert result.cancelled
    assert "Cancelled" in repr(result) or "cancelled" in repr(result)
    note = next(note for note in result.notes if note.startswith("Cancelled"))
    assert "Item" in note and "next sync carries on" in note and "Customer not started" in note
    # It stopped fetching: far fewer pages than the table has; the pages it had fetched were committed, all of them.
    pages = [e for e in events if e.phase == "page" and e.resource == "Item"]
    assert 7 <= result.pages < PAGES
    assert len(pages) == result.pages
    kept = count(conn, "Item")
    assert kept == pages[-1].records == result.tables["Item"].rows == result.pages * 100
    assert "Customer" not in result.tables and not Target(conn.name).has_table("Customer")
    # The rows kept are the oldest records (a prefix of the pull by timeStamp): the mark stands right after them.
    requests = Requests(conn.session)
    again = conn.sync(["Item", "Customer"], progress=False, models=False)
    assert not again.cancelled
    assert again.tables["Item"].rows == PAGES * 100
    # The rerun fetched what was left (plus the lookback's few pages), not everything again.
    item_requests = [url for url in requests.urls if "/Item.json" in url]
    assert len(item_requests) <= PAGES - result.pages + 10
    assert_tables_equal_source(conn, ("Item", "Customer"))


def test_progress_events_grow_and_say_where_the_sync_stands(conn):
    events: list[ProgressEvent] = []
    result = conn.sync(["Item", "Customer"], progress=False, models=False, on_progress=events.append)
    assert not result.cancelled
    assert [(e.resource, e.phase) for e in events if e.phase != "page"] == [
        ("Item", "start"), ("Item", "end"), ("Customer", "start"), ("Customer", "end")]
    for resource in ("Item", "Customer"):
        mine = [e for e in events if e.resource == resource]
        assert [e.pages for e in mine] == sorted(e.pages for e in mine)
        assert [e.records for e in mine] == sorted(e.records for e in mine)
    assert [e.all_pages for e in events] == sorted(e.all_pages for e in events)
    assert [e.all_records for e in events] == sorted(e.all_records for e in events)
    assert events[-1].all_pages == result.pages and events[-1].all_records == PAGES * 100 + 150
    assert {e.resources_total for e in events} == {2}
    assert events[0].resources_done == 0 and events[-1].resources_done == 2
    assert all(e.seconds_left is None or e.seconds_left >= 0 for e in events)


def test_time_left_is_known_when_the_total_is(conn, monkeypatch):
    from ls_widget.sync import run

    monkeypatch.setattr(run, "_COUNT_COST", 0.0)  # count always: the total, hence the time left, is known
    events: list[ProgressEvent] = []
    conn.sync(["Item"], progress=False, models=False, on_progress=events.append, full=True)
    pages = [e for e in events if e.phase == "page"]
    assert pages[0].total_pages == PAGES
    assert pages[0].seconds_left is not None and pages[0].seconds_left > 0
    assert [e.seconds_left for e in pages] == sorted((e.seconds_left for e in pages), reverse=True)


def test_cancel_before_a_resource_starts_leaves_it_alone(conn):
    on_progress, cancel, _ = cancel_after(0, resource="Customer")  # set as Customer starts
    conn.sync(["Customer"], progress=False, models=False)
    before = count(conn, "Customer")

    def at_start(event):
        if event.resource == "Item" and event.phase == "end":
            cancel.set()

    result = conn.sync(["Item", "Customer"], progress=False, models=False, on_progress=at_start, cancel=cancel)
    assert result.cancelled and result.tables["Item"].rows == PAGES * 100
    assert "Customer" not in result.tables and count(conn, "Customer") == before


def test_a_cancelled_full_read_deletes_nothing(conn):
    conn.sync(["Item"], progress=False, models=False)
    on_progress, cancel, _ = cancel_after(3)
    result = conn.sync(["Item"], full=True, progress=False, models=False, on_progress=on_progress, cancel=cancel)
    assert result.cancelled and result.pages < PAGES
    assert result.tables["Item"].deleted == 0 and count(conn, "Item") == PAGES * 100
    assert_tables_equal_source(conn, ("Item",))


def test_cancel_already_set_fetches_nothing(conn):
    cancel = threading.Event()
    cancel.set()
    requests = Requests(conn.session)
    result = conn.sync(["Item"], progress=False, models=False, cancel=cancel)
    assert result.cancelled and result.pages == 0 and not result.tables
    assert "nothing had been committed yet" in result.notes[-1]
    assert not [url for url in requests.urls if "/Item.json" in url]
