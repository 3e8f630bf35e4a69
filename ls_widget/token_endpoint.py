"""Lightspeed's token endpoint: trading a code, refreshing, revoking; and reading its answers without trusting them.

Each request is one form-encoded POST (docs/lightspeed-api.md sections 1.5 and 1.8) made with httpx: the client
credentials go in the body (``client_secret_post``; a public client sends only its ``client_id``), and never a
``scope`` or ``redirect_uri`` field (Lightspeed answers a refresh carrying ``scope`` with ``invalid_grant``).

Nothing the token endpoint answers is believed unchecked: a captive portal, a proxy or a broken server can answer
anything. The body is streamed and read, decoded, up to _MAX_BODY bytes; that answer then becomes either a Token
(``Token.from_response`` checks every field) or an AuthorizationError giving the HTTP status, the start of the answer
(secrets blanked) and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlencode

import httpx

from .answers import json_object, oauth_error, printable, quote_start, redact
from .errors import AuthorizationError
from .credentials import Credentials
from .oauth import PendingAuthorization
from .profiles import Profile
from .tokens import Token

_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# A token answer is a few kilobytes. Reading stops beyond this, so a captive portal's page or a runaway stream is
# refused instead of filling memory.
_MAX_BODY = 1024 * 1024
_HEADERS = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
# What to do when a field cannot even be encoded (a lone surrogate, which only a damaged file or paste can hold).
# Keyed by form field; the value itself is never shown.
_UNSENDABLE = {
    "code": ("The authorization code is damaged: copy the whole address from the browser's address bar again.",
             "invalid_request"),
    "refresh_token": ("The stored refresh token is damaged (it holds characters that cannot be sent): sign in again "
                      "with 'Save and authorize'.", "invalid_grant"),
    "client_id": ("The OAuth 2.0 client's ID holds characters that cannot be sent: enter it again in 'Edit OAuth 2.0 "
                  "client' (for Lightspeed v2, in LS_WIDGET_V2_CLIENT_ID).", "invalid_client"),
    "client_secret": ("The OAuth 2.0 client's secret holds characters that cannot be sent: enter it again in 'Edit "
                      "OAuth 2.0 client' (for Lightspeed v2, in LS_WIDGET_V2_CLIENT_SECRET).", "invalid_client"),
}


def exchange_code(
    profile: Profile,
    credentials: Credentials,
    code: str,
    pending: PendingAuthorization,
    *,
    _transport: httpx.BaseTransport | None = None,
) -> Token:
    """Trade the authorization code (and the PKCE verifier) for tokens.

    ``_transport`` is a test seam: an httpx transport to use instead of the network.
    """
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": pending.code_verifier}
    return _token_request(profile, credentials, form, kind="exchange", pending=pending, previous=None,
                          hide=(code, pending.code_verifier), transport=_transport)


def refresh(
    profile: Profile, credentials: Credentials, token: Token, *, _transport: httpx.BaseTransport | None = None
) -> Token:
    """A new token pair from the refresh token (which Lightspeed then retires)."""
    if not token.refresh_token:
        raise AuthorizationError("This connection has no refresh token: sign in again.", error="invalid_grant")
    form = {"grant_type": "refresh_token", "refresh_token": token.refresh_token}
    return _token_request(profile, credentials, form, kind="refresh", pending=None, previous=token,
                          hide=(token.refresh_token, token.access_token), transport=_transport)


def revoke(
    profile: Profile, credentials: Credentials, token: Token, *, _transport: httpx.BaseTransport | None = None
) -> None:
    """Invalidate the refresh token and its access token (v3 only; v2 has no revoke endpoint)."""
    if not profile.revoke_endpoint or not token.refresh_token:
        return
    hide = (token.refresh_token, token.access_token, credentials.client_secret)
    body = _form_body({"refresh_token": token.refresh_token}, credentials)
    try:
        answer = _post(profile.revoke_endpoint, body, _transport)
    except _UnreadableBody as exc:
        raise AuthorizationError(f"Lightspeed's answer to the revocation (HTTP {exc.status}) could not be read: "
                                 f"{exc.reason}.", error="invalid_response") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise AuthorizationError(f"Could not reach Lightspeed to revoke the token ({type(exc).__name__}).",
                                 error="network_error") from None
    if answer.status >= 400:
        error, description = oauth_error(json_object(answer.body), hide)
        detail = f": {description or error}" if description or error else ""
        raise AuthorizationError(f"Lightspeed refused to revoke the token (HTTP {answer.status}){detail}.",
                                 error=error or f"http_{answer.status}")


@dataclass(frozen=True)
class _Answer:
    """What the endpoint answered: its status, headers and body (decoded, at most _MAX_BODY bytes)."""

    status: int
    headers: httpx.Headers
    body: bytes


class _UnreadableBody(Exception):
    """The answer's body went past _MAX_BODY or does not match its Content-Encoding. Carries the status, what went
    wrong and the first bytes read."""

    def __init__(self, status: int, reason: str, head: bytes = b"", too_large: bool = False) -> None:
        super().__init__(status)
        self.status, self.reason, self.head, self.too_large = status, reason, head, too_large


def _form_body(fields: dict[str, str], credentials: Credentials) -> bytes:
    """The form, with the client's credentials, as the bytes to send; AuthorizationError for a field that cannot be
    encoded (naming the field, never its value)."""
    fields = {**fields, "client_id": credentials.client_id}
    if credentials.client_secret:
        fields["client_secret"] = credentials.client_secret
    for name, value in fields.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            message, error = _UNSENDABLE.get(name, (f"The {name} to send is damaged: start again.", "invalid_request"))
            raise AuthorizationError(message, error=error) from None
    return urlencode(fields).encode("ascii")


def _post(url: str, body: bytes, transport: httpx.BaseTransport | None) -> _Answer:
    """POST the form and read the answer, redirects not followed. Raises _UnreadableBody, httpx.HTTPError (the
    network) or httpx.InvalidURL (a malformed LS_WIDGET_AUTH_URL)."""
    with httpx.Client(timeout=_TIMEOUT, transport=transport, follow_redirects=False) as http:
        with http.stream("POST", url, content=body, headers=_HEADERS) as response:
            return _Answer(response.status_code, response.headers, _read_capped(response))


def _read_capped(response: httpx.Response) -> bytes:
    """The body, decoded, but no more than _MAX_BODY bytes of it (a gzip bomb counts at its real size)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_BODY:
                raise _UnreadableBody(response.status_code, f"more than {_MAX_BODY // 1024} KiB",
                                      b"".join(chunks)[:65536], too_large=True)
    except httpx.DecodingError:
        raise _UnreadableBody(response.status_code, "its Content-Encoding does not match it") from None
    return b"".join(chunks)


def _token_request(
    profile: Profile,
    credentials: Credentials,
    form: dict[str, str],
    *,
    kind: str,
    pending: PendingAuthorization | None,
    previous: Token | None,
    hide: Iterable[str | None],
    transport: httpx.BaseTransport | None,
) -> Token:
    url = profile.token_endpoint
    hide = (*hide, credentials.client_secret)
    body = _form_body(form, credentials)
    try:
        answer = _post(url, body, transport)
    except _UnreadableBody as exc:
        if exc.too_large:
            raise AuthorizationError(
                f"Lightspeed's token endpoint answered HTTP {exc.status} with more than {_MAX_BODY // 1024} KiB, "
                f"where a token answer is a few KiB. {quote_start(exc.head, hide)} {_advice(0, kind)}",
                error="invalid_response" if 200 <= exc.status < 300 else f"http_{exc.status}",
            ) from None
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {exc.status} with a body that cannot be decoded (its "
            f"Content-Encoding does not match it). {_advice(0, kind)}",
            error="invalid_response",
        ) from None
    except httpx.TransportError as exc:
        raise AuthorizationError(
            f"Could not reach Lightspeed's token endpoint at {printable(url, 100)} ({type(exc).__name__}). Check the "
            "network connection (and LS_WIDGET_AUTH_URL if you set it).",
            error="network_error",
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise AuthorizationError(
            f"Could not send the token request to {printable(url, 100)} ({type(exc).__name__}). Check "
            "LS_WIDGET_AUTH_URL if you set it, then try again.",
            error="network_error",
        ) from None
    return _token_from_answer(answer, kind=kind, profile=profile, pending=pending, previous=previous, hide=hide)


def _token_from_answer(
    answer: _Answer,
    *,
    kind: str,
    profile: Profile,
    pending: PendingAuthorization | None,
    previous: Token | None,
    hide: Iterable[str | None],
) -> Token:
    """The token in an answer, or an AuthorizationError with its status, its first characters and advice."""
    status, body = answer.status, answer.body
    data = json_object(body)
    if data is not None:  # the new tokens, whatever their shape, are blanked in messages too
        hide = (*hide, *(data.get(key) for key in ("access_token", "refresh_token", "id_token")))
    if data is not None and data.get("error") not in (None, ""):
        error, description = oauth_error(data, hide)
        if error:
            raise AuthorizationError(_token_error_message(error, description, kind, profile, pending, status),
                                     error=error)
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status} with a malformed OAuth error. {quote_start(body, hide)} "
            f"{_advice(status, kind)}",
            error="invalid_response" if 200 <= status < 300 else f"http_{status}",
        )
    if not 200 <= status < 300:
        where = printable(redact(answer.headers.get("location", ""), hide), 100) if 300 <= status < 400 else ""
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status}{' (to ' + where + ')' if where else ''}. "
            f"{quote_start(body, hide)} {_advice(status, kind)}",
            error=f"http_{status}",
        )
    if data is None:
        what = "a web page" if body.lstrip()[:1] == b"<" else "something that is not a JSON object"
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status}, but with {what} instead of a token. "
            f"{quote_start(body, hide)} {_advice(0, kind)}",
            error="invalid_response",
        )
    try:
        return Token.from_response(data, previous=previous)
    except AuthorizationError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status}, but the token cannot be used: {problem}. "
            f"{quote_start(body, hide)} {_advice(0, kind)}",
            error=exc.error,
        ) from None


def _advice(status: int, kind: str) -> str:
    """What to do after an unexpected token-endpoint answer (``status`` 0: a 2xx answer that is not a token)."""
    again = "click 'Save and authorize' again" if kind == "exchange" else "run the cell again"
    if status == 429:
        return f"Lightspeed is limiting requests from this client: wait a minute, then {again}."
    if status >= 500:
        return f"Lightspeed's sign-in service is failing or unavailable: wait a few minutes, then {again}."
    if status in (401, 403):
        return ("The request was refused: check the client ID and secret in 'Edit OAuth 2.0 client'; if they are "
                f"right, a proxy may be blocking Lightspeed. Then {again}.")
    if status in (404, 405):
        return ("That address does not answer token requests: check LS_WIDGET_AUTH_URL (unset it to use Lightspeed's "
                f"own servers), then {again}.")
    return ("Something other than Lightspeed may have answered: sign in to the network in a browser if it asks you to "
            f"(a captive portal), check any proxy and LS_WIDGET_AUTH_URL if you set it, then {again}.")


def _token_error_message(error: str, description: str, kind: str, profile: Profile, pending, status: int) -> str:
    detail = f" (HTTP {status}; Lightspeed says: {description})" if description else f" (HTTP {status})"
    if error == "invalid_grant" and kind == "exchange":
        return (f"The authorization code was refused{detail}. Codes live {profile.code_lifetime} seconds and work once: "
                "click 'Save and authorize' again and finish promptly.")
    if error == "invalid_grant":
        return (f"The refresh token was refused{detail}: it was revoked, expired (unused for 30 days) or already "
                "used. Sign in again with 'Save and authorize'.")
    if error == "invalid_client":
        return (f"Lightspeed did not accept the OAuth 2.0 client{detail}. Check its client ID and secret in "
                "'Edit OAuth 2.0 client' (a regenerated secret must be entered again), or whether it is blocked.")
    if error == "invalid_scope":
        scopes = " ".join(pending.scopes) if pending else ""
        return f"Lightspeed refused the requested scopes{detail}: {scopes}. Choose scopes from the list in 'Edit scopes'."
    return f"Lightspeed's token endpoint answered {error}{detail}. {_advice(status, kind)}"
