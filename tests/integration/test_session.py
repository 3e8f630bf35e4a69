"""LightspeedSession against the sandbox: pagination, filters, pacing, refresh, retries, DataFrames."""

import threading
import time
from datetime import datetime, timezone

import pytest

from ls_widget import ApiError, ConfigurationError, sandbox

from .conftest import FAST, SMALL, connect

RESOURCES = {"Item": 230, "Customer": 61, "Sale": 412, "Category": 20, "Employee": 8}
ID_FIELD = {"Item": "itemID", "Customer": "customerID", "Sale": "saleID", "Category": "categoryID",
            "Employee": "employeeID"}


@pytest.mark.parametrize("api_type", ["v3", "v2"])
def test_every_record_exactly_once_in_both_profiles(box, api_type):
    session = connect(box, api_type=api_type, scopes=["employee:all"]).session
    for resource, expected in RESOURCES.items():
        ids = [record[ID_FIELD[resource]] for record in session.iter(resource, archived=True)]
        assert len(ids) == expected == len(set(ids)), resource
        assert session.count(resource, archived=True) == expected
        live = [record[ID_FIELD[resource]] for record in session.iter(resource)]  # Lightspeed's default: not archived
        assert len(live) == len(set(live)) == session.count(resource) <= expected


def test_small_pages_and_descending_sort_still_cover_everything(box):
    session = connect(box).session
    ids = [r["itemID"] for r in session.iter("Item", limit=7, sort="-itemID", archived=True)]
    assert len(ids) == 230 == len(set(ids))
    assert [int(i) for i in ids] == sorted((int(i) for i in ids), reverse=True)


def test_one_record_and_no_record_both_come_back_as_lists(box):
    session = connect(box).session
    first = session.get("Item", limit=1)
    assert isinstance(first, list) and len(first) == 1
    one = session.get("Item", itemID=first[0]["itemID"])
    assert one == first
    assert session.get("Item", itemID=("IN", [999999])) == []
    assert list(session.iter("Item", itemID=-1)) == []
    assert session.get("Item", first[0]["itemID"])["itemID"] == first[0]["itemID"]


def test_filters_reach_lightspeed_encoded(box):
    session = connect(box).session
    items = list(session.iter("Item"))
    prices = sorted(float(i["defaultCost"]) for i in items)
    cutoff = prices[len(prices) // 2]
    cheap = list(session.iter("Item", defaultCost=("<", cutoff)))
    assert cheap and all(float(i["defaultCost"]) < cutoff for i in cheap)
    some = [i["itemID"] for i in items[:5]]
    assert sorted(r["itemID"] for r in session.iter("Item", itemID=("IN", some))) == sorted(some)
    since = datetime(2026, 6, 1, tzinfo=timezone.utc)
    recent = list(session.iter("Sale", timeStamp=(">=", since)))
    assert recent and all(s["timeStamp"] >= "2026-06-01" for s in recent)


def test_an_in_value_holding_a_comma_is_refused_never_split(box):
    session = connect(box).session
    first, second = (i["itemID"] for i in session.get("Item", limit=2))
    for params in ({"itemID": ("IN", [f"{first},{second}"])}, {"itemID": ("IN", ["7", f"{first},{second}"])},
                   {"description": ("><", ("a,b", "c"))}):
        for call in (lambda: session.get("Item", **params), lambda: list(session.iter("Item", **params)),
                     lambda: session.count("Item", **params)):
            with pytest.raises(ConfigurationError, match="comma"):
                call()


def test_load_relations_embeds_sale_lines(box):
    session = connect(box, scopes=["employee:all"]).session
    sale = session.get("Sale", limit=1, load_relations=["SaleLines"])[0]
    assert "SaleLines" in sale


def test_missing_scope_is_an_api_error_with_guidance(box):
    session = connect(box, scopes=["employee:customers_read"]).session
    with pytest.raises(ApiError) as info:
        session.get("Item")
    assert info.value.status == 403 and "Edit scopes" in info.value.message


def test_unknown_record_is_404(box):
    session = connect(box).session
    with pytest.raises(ApiError) as info:
        session.get("Item", 99999999)
    assert info.value.status == 404


def test_expired_access_token_refreshes_once_and_rotation_is_stored(box):
    conn = connect(box)
    session = conn.session
    before = session.token
    box.expire_access_tokens()
    assert session.count("Item", archived=True) == 230  # 401 -> one refresh -> retried
    after = session.token
    assert after.access_token != before.access_token and after.refresh_token != before.refresh_token
    from ls_widget.token_store import TokenStore

    assert TokenStore(conn.name).load() == after


def test_a_token_about_to_expire_is_refreshed_before_the_request(monkeypatch):
    with sandbox.start(**SMALL, **FAST, access_token_lifetime=400) as short:
        session = connect(short).session
        before = session.token
        statuses = []
        session.event_hooks["response"].append(lambda response: statuses.append(response.status_code))
        real_time = time.time
        # 150 s left: inside the margin, which is half the lifetime (200 s) for a token this short
        monkeypatch.setattr(time, "time", lambda: real_time() + 250)
        assert session.count("Item", archived=True) == 230
        assert session.token.access_token != before.access_token
        assert statuses == [200]  # refreshed up front: no 401 round trip


def test_sixteen_threads_on_an_expired_session_refresh_once(box, monkeypatch):
    session = connect(box).session
    box.expire_access_tokens()
    import ls_widget.token_endpoint as session_module

    calls = []
    real = session_module.refresh

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(session_module, "refresh", counting)
    barrier, errors = threading.Barrier(16), []

    def worker():
        barrier.wait()
        try:
            session.get("Item", limit=5)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(calls) == 1


def test_two_sessions_of_one_connection_share_the_rotation(box):
    conn = connect(box)
    from ls_widget import LightspeedConnection

    other = LightspeedConnection.load(conn.name).session
    mine = conn.session
    box.expire_access_tokens()
    assert other.count("Customer", archived=True) == 61  # refreshes and stores the new pair
    assert mine.count("Customer", archived=True) == 61  # its token is dead: 401, re-reads the stored pair, no second refresh
    assert mine.token.refresh_token == other.token.refresh_token


def test_get_retries_5xx_and_dropped_connections(box):
    session = connect(box).session
    box.fail_next(2, status=503)
    assert len(session.get("Item", limit=3)) == 3
    box.drop_next(2)
    assert len(session.get("Item", limit=3)) == 3


def test_writes_are_not_blindly_retried(box):
    session = connect(box).session
    box.fail_next(1, status=503)
    response = session.request("PUT", "Item/1.json", json={"description": "x"})
    assert response.status_code == 503
    assert len(session.get("Item", limit=1)) == 1  # the fault was spent by the one PUT


def test_persistent_outage_becomes_an_api_error(box, monkeypatch):
    session = connect(box).session
    monkeypatch.setattr("ls_widget.transport._BACKOFF_BASE", 0.001)
    box.fail_next(20, status=502)
    with pytest.raises(ApiError) as info:
        session.get("Item")
    assert info.value.status == 502


def test_to_pandas_flattens_and_types_columns(box):
    pytest.importorskip("pandas")
    session = connect(box, scopes=["employee:all"]).session
    frame = session.to_pandas("Sale", load_relations=["SaleLines"], progress=False)
    assert len(frame) == session.count("Sale")
    assert str(frame["timeStamp"].dtype).startswith("datetime64")
    assert frame["completed"].dtype == bool
    assert frame["saleID"].dtype.kind in "iu" and frame["total"].dtype.kind == "f"
    assert any(column.startswith("SaleLines.") for column in frame.columns)


def test_pacing_keeps_a_tight_bucket_at_zero_429s():
    """A bucket of 5 draining 40/s: 60 pages must come through without a single 429."""
    with sandbox.start(**SMALL, bucket_size=5, drip_rate=40, burst_limit=50) as tight:
        session = connect(tight).session
        statuses = []
        session.event_hooks["response"].append(lambda response: statuses.append(response.status_code))
        ids = [r["itemID"] for r in session.iter("Item", limit=4, archived=True)]
        assert len(ids) == 230 == len(set(ids))
        assert session.statuses[429] == 0 and session.statuses[200] >= 58 and len(statuses) >= 58


def test_context_manager_closes_the_client(box):
    with connect(box).session as session:
        session.get("Item", limit=1)
    with pytest.raises(RuntimeError):
        session._http.get(box.url)
