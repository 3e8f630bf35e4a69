"""Group 7 (the API's side): every page's shape is checked; any deviation is an ApiError quoting the body's start.

Never a ValueError, AttributeError or a silent partial pull.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ls_widget import ApiError, LightspeedError
from ls_widget.session import Page

from .conftest import ACCESS, page, stored_session
from .hostile import answer

ITEMS = "/API/V3/Account/5/Item.json"
V2_ITEMS = "/API/Account/5/Item.json"

MALFORMED = {
    "HTML from a captive portal": answer(200, raw=b"<html><body>Please log in to the hotel Wi-Fi</body></html>"),
    "null body": answer(200, None),
    "a list": answer(200, []),
    "a string": answer(200, "oops"),
    "records as a string": answer(200, {"@attributes": {"next": ""}, "Item": "oops"}),
    "records as numbers": answer(200, {"@attributes": {"next": ""}, "Item": [1, 2]}),
    "next as a number": answer(200, {"@attributes": {"next": 5}, "Item": []}),
    "attributes as a list": answer(200, {"@attributes": ["x"], "Item": []}),
    "truncated JSON": answer(200, raw=b'{"@attributes": {"next": ""}, "Item": [{"itemID": "1"'),
    "not UTF-8": answer(200, raw=b"\xff\xfe\x00garbage"),
    "empty": answer(200, raw=b""),
    "204 no content": answer(204, raw=b""),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_page_is_an_api_error_quoting_the_body(api, monkeypatch, case):
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = MALFORMED[case]
    for call in (lambda: session.get("Item"), lambda: list(session.iter("Item"))):
        with pytest.raises(ApiError) as info:
            call()
        error = info.value
        assert error.status == MALFORMED[case][0] and error.response is not None
        assert "starts with" in str(error) or "is a 204" in str(error)
        assert ACCESS not in str(error)


def test_html_is_quoted_in_the_message(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = MALFORMED["HTML from a captive portal"]
    with pytest.raises(ApiError, match="not JSON.*hotel Wi-Fi"):
        session.get("Item")


def test_a_bad_page_in_the_middle_of_a_pull_is_never_a_silent_partial_pull(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    second = f"{api.url}{ITEMS}?after=2"
    api.routes[ITEMS] = lambda r: (answer(200, {"@attributes": {"next": ""}, "Item": "oops"}) if "after=2" in r.path
                                   else answer(200, page("Item", [{"itemID": "1"}], next_url=second)))
    got = []
    with pytest.raises(ApiError, match="'Item' as str"):
        for record in session.iter("Item"):
            got.append(record)
    assert got == [{"itemID": "1"}]  # what came before the bad page was delivered; the pull did not end quietly


@pytest.mark.parametrize("count", ["abc", "", None, "-1", "1e3", True, 12.5, "99999999999999999999"])
def test_a_v2_page_with_an_unreadable_count_is_an_api_error(api, monkeypatch, count):
    session = stored_session(api.url, monkeypatch, "v2")
    attributes = {"offset": "0", "limit": "100"} | ({"count": count} if count is not None else {})
    api.routes[V2_ITEMS] = answer(200, {"@attributes": attributes, "Item": [{"itemID": "1"}]})
    with pytest.raises(ApiError, match="count"):
        list(session.iter("Item"))
    with pytest.raises(ApiError, match="count"):
        session.count("Item")


def test_a_v2_pull_that_comes_up_short_says_so(api, monkeypatch):
    session = stored_session(api.url, monkeypatch, "v2")
    api.routes[V2_ITEMS] = lambda r: answer(200, {"@attributes": {"count": "250"},
                                                  "Item": [] if "offset=100" in r.path else
                                                  [{"itemID": str(i)} for i in range(100)]})
    with pytest.raises(ApiError, match="empty page at offset 100 of 250"):
        list(session.iter("Item"))


def test_a_single_record_get_must_hold_one_record(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes["/API/V3/Account/5/Item/7.json"] = answer(200, {"@attributes": {}})
    with pytest.raises(ApiError, match="0 Item records"):
        session.get("Item", 7)


def _cut_short(data: dict) -> "answer":
    """An answer announcing the whole body's length, sending a third of it, then closing the connection."""
    body = json.dumps(data).encode()
    return answer(200, raw=body[: len(body) // 3], headers={"Content-Length": str(len(body)), "Connection": "close"})


def test_a_body_cut_short_is_retried_like_a_dropped_connection(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    whole = page("Item", [{"itemID": str(i)} for i in range(20)])
    sent = []
    api.routes[ITEMS] = lambda r: sent.append(r) or (_cut_short(whole) if len(sent) < 3 else answer(200, whole))
    assert session.get("Item") == whole["Item"]  # nothing lost: the third try's whole page
    assert len(sent) == 3


def test_a_body_always_cut_short_is_an_api_error_nothing_else(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = _cut_short(page("Item", [{"itemID": str(i)} for i in range(20)]))
    for call in (lambda: session.get("Item"), lambda: list(session.iter("Item")), lambda: session.count("Item")):
        with pytest.raises(ApiError, match="cut short.*after 6 attempts") as info:
            call()
        assert info.value.status == 0 and ACCESS not in str(info.value)


def test_a_write_whose_answer_is_cut_short_is_not_sent_twice(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes["/API/V3/Account/5/Item.json"] = _cut_short(page("Item", [{"itemID": "1"}]))
    with pytest.raises(ApiError, match="cut short.*may have been carried out"):
        session.request("POST", "Item.json", json={"description": "Mug"})
    assert [r.method for r in api.received] == ["POST"]


@pytest.mark.parametrize("body", [{"message": 5}, {"message": {"a": 1}}, [], None, "x" * 100_000])
def test_error_answers_of_any_shape_are_api_errors(api, monkeypatch, body):
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = answer(400, body, headers={"Cf-Ray": "8a1b2c3d4e-AMS"})
    with pytest.raises(ApiError) as info:
        session.get("Item")
    assert info.value.status == 400 and info.value.request_id == "8a1b2c3d4e-AMS"
    assert "8a1b2c3d4e-AMS" in str(info.value) and len(str(info.value)) < 1000


def test_an_answer_larger_than_a_page_can_be_is_refused(api, monkeypatch):
    import ls_widget.session as session_module

    monkeypatch.setattr(session_module, "MAX_BODY", 10_000)
    session = stored_session(api.url, monkeypatch)
    api.routes[ITEMS] = answer(200, page("Item", [{"itemID": str(i), "x": "y" * 100} for i in range(200)]))
    with pytest.raises(ApiError, match="10,000"):
        session.get("Item")


def test_every_failure_here_is_a_lightspeed_error(api, monkeypatch):
    """The contract: nothing but LightspeedError escapes because of what a server answered."""
    session = stored_session(api.url, monkeypatch)
    pytest.importorskip("pandas")
    for reply in MALFORMED.values():
        api.routes[ITEMS] = reply
        for call in (lambda: session.to_pandas("Item", progress=False), lambda: session.count("Item")):
            with pytest.raises(LightspeedError):
                call()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["@attributes", "Item", "next", "count", "previous", "x"]) | st.text(max_size=8),
        children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(body=JSON)
def test_any_json_page_is_records_or_an_api_error(body):
    """Whatever JSON a server sends, reading a page gives records, a link and a count, or an ApiError."""
    response = httpx.Response(200, content=json.dumps(body).encode(),  # NaN and Infinity too, as a hostile server may
                              request=httpx.Request("GET", "https://api.test/Item.json"))
    try:
        page = Page.read(response)
        records, link = page.records("Item"), page.next_url()
        assert all(isinstance(record, dict) for record in records) and isinstance(link, str)
        page.count()
    except ApiError:
        pass
