"""Lightspeed's token endpoint: trading a code, refreshing, revoking; and reading its answers without trusting them.

Token requests are form-encoded with the client credentials in the body and never a ``scope`` field (the token
endpoint answers that with ``invalid_grant``). authlib's OAuth2Client does the requests; it is built without
``scope`` and ``redirect_uri`` for exactly that reason, and imported only here, when a sign-in or a refresh needs it.

Nothing the token endpoint answers is believed unchecked: a captive portal, a proxy or a broken server can answer
anything. An httpx response hook captures the raw answer (reading at most _MAX_BODY bytes), and that answer, not
authlib's reading of it, becomes either a Token or an AuthorizationError giving the HTTP status, the start of the
answer (secrets blanked) and what to do. authlib's own parsing cannot be relied on for that: on some malformed answers
it raises ValueError, OverflowError or TypeError before anything can be checked.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import httpx

from .answers import json_object, oauth_error, printable, quote_start, redact
from .errors import AuthorizationError
from .credentials import Credentials
from .oauth import PendingAuthorization
from .profiles import Profile
from .tokens import Token

with warnings.catch_warnings():
    # authlib 1.9 warns on import that its httpx integration prefers the "httpx2" fork; ls_widget uses httpx on
    # purpose (one HTTP stack for OAuth and the API), and the warning would print in red in every notebook.
    warnings.filterwarnings("ignore", message=r".*httpx.*deprecated.*", category=DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# A token answer is a few kilobytes. Reading stops beyond this, so a captive portal's page or a runaway stream is
# refused instead of filling memory.
_MAX_BODY = 1024 * 1024


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
    return _token_request(
        profile,
        credentials,
        kind="exchange",
        pending=pending,
        previous=None,
        hide=(code, pending.code_verifier),
        transport=_transport,
        grant_type="authorization_code",
        code=code,
        code_verifier=pending.code_verifier,
    )


def refresh(
    profile: Profile, credentials: Credentials, token: Token, *, _transport: httpx.BaseTransport | None = None
) -> Token:
    """A new token pair from the refresh token (which Lightspeed then retires)."""
    if not token.refresh_token:
        raise AuthorizationError("This connection has no refresh token: sign in again.", error="invalid_grant")
    return _token_request(
        profile,
        credentials,
        kind="refresh",
        pending=None,
        previous=token,
        hide=(token.refresh_token, token.access_token),
        transport=_transport,
        refresh_token=token.refresh_token,
    )


def revoke(profile: Profile, credentials: Credentials, token: Token) -> None:
    """Invalidate the refresh token and its access token (v3 only; v2 has no revoke endpoint)."""
    if not profile.revoke_endpoint or not token.refresh_token:
        return
    body = {"client_id": credentials.client_id, "refresh_token": token.refresh_token}
    if credentials.client_secret:
        body["client_secret"] = credentials.client_secret
    try:
        with httpx.Client(timeout=_TIMEOUT) as http:
            response = http.post(profile.revoke_endpoint, data=body)
    except httpx.HTTPError as exc:
        raise AuthorizationError(f"Could not reach Lightspeed to revoke the token ({type(exc).__name__}).",
                                 error="network_error") from None
    if response.status_code >= 400:
        error, description = oauth_error(json_object(response.content), (token.refresh_token, token.access_token,
                                                                           credentials.client_secret))
        detail = f": {description or error}" if description or error else ""
        raise AuthorizationError(f"Lightspeed refused to revoke the token (HTTP {response.status_code}){detail}.",
                                 error=error or f"http_{response.status_code}")


@contextmanager
def _client(
    credentials: Credentials,
    transport: httpx.BaseTransport | None,
    on_response: Callable[[httpx.Response], None],
) -> Iterator[OAuth2Client]:
    # No scope, no redirect_uri: authlib would add them to token requests (see the design's known pitfalls).
    method = "client_secret_post" if credentials.client_secret else "none"
    client = OAuth2Client(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        token_endpoint_auth_method=method,
        timeout=_TIMEOUT,
        transport=transport,
        event_hooks={"response": [on_response]},
    )
    try:
        yield client
    finally:
        client.close()


class _TooLarge(Exception):
    """Raised from the response hook: the answer went past _MAX_BODY. Carries its status and first bytes."""

    def __init__(self, status: int, head: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.head = head


def _read_capped(response: httpx.Response) -> None:
    """Read the body now, decoded, but no more than _MAX_BODY bytes of it (a gzip bomb counts at its real size)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > _MAX_BODY:
            raise _TooLarge(response.status_code, b"".join(chunks)[:65536])
    # What response.read() itself stores; the client, and authlib after it, then read the body from here.
    response._content = b"".join(chunks)


def _token_request(
    profile: Profile,
    credentials: Credentials,
    *,
    kind: str,
    pending: PendingAuthorization | None,
    previous: Token | None,
    hide: Iterable[str | None],
    transport: httpx.BaseTransport | None,
    **params: Any,
) -> Token:
    url = profile.token_endpoint
    hide = (*hide, credentials.client_secret)
    answers: list[httpx.Response] = []

    def capture(response: httpx.Response) -> None:
        answers.append(response)
        _read_capped(response)

    with _client(credentials, transport, capture) as client:
        call = client.fetch_token if kind == "exchange" else client.refresh_token
        try:
            call(url, **params)
        except _TooLarge as exc:
            raise AuthorizationError(
                f"Lightspeed's token endpoint answered HTTP {exc.status} with more than {_MAX_BODY // 1024} KiB, "
                f"where a token answer is a few KiB. {quote_start(exc.head, hide)} {_advice(0, kind)}",
                error="invalid_response" if 200 <= exc.status < 300 else f"http_{exc.status}",
            ) from None
        except httpx.DecodingError:
            status = answers[-1].status_code if answers else 0
            raise AuthorizationError(
                f"Lightspeed's token endpoint answered HTTP {status} with a body that cannot be decoded (its "
                f"Content-Encoding does not match it). {_advice(0, kind)}",
                error="invalid_response",
            ) from None
        except httpx.TransportError as exc:
            raise AuthorizationError(
                f"Could not reach Lightspeed's token endpoint at {url} ({type(exc).__name__}). Check the network "
                "connection (and LS_WIDGET_AUTH_URL if you set it).",
                error="network_error",
            ) from None
        except Exception as exc:
            # authlib or httpx refused the answer its own way (HTTPStatusError, OAuthError, ValueError,
            # OverflowError, TypeError...). The captured answer says what it was, the same way every time.
            if not answers:
                raise AuthorizationError(
                    f"Could not send the token request to {url} ({type(exc).__name__}). Check LS_WIDGET_AUTH_URL if "
                    "you set it, then try again.",
                    error="network_error",
                ) from None
    return _token_from_answer(answers[-1], kind=kind, profile=profile, pending=pending, previous=previous, hide=hide)


def _token_from_answer(
    response: httpx.Response,
    *,
    kind: str,
    profile: Profile,
    pending: PendingAuthorization | None,
    previous: Token | None,
    hide: Iterable[str | None],
) -> Token:
    """The token in a captured answer, or an AuthorizationError with its status, its first characters and advice."""
    status = response.status_code
    body = response.content
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
        where = printable(redact(response.headers.get("location", ""), hide), 100) if 300 <= status < 400 else ""
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
