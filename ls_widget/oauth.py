"""Lightspeed's OAuth 2.0 authorization-code flow with PKCE: the URL, the redirect, the token requests.

Rules from lightspeed-api.md section 1: the authorize URL carries ``response_type=code``, ``client_id``, the scopes
space-separated, ``state`` and an S256 ``code_challenge``, and no ``redirect_uri`` (the code goes to the URI registered
with the client). Token requests are form-encoded with the client credentials in the body and never a ``scope`` field
(the token endpoint answers that with ``invalid_grant``). authlib's OAuth2Client does the requests; it is built
without ``scope`` and ``redirect_uri`` for exactly that reason.
"""

from __future__ import annotations

import secrets
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator
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
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.httpx_client import OAuth2Client

_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


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
    started_at: float


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
        started_at=time.time(),
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
    """Read ``code``/``state`` or ``error`` from the address the browser was sent to (or just its query)."""
    text = (redirected or "").strip()
    if not text:
        raise AuthorizationError(
            "Paste the whole address from the browser's address bar after approving (it starts with https://).",
            error="invalid_request",
        )
    query = urlsplit(text).query if "://" in text or text.startswith("/") else text.lstrip("?")
    params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
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
    """The code, once the redirect is known to answer ``pending``; otherwise an AuthorizationError."""
    if pending is None:
        raise AuthorizationError(
            "No sign-in is in progress: click 'Save and authorize' (or call authorization_url()) first.",
            error="invalid_request",
        )
    if result.error:
        raise AuthorizationError(_callback_error_message(result), error=result.error)
    if not result.state or not secrets.compare_digest(result.state, pending.state):
        raise AuthorizationError(
            "This redirect does not belong to the sign-in started here (its state does not match). Start again with "
            "'Save and authorize' and use the address from that sign-in only.",
            error="invalid_state",
        )
    return result.code or ""


def exchange_code(profile: Profile, credentials: Credentials, code: str, pending: PendingAuthorization) -> Token:
    """Trade the authorization code (and the PKCE verifier) for tokens."""
    with _client(credentials) as client:
        data = _token_request(
            client.fetch_token,
            profile.token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            context=("exchange", profile, pending),
        )
    return Token.from_response(data)


def refresh(profile: Profile, credentials: Credentials, token: Token) -> Token:
    """A new token pair from the refresh token (which Lightspeed then retires)."""
    if not token.refresh_token:
        raise AuthorizationError("This connection has no refresh token: sign in again.", error="invalid_grant")
    with _client(credentials) as client:
        data = _token_request(
            client.refresh_token,
            profile.token_endpoint,
            refresh_token=token.refresh_token,
            context=("refresh", profile, None),
        )
    return Token.from_response(data, previous=token)


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
    except httpx.TransportError as exc:
        raise AuthorizationError(f"Could not reach Lightspeed to revoke the token ({type(exc).__name__}).",
                                 error="network_error") from None
    if response.status_code >= 400:
        error, description = _error_fields(response)
        raise AuthorizationError(f"Lightspeed refused to revoke the token: {description or error}.", error=error)


@contextmanager
def _client(credentials: Credentials) -> Iterator[OAuth2Client]:
    # No scope, no redirect_uri: authlib would add them to token requests (see the design's known pitfalls).
    method = "client_secret_post" if credentials.client_secret else "none"
    client = OAuth2Client(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        token_endpoint_auth_method=method,
        timeout=_TIMEOUT,
    )
    try:
        yield client
    finally:
        client.close()


def _token_request(call, url: str, *, context, **params) -> dict:
    kind, profile, pending = context
    try:
        token = call(url, **params)
    except OAuthError as exc:
        error = exc.error or "invalid_request"
        raise AuthorizationError(_token_error_message(error, exc.description, kind, profile, pending), error=error) from None
    except httpx.HTTPStatusError as exc:
        error, description = _error_fields(exc.response)
        status = exc.response.status_code
        raise AuthorizationError(
            f"Lightspeed's token endpoint answered {status}{': ' + description if description else ''}. "
            + ("It is busy: wait a minute and try again." if status in (429, 502, 503, 504) else "Try again later."),
            error=error or f"http_{status}",
        ) from None
    except httpx.TransportError as exc:
        raise AuthorizationError(
            f"Could not reach Lightspeed's token endpoint at {url} ({type(exc).__name__}). Check the network "
            "connection (and LS_WIDGET_AUTH_URL if you set it).",
            error="network_error",
        ) from None
    if "access_token" not in token:
        raise AuthorizationError("Lightspeed's token endpoint answered without an access token.", error="invalid_response")
    return dict(token)


def _token_error_message(error: str, description: str | None, kind: str, profile: Profile, pending) -> str:
    detail = f" (Lightspeed says: {description})" if description else ""
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
    return f"Lightspeed's token endpoint answered {error}{detail}."


def _callback_error_message(result: RedirectResult) -> str:
    detail = f" ({result.error_description})" if result.error_description else ""
    if result.error == "access_denied":
        return f"Access was denied in Lightspeed{detail}. Click 'Save and authorize' again and choose 'Authorize application'."
    if result.error == "invalid_scope":
        return f"Lightspeed refused the requested scopes{detail}. Adjust them with 'Edit scopes'."
    if result.error == "invalid_client":
        return f"Lightspeed does not know this OAuth 2.0 client{detail}. Check its client ID in 'Edit OAuth 2.0 client'."
    return f"Lightspeed's sign-in failed: {result.error}{detail}."


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    error = str(body.get("error") or "")
    description = str(body.get("error_description") or body.get("hint") or body.get("message") or "")
    return error, description
