"""Lightspeed's OAuth 2.0 authorization-code flow with PKCE: the URL, the redirect, the token requests.

Rules from lightspeed-api.md section 1: the authorize URL carries ``response_type=code``, ``client_id``, the scopes
space-separated, ``state`` and an S256 ``code_challenge``, and no ``redirect_uri`` (the code goes to the URI registered
with the client). Token requests are form-encoded with the client credentials in the body and never a ``scope`` field
(the token endpoint answers that with ``invalid_grant``). authlib's OAuth2Client does the requests; it is built
without ``scope`` and ``redirect_uri`` for exactly that reason.

Nothing the token endpoint answers is believed unchecked: a captive portal, a proxy or a broken server can answer
anything. An httpx response hook captures the raw answer (reading at most _MAX_BODY bytes), and that answer, not
authlib's reading of it, becomes either a Token or an AuthorizationError giving the HTTP status, the start of the
answer (secrets blanked) and what to do. authlib's own parsing cannot be relied on for that: on some malformed answers
it raises ValueError, OverflowError or TypeError before anything can be checked.

Pasted redirect addresses are untrusted too: anything that is not a usable address is an AuthorizationError with
``error="invalid_request"``, and a redirect whose ``state`` is not this sign-in's is ``invalid_state``, even when it
carries an ``error``: a stale or foreign ``?error=access_denied`` cannot cancel the sign-in in progress.
"""

from __future__ import annotations

import json
import re
import secrets
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from .errors import AuthorizationError
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
# How many characters of an unexpected answer an error message quotes.
_EXCERPT = 200
# A pasted address longer than this is not a redirect from Lightspeed (its code and state are a few hundred
# characters); it is refused before any parsing, so a runaway paste costs nothing.
_MAX_PASTE = 64 * 1024
# An OAuth error code as servers send it ("invalid_grant"). Anything else is not trusted as ``.error``, which the
# panel compares against known codes.
_ERROR_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
# Values of these fields are blanked wherever they appear in an answer quoted in a message, JSON or form-encoded:
# "access_token": "...", refresh_token=..., "code": [...]. A quoted value may be cut off by the size limit.
_SECRET_FIELD = re.compile(
    r"""(?<![\w-])((?:access|refresh|id)_token|client_secret|code_verifier|code)(["']?\s*[:=]\s*)"""
    r"""("(?:[^"\\]|\\.)*"?|'[^']*'?|\[[^\]]*\]?|\{[^}]*\}?|[^\s&,;}\]"']+)""",
    re.IGNORECASE,
)
_HIDDEN = "[hidden]"


@dataclass(frozen=True)
class Credentials:
    """The client that signs in: the analyst's (v3) or the deployment's built-in one (v2)."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PendingAuthorization:
    """One started flow: what the redirect must match and what the token request must prove. Kernel memory only."""

    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    api_type: str
    client_id: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class RedirectResult:
    code: str | None = field(default=None, repr=False)
    state: str | None = field(default=None, repr=False)
    error: str | None = None
    error_description: str | None = None


def start_authorization(profile: Profile, credentials: Credentials, scopes) -> tuple[str, PendingAuthorization]:
    """A fresh ``state`` (256 bits) and PKCE verifier, and the authorize URL that carries them."""
    pending = PendingAuthorization(
        state=secrets.token_urlsafe(32),
        code_verifier=generate_token(64),  # 64 chars from [A-Za-z0-9]: within PKCE's 43..128 base64url rule
        api_type=profile.api_type,
        client_id=credentials.client_id,
        scopes=tuple(scopes),
    )
    query = {
        "response_type": "code",
        "client_id": credentials.client_id,
        "scope": " ".join(pending.scopes),
        "state": pending.state,
        "code_challenge": create_s256_code_challenge(pending.code_verifier),
        "code_challenge_method": "S256",
    }
    # %20 between scopes: Lightspeed's documented "+" decodes to the same space.
    return f"{profile.authorize_endpoint}?{urlencode(query, quote_via=quote)}", pending


def parse_redirect(redirected: str) -> RedirectResult:
    """Read ``code``/``state`` or ``error`` from the address the browser was sent to (or just its query).

    Whatever it is given, it returns a RedirectResult or raises AuthorizationError with ``error="invalid_request"``.
    Messages never repeat the address (it holds the code).
    """
    if not isinstance(redirected, str):
        raise AuthorizationError(
            f"The redirected address must be text, not {type(redirected).__name__}: paste the whole address from the "
            "browser's address bar after approving (it starts with https://).",
            error="invalid_request",
        )
    if len(redirected) > _MAX_PASTE:
        raise AuthorizationError(
            f"That paste is {len(redirected)} characters long, far more than the address Lightspeed sends you to: "
            "copy only the address from the browser's address bar (it starts with https:// and contains '?code=').",
            error="invalid_request",
        )
    # Quotes or angle brackets come along when an address is copied from a message or a log.
    text = redirected.strip().strip("\"'<>").strip()
    if not text:
        raise AuthorizationError(
            "Paste the whole address from the browser's address bar after approving (it starts with https://).",
            error="invalid_request",
        )
    try:
        query = urlsplit(text).query if "://" in text or text.startswith("/") else text.lstrip("?")
        params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
    except ValueError:  # urlsplit refuses e.g. a malformed IPv6 host or a host that Unicode-normalizes to "/"
        raise AuthorizationError(
            "That is not a web address that can be read: copy the address from the browser's address bar again "
            "(it starts with https:// and contains '?code=').",
            error="invalid_request",
        ) from None
    if not params.get("code") and not params.get("error"):
        raise AuthorizationError(
            "That address has no authorization code: copy the address of the page Lightspeed sent you to after you "
            "clicked 'Authorize application' (it contains '?code=').",
            error="invalid_request",
        )
    return RedirectResult(
        code=params.get("code") or None,
        state=params.get("state") or None,
        error=params.get("error") or None,
        error_description=params.get("error_description") or None,
    )


def check_redirect(result: RedirectResult, pending: PendingAuthorization | None) -> str:
    """The code, once the redirect is known to answer ``pending``; otherwise an AuthorizationError.

    ``state`` is checked first, for an ``error`` redirect too: only the sign-in that asked can be refused.
    """
    if pending is None:
        raise AuthorizationError(
            "No sign-in is in progress: click 'Save and authorize' (or call authorization_url()) first.",
            error="invalid_request",
        )
    if not _same_state(getattr(result, "state", None), pending.state):
        raise AuthorizationError(
            "This redirect does not belong to the sign-in started here (its state does not match). Start again with "
            "'Save and authorize' and use the address from that sign-in only.",
            error="invalid_state",
        )
    error = getattr(result, "error", None)
    if error:
        code = error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else "authorization_failed"
        raise AuthorizationError(_callback_error_message(result), error=code)
    code = getattr(result, "code", None)
    if not isinstance(code, str) or not code.strip():
        raise AuthorizationError(
            "This redirect carries no authorization code: copy the address of the page Lightspeed sent you to after "
            "you clicked 'Authorize application' (it contains '?code=').",
            error="invalid_request",
        )
    if not code.isprintable():
        # Control characters or a lone surrogate (not printable either) are never in Lightspeed's codes, and a lone
        # surrogate cannot even be form-encoded: the address was damaged on the way.
        raise AuthorizationError(
            "The code in that address is damaged (it holds characters a Lightspeed code never has): copy the whole "
            "address from the browser's address bar again.",
            error="invalid_request",
        )
    return code


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
        error, description = _oauth_error(_json_object(response.content), (token.refresh_token, token.access_token,
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
                f"where a token answer is a few KiB. {_began(exc.head, hide)} {_advice(0, kind)}",
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
    data = _json_object(body)
    if data is not None:  # the new tokens, whatever their shape, are blanked in messages too
        hide = (*hide, *(data.get(key) for key in ("access_token", "refresh_token", "id_token")))
    if data is not None and data.get("error") not in (None, ""):
        error, description = _oauth_error(data, hide)
        if error:
            raise AuthorizationError(_token_error_message(error, description, kind, profile, pending, status),
                                     error=error)
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status} with a malformed OAuth error. {_began(body, hide)} "
            f"{_advice(status, kind)}",
            error="invalid_response" if 200 <= status < 300 else f"http_{status}",
        )
    if not 200 <= status < 300:
        where = _printable(_redact(response.headers.get("location", ""), hide), 100) if 300 <= status < 400 else ""
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status}{' (to ' + where + ')' if where else ''}. "
            f"{_began(body, hide)} {_advice(status, kind)}",
            error=f"http_{status}",
        )
    if data is None:
        what = "a web page" if body.lstrip()[:1] == b"<" else "something that is not a JSON object"
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status}, but with {what} instead of a token. "
            f"{_began(body, hide)} {_advice(0, kind)}",
            error="invalid_response",
        )
    try:
        return Token.from_response(data, previous=previous)
    except AuthorizationError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered HTTP {status}, but the token cannot be used: {problem}. "
            f"{_began(body, hide)} {_advice(0, kind)}",
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


def _callback_error_message(result: RedirectResult) -> str:
    error = getattr(result, "error", None)
    description = getattr(result, "error_description", None)
    detail = f" ({_printable(description)})" if isinstance(description, str) and description.strip() else ""
    if error == "access_denied":
        return f"Access was denied in Lightspeed{detail}. Click 'Save and authorize' again and choose 'Authorize application'."
    if error == "invalid_scope":
        return f"Lightspeed refused the requested scopes{detail}. Adjust them with 'Edit scopes'."
    if error == "invalid_client":
        return f"Lightspeed does not know this OAuth 2.0 client{detail}. Check its client ID in 'Edit OAuth 2.0 client'."
    shown = _printable(error) if isinstance(error, str) else type(error).__name__
    return f"Lightspeed's sign-in failed: {shown}{detail}. Click 'Save and authorize' to try again."


def _same_state(received: Any, expected: str) -> bool:
    """Constant-time comparison of UTF-8 bytes: compare_digest refuses non-ASCII text, and a paste may hold any."""
    if not isinstance(received, str) or not received:
        return False
    # surrogatepass: a lone surrogate (possible in text that came through JSON) must not make encoding fail.
    return secrets.compare_digest(received.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` (not JSON, not an object, not UTF-8, or absurdly nested)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _oauth_error(data: dict[str, Any] | None, hide: Iterable[str | None]) -> tuple[str, str]:
    """A well-formed OAuth ``error`` code (else "") and its printable description (``error_description``, Lightspeed's
    ``hint`` or ``message``), with secrets blanked."""
    if data is None:
        return "", ""
    error = data.get("error")
    error = error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else ""
    for key in ("error_description", "hint", "message"):
        description = data.get(key)
        if isinstance(description, str) and description.strip():
            return error, _printable(_redact(description[:_MAX_PASTE], hide))
    return error, ""


def _began(body: bytes, hide: Iterable[str | None]) -> str:
    """How a message shows an unexpected answer: its first characters, printable, with every secret blanked."""
    text = _printable(_redact(body.decode("utf-8", "replace"), hide))
    return f'The answer began: "{text}".' if text else "The answer was empty."


def _redact(text: str, hide: Iterable[str | None]) -> str:
    # Blanked in the whole text before it is cut, so a secret cannot survive half-cut at the end of the excerpt.
    text = _SECRET_FIELD.sub(lambda match: f"{match.group(1)}{match.group(2)}{_HIDDEN}", text)
    variants = set()
    for secret in hide:
        if isinstance(secret, str) and len(secret) >= 4:  # shorter is no secret, and blanking it would garble the text
            variants.update({secret, quote(secret, safe="", errors="surrogatepass"), json.dumps(secret)[1:-1]})
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, _HIDDEN)
    return text


def _printable(text: str, limit: int = _EXCERPT) -> str:
    """At most ``limit`` characters, whitespace runs collapsed and control characters shown as spaces."""
    head = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4])
    head = " ".join(head.split())
    return head if len(head) <= limit and len(text) <= limit * 4 else head[:limit] + "…"
