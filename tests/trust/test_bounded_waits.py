"""Group 6: waits the server controls are bounded, and a cursor that repeats ends the pull.

No wall-clock assertions: the session's sleep is recorded, and a refused wait must not sleep at all.
"""

from __future__ import annotations

import pytest

from ls_widget import ApiError
from ls_widget.transport import DEFAULT_MAX_WAIT

from ls_widget.ratelimit import Pacer

from .conftest import FakeClock, page, stored_session
from .hostile import answer

ITEMS = "/API/V3/Account/5/Item.json"


def recording_session(api, monkeypatch, **options):
    clock = FakeClock()
    session = stored_session(api.url, monkeypatch, pacer=Pacer(clock=clock, sleep=clock.sleep), sleep=clock.sleep,
                             **options)
    return session, clock.slept


@pytest.mark.parametrize("retry_after", ["1000000000", "Fri, 31 Dec 9999 23:59:59 GMT", "3601"])
def test_a_huge_retry_after_is_refused_with_how_long_it_asked(api, monkeypatch, retry_after):
    session, slept = recording_session(api, monkeypatch)
    api.routes[ITEMS] = answer(429, {"message": "slow down"}, headers={"Retry-After": retry_after})
    with pytest.raises(ApiError, match="asked to wait") as info:
        session.get("Item")
    assert info.value.status == 429 and info.value.response is not None
    assert "session.max_wait" in str(info.value)
    assert all(seconds <= DEFAULT_MAX_WAIT for seconds in slept)
    assert len(api.received) == 1  # refused at once, not retried


def test_a_retry_after_within_the_limit_is_honoured(api, monkeypatch):
    session, slept = recording_session(api, monkeypatch)
    answers = iter([answer(429, {}, headers={"Retry-After": "7"}), answer(200, page("Item", [{"itemID": "1"}]))])
    api.routes[ITEMS] = lambda request: next(answers)
    assert session.get("Item") == [{"itemID": "1"}]
    assert sum(slept) == pytest.approx(7, abs=0.5) and session.statuses[429] == 1


def test_max_wait_is_a_session_option(api, monkeypatch):
    session, slept = recording_session(api, monkeypatch, max_wait=5.0)
    assert session.max_wait == 5.0
    api.routes[ITEMS] = answer(429, {}, headers={"Retry-After": "7"})
    with pytest.raises(ApiError, match="7 s"):
        session.get("Item")
    session.max_wait = 600
    answers = iter([answer(429, {}, headers={"Retry-After": "7"}), answer(200, page("Item", []))])
    api.routes[ITEMS] = lambda request: next(answers)
    assert session.get("Item") == []


def test_bucket_headers_that_would_take_hours_to_drain_are_refused(api, monkeypatch):
    session, slept = recording_session(api, monkeypatch)
    headers = {"X-LS-API-Bucket-Level": "100000/90", "X-LS-API-Drip-Rate": "1"}
    api.routes[ITEMS] = answer(200, page("Item", [{"itemID": "1"}]), headers=headers)
    assert session.get("Item") == [{"itemID": "1"}]
    with pytest.raises(ApiError, match="rate-limit headers ask to wait 27.8 h") as info:
        session.get("Item")
    assert info.value.status == 429
    assert slept == [] and len(api.received) == 1


def test_a_next_link_naming_a_page_already_read_ends_the_pull(api, monkeypatch):
    session, _ = recording_session(api, monkeypatch)
    loop = f"{api.url}{ITEMS}?after=same"
    api.routes[ITEMS] = answer(200, page("Item", [{"itemID": "1"}], next_url=loop))
    with pytest.raises(ApiError, match="already read"):
        list(session.iter("Item"))
    assert len(api.received) == 2  # the first page, then the page named as next once


def test_a_cycle_of_two_pages_ends_too(api, monkeypatch):
    session, _ = recording_session(api, monkeypatch)
    a, b = f"{api.url}{ITEMS}?after=a", f"{api.url}{ITEMS}?after=b"
    api.routes[ITEMS] = lambda r: answer(200, page("Item", [{"itemID": "1"}], next_url=b if "after=a" in r.path else a))
    with pytest.raises(ApiError, match="already read"):
        list(session.iter("Item"))
    assert len(api.received) == 3


def test_persistent_429s_end_in_an_api_error(api, monkeypatch):
    session, slept = recording_session(api, monkeypatch)
    api.routes[ITEMS] = answer(429, {"message": "Rate limited"}, headers={"Retry-After": "1"})
    with pytest.raises(ApiError) as info:
        session.get("Item")
    assert info.value.status == 429 and len(api.received) == 10
