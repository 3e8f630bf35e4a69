"""Whatever the token endpoint answers, exchange_code/refresh give a Token or a typed AuthorizationError.

A captive portal, a proxy or a broken server can answer anything: HTML with 200, JSON that is not an object, fields of
the wrong type, absurd lifetimes, megabytes. Each must become an AuthorizationError whose message gives the HTTP
status and the start of the answer (never a secret), with a sensible ``.error``. The same answers are played through
an httpx MockTransport and through a real HTTP server on 127.0.0.1 (the network path a sign-in really takes). Token's
own checks (from_response, from_record, jwt_claims) are tested here too, by example and with hypothesis.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ls_widget import AuthorizationError
from ls_widget.credentials import Credentials
from ls_widget.oauth import start_authorization
from ls_widget.token_endpoint import exchange_code, refresh, revoke
from ls_widget.profiles import V2, V3
from ls_widget.tokens import Token, jwt_claims

SECRET = "client/secret+with=specials"  # as a form body carries it: s3cr%2F... (quote) must be hidden too
CODE = "def50200-the-authorization-code"
NEW_ACCESS = "eyJ0eXAiOiJKV1QifQ.NEW-ACCESS-SECRET-0123456789.signature"
NEW_REFRESH = "def50200-NEW-REFRESH-SECRET"
OLD_ACCESS = "OLD-ACCESS-SECRET-abcdef"
OLD_REFRESH = "OLD-REFRESH-SECRET-abcdef"
JSON_TYPE = {"Content-Type": "application/json"}
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}
TEXT_TYPE = {"Content-Type": "text/plain"}


def fake_jwt(claims) -> str:
    encode = lambda data: base64.urlsafe_b64encode(data).decode().rstrip("=")
    payload = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    return f"{encode(json.dumps({'alg': 'RS256'}).encode())}.{encode(payload)}.signature"


def answer(**fields) -> bytes:
    """A token answer that is right except for ``fields`` (a field set to ... is left out)."""
    body = {"token_type": "Bearer", "expires_in": 3600, "access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH}
    body.update(fields)
    return json.dumps({key: value for key, value in body.items() if value is not ...}).encode()


def raw(expires_in_literal: str) -> bytes:
    """JSON that Python's json module reads but json.dumps would not write (1e400 reads as inf, NaN as nan)."""
    return (f'{{"token_type": "Bearer", "access_token": "{NEW_ACCESS}", "refresh_token": "{NEW_REFRESH}", '
            f'"expires_in": {expires_in_literal}}}').encode()


# (id, status, headers, body, expected .error, a piece of the answer the message must quote)
HOSTILE = [
    ("captive-portal-html", 200, HTML_TYPE, b"<html><title>Hotel Wi-Fi login</title><form>Room</form></html>",
     "invalid_response", "Hotel Wi-Fi login"),
    ("json-list", 200, JSON_TYPE, b"[]", "invalid_response", "[]"),
    ("json-null", 200, JSON_TYPE, b"null", "invalid_response", "null"),
    ("json-string", 200, JSON_TYPE, b'"x"', "invalid_response", '"x"'),
    ("json-empty-object", 200, JSON_TYPE, b"{}", "invalid_response", "{}"),
    ("empty-body", 200, JSON_TYPE, b"", "invalid_response", "empty"),
    ("invalid-utf8", 200, JSON_TYPE, b"\xff\xfe{\x80", "invalid_response", "HTTP 200"),
    ("deep-nesting", 200, JSON_TYPE, b"[" * 100_000, "invalid_response", "[[[["),
    ("control-characters", 200, TEXT_TYPE, b"\x00\x1b[31mred alert\x07", "invalid_response", "red alert"),
    ("no-access-token", 200, JSON_TYPE, answer(access_token=...), "invalid_response", "expires_in"),
    ("empty-access-token", 200, JSON_TYPE, answer(access_token=""), "invalid_response", "Bearer"),
    ("access-token-number", 200, JSON_TYPE, answer(access_token=12345), "invalid_response", "Bearer"),
    ("access-token-list", 200, JSON_TYPE, answer(access_token=[NEW_ACCESS]), "invalid_response", "Bearer"),
    ("access-token-huge", 200, JSON_TYPE, answer(access_token="a" * 70_000), "invalid_response", "access_token"),
    ("access-token-not-header-safe", 200, JSON_TYPE, answer(access_token="two words\r\nX-Evil: 1"),
     "invalid_response", "access_token"),
    ("expires-in-soon", 200, JSON_TYPE, answer(expires_in="soon"), "invalid_response", "soon"),
    ("expires-in-1e400-text", 200, JSON_TYPE, answer(expires_in="1e400"), "invalid_response", "1e400"),
    ("expires-in-1e400-number", 200, JSON_TYPE, raw("1e400"), "invalid_response", "1e400"),
    ("expires-in-nan", 200, JSON_TYPE, raw("NaN"), "invalid_response", "NaN"),
    ("expires-in-infinity", 200, JSON_TYPE, raw("-Infinity"), "invalid_response", "Infinity"),
    ("expires-in-negative", 200, JSON_TYPE, answer(expires_in=-60), "invalid_response", "-60"),
    ("expires-in-zero", 200, JSON_TYPE, answer(expires_in=0), "invalid_response", "expires_in"),
    # Found by the property test below: a positive lifetime too small to move the clock (expires_at == issued_at).
    ("expires-in-vanishing", 200, JSON_TYPE, answer(expires_in=4.268604748311364e-226), "invalid_response",
     "at least a second"),
    ("expires-in-half-a-second", 200, JSON_TYPE, answer(expires_in="0.5"), "invalid_response", "at least a second"),
    ("expires-in-bool", 200, JSON_TYPE, answer(expires_in=True), "invalid_response", "true"),
    ("expires-in-huge-int", 200, JSON_TYPE, answer(expires_in=10**40), "invalid_response", "1000000000"),
    ("expires-in-over-a-year", 200, JSON_TYPE, answer(expires_in=400 * 86400), "invalid_response", "34560000"),
    ("expires-in-object", 200, JSON_TYPE, answer(expires_in={"s": 1}), "invalid_response", "expires_in"),
    ("refresh-token-number", 200, JSON_TYPE, answer(refresh_token=7), "invalid_response", "refresh_token"),
    ("refresh-token-object", 200, JSON_TYPE, answer(refresh_token={"v": NEW_REFRESH}), "invalid_response", "Bearer"),
    ("token-type-number", 200, JSON_TYPE, answer(token_type=1), "invalid_response", "token_type"),
    ("token-type-mac", 200, JSON_TYPE, answer(token_type="MAC"), "invalid_response", "MAC"),
    ("scope-list", 200, JSON_TYPE, answer(scope=["employee:all"]), "invalid_response", "employee:all"),
    ("5xx-html", 503, HTML_TYPE, b"<html><body>Service Temporarily Unavailable</body></html>", "http_503",
     "Service Temporarily Unavailable"),
    ("500-empty", 500, TEXT_TYPE, b"", "http_500", "empty"),
    ("4xx-not-json", 400, TEXT_TYPE, b"Bad Request: nope", "http_400", "Bad Request: nope"),
    ("404-html", 404, HTML_TYPE, b"<h1>Not Found</h1>", "http_404", "Not Found"),
    ("429-text", 429, TEXT_TYPE, b"slow down", "http_429", "slow down"),
    ("error-number", 400, JSON_TYPE, b'{"error": 5}', "http_400", '{"error": 5}'),
    ("error-number-with-200", 200, JSON_TYPE, b'{"error": 5}', "invalid_response", '{"error": 5}'),
    ("error-object", 401, JSON_TYPE, b'{"error": {"code": "nope"}}', "http_401", '{"error": {"code":'),
    ("error-not-a-code", 400, JSON_TYPE, b'{"error": "<script>alert(1)</script>"}', "http_400", "script"),
    ("redirect-to-portal", 302, {"Location": "http://portal.example/login"}, b"", "http_302", "portal.example"),
]
IDS = [case[0] for case in HOSTILE]


class Recorder:
    """A MockTransport that answers with one scripted response and keeps the requests."""

    def __init__(self, status=200, headers=None, body=b""):
        self.requests: list[httpx.Request] = []
        self.status, self.headers, self.body = status, headers or JSON_TYPE, body
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, headers=self.headers, content=self.body)


@pytest.fixture
def pending():
    return start_authorization(V3, Credentials("cid", SECRET), ("employee:all",))[1]


def credentials():
    return Credentials("cid", SECRET)


def previous_token():
    return Token(OLD_ACCESS, OLD_REFRESH, time.time() - 10, account_id="5")


def assert_explained(error: AuthorizationError, status: int, expected: str, needle: str, pending) -> None:
    message = str(error)
    assert error.error == expected, message
    assert f"HTTP {status}" in message, message
    assert needle in message, message
    for secret in (SECRET, quote(SECRET, safe=""), CODE, pending.code_verifier, NEW_ACCESS, NEW_REFRESH, OLD_ACCESS,
                   OLD_REFRESH):
        assert secret not in message, (secret, message)
    assert message.isprintable(), message
    assert len(message) < 1500, message


# --- MockTransport: every hostile answer, for both the code exchange and a refresh --------------------------------


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_hostile_answer_to_the_code_exchange(case, pending):
    _, status, headers, body, expected, needle = case
    mock = Recorder(status, headers, body)
    with pytest.raises(AuthorizationError) as info:
        exchange_code(V3, credentials(), CODE, pending, _transport=mock.transport)
    assert_explained(info.value, status, expected, needle, pending)


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_hostile_answer_to_a_refresh(case, pending):
    _, status, headers, body, expected, needle = case
    mock = Recorder(status, headers, body)
    with pytest.raises(AuthorizationError) as info:
        refresh(V2, credentials(), previous_token(), _transport=mock.transport)
    assert_explained(info.value, status, expected, needle, pending)


def test_a_good_answer_is_a_token_and_the_request_is_form_encoded_without_scope(pending):
    access = fake_jwt({"acct": "5", "scope": "employee:all", "exp": time.time() + 3600})
    mock = Recorder(200, JSON_TYPE, answer(access_token=access, expires_in="3600"))  # numeric text is fine
    before = time.time()
    tok = exchange_code(V3, credentials(), CODE, pending, _transport=mock.transport)
    assert (tok.access_token, tok.refresh_token, tok.account_id, tok.scopes) == (access, NEW_REFRESH, "5",
                                                                                  ("employee:all",))
    assert before <= tok.issued_at <= time.time() and tok.lifetime == 3600
    (request,) = mock.requests
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = {key: values[0] for key, values in parse_qs(request.content.decode()).items()}
    assert form == {"grant_type": "authorization_code", "code": CODE, "code_verifier": pending.code_verifier,
                    "client_id": "cid", "client_secret": SECRET}


def test_a_refresh_sends_no_scope_and_keeps_what_the_answer_omits():
    mock = Recorder(200, JSON_TYPE, answer(refresh_token=..., expires_in=1800, token_type="bearer",
                                           scope="employee:all systemuserid:1"))
    tok = refresh(V2, credentials(), previous_token(), _transport=mock.transport)
    assert tok.refresh_token == OLD_REFRESH and tok.account_id == "5" and tok.scopes == ("employee:all",)
    form = parse_qs(mock.requests[0].content.decode())
    assert set(form) == {"grant_type", "refresh_token", "client_id", "client_secret"}


def test_a_fractional_expires_in_and_a_junk_expires_at_are_read(pending):
    """Generic OAuth clients turn expires_in into int() (authlib raised ValueError on "3600.5"): ours reads it."""
    mock = Recorder(200, JSON_TYPE, answer(expires_in="3600.5", expires_at="whenever"))
    tok = exchange_code(V3, credentials(), CODE, pending, _transport=mock.transport)
    assert tok.lifetime == 3600.5


def test_a_well_formed_oauth_error_keeps_its_code_and_gives_the_status(pending):
    mock = Recorder(503, JSON_TYPE, b'{"error": "temporarily_unavailable", "error_description": "maintenance"}')
    with pytest.raises(AuthorizationError, match="HTTP 503.*maintenance") as info:
        exchange_code(V3, credentials(), CODE, pending, _transport=mock.transport)
    assert info.value.error == "temporarily_unavailable"
    mock = Recorder(400, JSON_TYPE, json.dumps({"error": "invalid_grant", "hint": f"refresh token {OLD_REFRESH} is "
                                                "revoked"}).encode())
    with pytest.raises(AuthorizationError, match="HTTP 400") as info:
        refresh(V3, credentials(), previous_token(), _transport=mock.transport)
    assert info.value.error == "invalid_grant" and OLD_REFRESH not in str(info.value)


def test_secrets_echoed_by_a_server_are_hidden(pending):
    echoed = (f"<pre>grant_type=authorization_code&code={CODE}&code_verifier={pending.code_verifier}"
              f"&client_secret={quote(SECRET, safe='')} secret={SECRET}</pre>").encode()
    mock = Recorder(400, HTML_TYPE, echoed)
    with pytest.raises(AuthorizationError) as info:
        exchange_code(V3, credentials(), CODE, pending, _transport=mock.transport)
    assert_explained(info.value, 400, "http_400", "grant_type=authorization_code", pending)


def test_a_public_client_sends_its_id_and_no_secret(pending):
    mock = Recorder(200, JSON_TYPE, answer())
    exchange_code(V3, Credentials("public-cid"), CODE, pending, _transport=mock.transport)
    (request,) = mock.requests
    assert request.headers["accept"] == "application/json"
    form = {key: values[0] for key, values in parse_qs(request.content.decode()).items()}
    assert form == {"grant_type": "authorization_code", "code": CODE, "code_verifier": pending.code_verifier,
                    "client_id": "public-cid"}


@pytest.mark.parametrize("field, expected, advice", [
    ("refresh_token", "invalid_grant", "sign in again"),
    ("client_secret", "invalid_client", "client's secret"),
    ("client_id", "invalid_client", "client's ID"),
])
def test_a_damaged_value_that_cannot_be_sent_says_which_and_what_to_do(field, expected, advice):
    """A lone surrogate (a damaged token file or secret) cannot be form-encoded: nothing is sent, and the message names
    the field without its value."""
    damaged = "DAMAGED-VALUE-\udc80-SECRET"
    stale = Token(OLD_ACCESS, damaged if field == "refresh_token" else OLD_REFRESH, time.time() - 10)
    who = Credentials(damaged if field == "client_id" else "cid", damaged if field == "client_secret" else SECRET)
    mock = Recorder(200, JSON_TYPE, answer())
    with pytest.raises(AuthorizationError) as info:
        refresh(V3, who, stale, _transport=mock.transport)
    assert info.value.error == expected and mock.requests == []
    assert advice in str(info.value) and "DAMAGED-VALUE" not in str(info.value)


@pytest.mark.parametrize("auth_url", ["http://[::1", "http://\x01x", "no-scheme.example"])
def test_a_malformed_auth_url_is_a_network_error_naming_the_setting(monkeypatch, auth_url, pending):
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", auth_url)
    with pytest.raises(AuthorizationError, match="LS_WIDGET_AUTH_URL") as info:
        exchange_code(V3, credentials(), CODE, pending)
    assert info.value.error == "network_error" and str(info.value).isprintable()


def test_a_revocation_refused_gives_the_oauth_error_without_secrets():
    mock = Recorder(400, JSON_TYPE, json.dumps({"error": "invalid_request", "hint": f"{OLD_REFRESH} unknown"}).encode())
    with pytest.raises(AuthorizationError, match="HTTP 400") as info:
        revoke(V3, credentials(), previous_token(), _transport=mock.transport)
    assert info.value.error == "invalid_request" and OLD_REFRESH not in str(info.value)
    form = {key: values[0] for key, values in parse_qs(mock.requests[0].content.decode()).items()}
    assert form == {"refresh_token": OLD_REFRESH, "client_id": "cid", "client_secret": SECRET}


def test_a_revocation_answered_with_megabytes_is_cut_off():
    mock = Recorder(500, HTML_TYPE, b"<html>" + b"x" * 5_000_000)
    with pytest.raises(AuthorizationError, match="KiB") as info:
        revoke(V3, credentials(), previous_token(), _transport=mock.transport)
    assert info.value.error == "invalid_response"


def test_several_megabytes_are_refused(pending):
    chunk = b"x" * 65_536
    pulled: list[int] = []

    def five_megabytes():
        yield b'{"access_token": "'
        for _ in range(80):
            pulled.append(len(chunk))
            yield chunk

    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=JSON_TYPE, content=five_megabytes()))
    with pytest.raises(AuthorizationError) as info:
        exchange_code(V3, credentials(), CODE, pending, _transport=transport)
    assert_explained(info.value, 200, "invalid_response", "KiB", pending)
    # Refused as soon as the answer passed the limit (1024 KiB): the rest of it was never even read.
    assert sum(pulled) <= 1024 * 1024 + len(chunk) < 80 * len(chunk)


# --- the same answers from a real HTTP server on 127.0.0.1 ------------------------------------------------------------


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script: list = []
        self.requests: list[tuple[str, dict, bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address):  # a client that hangs up on a runaway answer is expected
        pass


class ScriptedHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.path, dict(self.headers), body))
        action = self.server.script.pop(0)
        if callable(action):
            action(self)
            return
        status, headers, payload = action
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    box = ScriptedServer()
    thread = threading.Thread(target=box.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", box.url)
    yield box
    box.shutdown()
    box.server_close()


REAL = [case for case in HOSTILE if case[0] in {
    "captive-portal-html", "json-list", "json-null", "json-empty-object", "access-token-number", "access-token-huge",
    "expires-in-soon", "expires-in-1e400-number", "expires-in-nan", "expires-in-bool", "expires-in-huge-int",
    "refresh-token-object", "token-type-mac", "scope-list", "5xx-html", "4xx-not-json", "error-number",
    "error-number-with-200", "redirect-to-portal", "deep-nesting",
}]


@pytest.mark.parametrize("case", REAL, ids=[case[0] for case in REAL])
def test_hostile_answers_over_real_http(server, case, pending):
    _, status, headers, body, expected, needle = case
    server.script = [(status, headers, body), (status, headers, body)]
    with pytest.raises(AuthorizationError) as info:
        exchange_code(V3, credentials(), CODE, pending)
    assert_explained(info.value, status, expected, needle, pending)
    with pytest.raises(AuthorizationError) as info:
        refresh(V3, credentials(), previous_token())
    assert_explained(info.value, status, expected, needle, pending)
    assert [path for path, _, _ in server.requests] == ["/auth/oauth/token"] * 2


def test_a_good_answer_over_real_http(server, pending):
    server.script = [(200, JSON_TYPE, answer(expires_in="1800"))]
    tok = exchange_code(V3, credentials(), CODE, pending)
    assert tok.access_token == NEW_ACCESS and tok.lifetime == 1800
    (_, headers, body) = server.requests[0]
    assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert "scope" not in parse_qs(body.decode()) and "redirect_uri" not in parse_qs(body.decode())


def test_a_runaway_answer_is_cut_off(server, pending):
    """No Content-Length, megabytes on end: only the client's limit stops it (by hanging up)."""
    chunk, chunks = b"a" * 262_144, 400  # 100 MB, if nobody hangs up
    written: list[int] = []
    hung_up = threading.Event()

    def runaway(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        try:
            handler.wfile.write(b'{"access_token": "')
            for _ in range(chunks):
                handler.wfile.write(chunk)
                written.append(len(chunk))
        except OSError:
            hung_up.set()

    server.script = [runaway]
    with pytest.raises(AuthorizationError) as info:
        exchange_code(V3, credentials(), CODE, pending)
    assert_explained(info.value, 200, "invalid_response", "KiB", pending)
    # The client hung up once past its limit: the server's writes failed long before the 100 MB (what they got to is
    # the 1 MiB read plus what the sockets' buffers held).
    assert hung_up.wait(60), "the client read on: the server wrote all of its runaway answer"
    assert sum(written) < chunks * len(chunk)


def test_a_gzip_bomb_is_cut_off(server, pending):
    payload = gzip.compress(b"{" + b" " * 50_000_000)
    assert len(payload) < 1024 * 1024  # on the wire, the answer is well within the limit ...

    def bomb(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        try:
            handler.wfile.write(payload)
        except OSError:
            pass

    server.script = [bomb]
    with pytest.raises(AuthorizationError) as info:
        exchange_code(V3, credentials(), CODE, pending)
    # ... so "more than 1024 KiB" says the limit counts the answer at its decoded size, where the bomb goes off.
    assert_explained(info.value, 200, "invalid_response", "KiB", pending)


def test_a_body_that_does_not_match_its_encoding(server, pending):
    server.script = [(200, {"Content-Encoding": "gzip", **JSON_TYPE}, b"this is not gzip")]
    with pytest.raises(AuthorizationError, match="HTTP 200") as info:
        exchange_code(V3, credentials(), CODE, pending)
    assert info.value.error == "invalid_response"


def test_a_dropped_connection_is_a_network_error(server, pending):
    server.script = [lambda handler: handler.connection.close()]
    with pytest.raises(AuthorizationError, match="Could not reach") as info:
        refresh(V3, credentials(), previous_token())
    assert info.value.error == "network_error"


# --- Token.from_response, from_record and jwt_claims on their own ----------------------------------------------------


def test_from_response_validates_a_parsed_answer():
    for data in ([], None, "x", {}, {"access_token": None}, {"access_token": 5}, {"access_token": "a", "scope": 5},
                 {"access_token": "a", "expires_in": float("nan")}, {"access_token": "a", "expires_in": 10**400},
                 {"access_token": "a", "token_type": "MAC"}, {"access_token": "a", "refresh_token": ["r"]}):
        with pytest.raises(AuthorizationError) as info:
            Token.from_response(data)
        assert info.value.error == "invalid_response" and "Save and authorize" in str(info.value)


def test_same_access_token_from_a_refresh_keeps_when_it_was_issued():
    """The legacy server answers an early refresh with the same token and its remaining lifetime."""
    first = Token.from_response({"access_token": "a" * 40, "refresh_token": "r", "expires_in": 1800}, now=1000.0)
    assert (first.issued_at, first.expires_at, first.lifetime) == (1000.0, 2800.0, 1800.0)
    same = Token.from_response({"access_token": "a" * 40, "expires_in": 600}, now=2200.0, previous=first)
    assert (same.issued_at, same.expires_at, same.lifetime, same.refresh_token) == (1000.0, 2800.0, 1800.0, "r")
    new = Token.from_response({"access_token": "b" * 40, "expires_in": 1800}, now=2200.0, previous=first)
    assert (new.issued_at, new.lifetime) == (2200.0, 1800.0)


def test_issued_at_round_trips_and_old_records_assume_thirty_minutes():
    tok = Token("x", "y", 5000.0, scopes=("employee:all",), account_id="5", issued_at=1400.0)
    assert Token.from_record(json.loads(json.dumps(tok.to_record()))) == tok and tok.lifetime == 3600.0
    old = {"access_token": "x", "refresh_token": "y", "expires_at": 5000.0, "token_type": "Bearer",
           "scopes": ["employee:all"], "account_id": "5"}
    assert Token.from_record(old).issued_at == 3200.0 and Token.from_record(old).lifetime == 1800.0
    assert Token("x", None, 100.0, issued_at=500.0).lifetime == 0.0  # never negative
    assert "issued_at" in repr(tok) and "x" not in repr(tok).replace("expires_at", "").replace("Bearer", "")


GOOD_RECORD = {"access_token": OLD_ACCESS, "refresh_token": OLD_REFRESH, "expires_at": 5000.0, "issued_at": 1400.0,
               "token_type": "Bearer", "scopes": ["employee:all"], "account_id": "5"}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"access_token": ...}, "access_token"), ({"access_token": ""}, "access_token"),
        ({"access_token": 5}, "access_token"), ({"access_token": [OLD_ACCESS]}, "access_token"),
        ({"refresh_token": [OLD_REFRESH]}, "refresh_token"),
        ({"expires_at": ...}, "expires_at"), ({"expires_at": "5000"}, "expires_at"),
        ({"expires_at": float("inf")}, "expires_at"), ({"expires_at": float("nan")}, "expires_at"),
        ({"expires_at": True}, "expires_at"), ({"expires_at": 10**400}, "expires_at"),
        ({"issued_at": "yesterday"}, "issued_at"), ({"issued_at": float("-inf")}, "issued_at"),
        ({"scopes": "employee:all"}, "scopes"), ({"scopes": [1]}, "scopes"), ({"scopes": {"a": 1}}, "scopes"),
        ({"account_id": 5}, "account_id"), ({"token_type": 1}, "token_type"),
    ],
)
def test_a_damaged_token_record_is_a_value_error_naming_the_field(change, named):
    record = {**GOOD_RECORD, **change}
    record = {key: value for key, value in record.items() if value is not ...}
    with pytest.raises(ValueError, match=named) as info:
        Token.from_record(record)
    assert type(info.value) is ValueError
    assert OLD_ACCESS not in str(info.value) and OLD_REFRESH not in str(info.value)


@pytest.mark.parametrize("record", [None, [], "token", 5, [GOOD_RECORD]])
def test_a_token_record_that_is_not_an_object_is_a_value_error(record):
    with pytest.raises(ValueError, match="not a JSON object"):
        Token.from_record(record)


@pytest.mark.parametrize(
    "token",
    [
        "é.ü.ß", "a.🎉.c", "a." + "A" * 10_000_000 + ".c", "a.!!!!.c", "a.A.c", "",
        fake_jwt(b"[" * 100_000), fake_jwt(b"\xff\xfe"), fake_jwt([1, 2]), fake_jwt("text"), fake_jwt(b"NaN"),
        "a.\ud800.c",
    ],
    ids=["non-ascii", "emoji", "huge", "not-base64", "bad-padding", "empty", "deep-nesting", "not-utf8", "list",
         "string", "nan", "lone-surrogate"],
)
def test_jwt_claims_never_raises(token):
    assert jwt_claims(token) == {}


@pytest.mark.parametrize("value", [None, b"a.b.c", 5, ["a", "b", "c"]])
def test_jwt_claims_of_something_that_is_not_text_is_empty(value):
    assert jwt_claims(value) == {}


def test_claims_of_the_wrong_type_are_ignored():
    claims = jwt_claims(fake_jwt(b'{"acct": {"id": 5}, "scope": 7, "exp": NaN, "iat": 1e400, "sub": "12"}'))
    assert claims == {"sub": "12"}
    assert jwt_claims(fake_jwt({"acct": "../../5"})) == {}
    assert jwt_claims(fake_jwt({"acct": True, "exp": "soon"})) == {}
    assert jwt_claims(fake_jwt({"acct": 5, "exp": 2e9, "scopes": ["a", "b"]})) == {"acct": 5, "exp": 2e9,
                                                                                  "scopes": ["a", "b"]}
    previous = Token("old", "r", 0.0, account_id="9")
    tok = Token.from_response({"access_token": fake_jwt(b'{"acct": [1], "exp": NaN}')}, now=100.0, previous=previous)
    assert tok.account_id == "9" and tok.expires_at == 1900.0
    tok = Token.from_response({"access_token": fake_jwt({"acct": 77, "scopes": ["employee:all"], "exp": 4000.0})},
                              now=100.0)
    assert (tok.account_id, tok.scopes, tok.expires_at) == ("77", ("employee:all",), 4000.0)


# --- properties ------------------------------------------------------------------------------------------------------

JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
               | st.sampled_from(["3600", "1e400", "NaN", " 60 ", "-1", "0", "Bearer", "bearer", "MAC"]))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FIELDS = st.sampled_from(["access_token", "refresh_token", "expires_in", "token_type", "scope", "error", "acct"])
CLAIMS = st.dictionaries(st.sampled_from(["acct", "scope", "scopes", "exp", "iat", "sub"]) | st.text(max_size=5),
                         JSON_VALUES, max_size=5)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(FIELDS | st.text(max_size=10), JSON_VALUES, max_size=7)
       | JSON_VALUES
       | st.builds(lambda claims, rest: {**rest, "access_token": fake_jwt(claims)}, CLAIMS,
                   st.dictionaries(FIELDS, JSON_VALUES, max_size=4)))
def test_from_response_gives_a_sound_token_or_an_authorization_error(data):
    try:
        tok = Token.from_response(data, now=1000.0)
    except AuthorizationError as exc:
        assert exc.error == "invalid_response"
        return
    assert isinstance(tok.access_token, str) and tok.access_token
    assert tok.refresh_token is None or isinstance(tok.refresh_token, str)
    assert math.isfinite(tok.expires_at) and 1000.0 < tok.expires_at <= 1000.0 + 366 * 86400
    assert tok.issued_at == 1000.0 and tok.token_type == "Bearer"
    assert all(isinstance(scope, str) for scope in tok.scopes)
    assert tok.account_id is None or isinstance(tok.account_id, str)
    assert Token.from_record(json.loads(json.dumps(tok.to_record()))) == tok


@settings(max_examples=300)
@given(token=st.text() | st.builds(fake_jwt, CLAIMS) | st.builds(fake_jwt, st.binary(max_size=50))
       | st.builds(lambda parts: ".".join(parts), st.lists(st.text(max_size=20), min_size=3, max_size=3)))
def test_jwt_claims_never_raises_and_types_what_it_keeps(token):
    claims = jwt_claims(token)
    assert isinstance(claims, dict)
    if "acct" in claims:
        assert isinstance(claims["acct"], (str, int)) and not isinstance(claims["acct"], bool)
    for name in ("exp", "iat", "nbf"):
        if name in claims:
            assert not isinstance(claims[name], bool) and math.isfinite(claims[name])
    for name in ("scope", "scopes"):
        if name in claims:
            assert isinstance(claims[name], (str, list))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(record=st.dictionaries(st.sampled_from(list(GOOD_RECORD)) | st.text(max_size=5), JSON_VALUES, max_size=8)
       | JSON_VALUES)
def test_from_record_raises_nothing_but_value_error(record):
    try:
        Token.from_record(record)
    except ValueError as exc:
        assert type(exc) is ValueError
