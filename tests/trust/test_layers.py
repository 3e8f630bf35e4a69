"""Group 8: the seams. Authentication is an ``httpx.Auth``, pacing and retries a transport; both are driven here
with ``httpx.MockTransport`` (no patching of private names). ``ApiError`` carries the response and request id.
"""

from __future__ import annotations

import time

import httpx
import pytest

from ls_widget import ApiError
from ls_widget.auth import LightspeedAuth, SignIn
from ls_widget.credentials import Credentials
from ls_widget.profiles import get_profile
from ls_widget.session import LightspeedSession
from ls_widget.token_store import TokenStore
from ls_widget.tokens import Token
from ls_widget.ratelimit import Pacer
from ls_widget.transport import PacedTransport

from .conftest import FakeClock

API = "https://api.lightspeedapp.com"
ITEMS = f"{API}/API/V3/Account/5/Item.json"
ACCESS, FRESH = "access-SECRET-1", "access-SECRET-2"
PAGE = {"@attributes": {"next": ""}, "Item": [{"itemID": "1"}]}


@pytest.fixture
def sign_in(monkeypatch):
    """A stored v3 sign-in whose refresh is played by a counter (the OAuth request itself is oauth.py's job)."""
    profile = get_profile("v3")
    store = TokenStore("Layers")
    now = time.time()
    store.save(Token(ACCESS, "refresh-1", now + 3600, issued_at=now))
    refreshes = []

    def fake_refresh(profile, credentials, token):
        refreshes.append(token.refresh_token)
        return Token(FRESH, f"refresh-{len(refreshes) + 1}", time.time() + 3600, issued_at=time.time())

    monkeypatch.setattr("ls_widget.token_endpoint.refresh", fake_refresh)
    signed = SignIn(profile, Credentials("client"), store)
    signed.refreshes = refreshes
    return signed


def session_on(sign_in, handler, **options) -> LightspeedSession:
    return LightspeedSession(sign_in.profile, sign_in, "5", transport=httpx.MockTransport(handler),
                             sleep=lambda s: None, **options)


def test_a_401_refreshes_once_through_the_store_and_retries(sign_in):
    seen = []

    def handler(request):
        seen.append(request.headers["Authorization"])
        return httpx.Response(401 if request.headers["Authorization"] == f"Bearer {ACCESS}" else 200, json=PAGE)

    assert session_on(sign_in, handler).get("Item") == PAGE["Item"]
    assert seen == [f"Bearer {ACCESS}", f"Bearer {FRESH}"] and sign_in.refreshes == ["refresh-1"]
    assert sign_in.store.load().access_token == FRESH  # stored, the one source of truth


def test_a_second_401_is_an_api_error_without_a_second_refresh(sign_in):
    session = session_on(sign_in, lambda request: httpx.Response(401, json={"error": "access_denied",
                                                                            "hint": "Access token has been revoked"}))
    with pytest.raises(ApiError, match="revoked") as info:
        session.get("Item")
    assert info.value.status == 401 and len(sign_in.refreshes) == 1


def test_the_auth_flow_itself_refuses_another_origin(sign_in):
    """Whatever builds the request, the auth layer adds the token only for the API origin."""
    sent = []
    client = httpx.Client(auth=LightspeedAuth(sign_in), transport=httpx.MockTransport(sent.append))
    with pytest.raises(ApiError, match="Refused to send the access token"):
        client.get("https://api.lightspeedapp.com.evil.test/API/V3/Account/5/Item.json")
    assert sent == []


def test_the_token_is_read_from_the_store_before_each_request(sign_in):
    """Another kernel refreshed: the next request uses the stored token, not a copy in memory."""
    seen = []
    session = session_on(sign_in, lambda request: seen.append(request.headers["Authorization"]) or
                         httpx.Response(200, json=PAGE))
    session.get("Item")
    TokenStore("Layers").save(Token("from-another-kernel", "r", time.time() + 3600, issued_at=time.time()))
    session.get("Item")
    assert seen == [f"Bearer {ACCESS}", "Bearer from-another-kernel"]


def test_gets_are_retried_on_5xx_and_writes_are_not():
    calls = []

    def handler(request):
        calls.append(request.method)
        return httpx.Response(503 if len(calls) < 3 else 200, json={})

    transport = PacedTransport(httpx.MockTransport(handler), sleep=lambda s: None)
    with httpx.Client(transport=transport) as client:
        assert client.get(ITEMS).status_code == 200 and calls == ["GET"] * 3
        calls.clear()
        assert client.put(ITEMS, json={"x": 1}).status_code == 503 and calls == ["PUT"]
    assert transport.statuses[503] == 3


def test_a_write_is_retried_only_when_it_never_left(monkeypatch):
    calls = []

    def refused_then_ok(request):
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={})

    transport = PacedTransport(httpx.MockTransport(refused_then_ok), sleep=lambda s: None)
    with httpx.Client(transport=transport) as client:
        assert client.post(ITEMS, json={}).status_code == 201 and calls == ["POST", "POST"]

    def times_out(request):
        calls.append(request.method)
        raise httpx.ReadTimeout("slow", request=request)

    calls.clear()
    transport = PacedTransport(httpx.MockTransport(times_out), sleep=lambda s: None)
    with httpx.Client(transport=transport) as client, pytest.raises(ApiError, match="ReadTimeout") as info:
        client.post(ITEMS, json={})
    assert calls == ["POST"] and info.value.status == 0  # it may have been processed: never repeated blindly


def test_429_is_paced_by_retry_after_then_retried():
    clock, answers = FakeClock(), iter([httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={})])
    transport = PacedTransport(httpx.MockTransport(lambda request: next(answers)), sleep=clock.sleep,
                               pacer=Pacer(clock=clock, sleep=clock.sleep))
    with httpx.Client(transport=transport) as client:
        assert client.get(ITEMS).status_code == 200
    assert sum(clock.slept) == pytest.approx(3, abs=0.1) and transport.statuses == {429: 1, 200: 1}


def test_api_error_carries_status_message_response_and_request_id(sign_in):
    session = session_on(sign_in, lambda request: httpx.Response(
        422, json={"httpCode": "422", "message": "Description is required"}, headers={"Cf-Ray": "7d2f-LHR"}))
    with pytest.raises(ApiError) as info:
        session.get("Item")
    error = info.value
    assert (error.status, error.request_id) == (422, "7d2f-LHR")
    assert error.message == "Description is required" and error.response.status_code == 422
    assert "7d2f-LHR" in str(error)


def test_no_frame_a_crash_reporter_captures_holds_the_bearer_in_a_local(sign_in):
    """Crash reporters record each frame's locals by repr: none may show the token."""

    def crash(request):
        raise RuntimeError("transport crashed")

    session = session_on(sign_in, crash)
    with pytest.raises(RuntimeError) as info:
        session.request("GET", "Item.json")
    frames, tb = [], info.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    assert any(frame.f_code.co_name == "request" and frame.f_code.co_filename.endswith("session.py")
               for frame in frames)  # the frame that used to hold the header in a local
    for frame in frames:
        for name, value in frame.f_locals.items():
            assert ACCESS not in repr(value), f"{frame.f_code.co_name}: local {name!r} shows the token"
