"""Lightspeed's OAuth 2.0 authorization-code flow with PKCE, on the browser's side: the URL and the redirect.

The authorize URL carries ``response_type=code``, ``client_id``, the scopes space-separated, ``state`` and an S256
``code_challenge``, and no ``redirect_uri`` (the code goes to the URI registered with the client). The token
requests that follow are ``token_endpoint``'s job.

Pasted redirect addresses are untrusted: anything that is not a usable address is an AuthorizationError with
``error="invalid_request"``, and a redirect whose ``state`` is not this sign-in's is ``invalid_state``, even when it
carries an ``error``: a stale or foreign ``?error=access_denied`` cannot cancel the sign-in in progress.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from .answers import ERROR_CODE, MAX_PASTE, printable
from .credentials import Credentials
from .errors import AuthorizationError
from .profiles import Profile


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
        code_verifier=secrets.token_urlsafe(48),  # 48 random bytes: 64 base64url characters, within PKCE's 43..128
        api_type=profile.api_type,
        client_id=credentials.client_id,
        scopes=tuple(scopes),
    )
    query = {
        "response_type": "code",
        "client_id": credentials.client_id,
        "scope": " ".join(pending.scopes),
        "state": pending.state,
        "code_challenge": s256_challenge(pending.code_verifier),
        "code_challenge_method": "S256",
    }
    # %20 between scopes: Lightspeed's documented "+" decodes to the same space.
    return f"{profile.authorize_endpoint}?{urlencode(query, quote_via=quote)}", pending


def s256_challenge(code_verifier: str) -> str:
    """RFC 7636's S256 ``code_challenge``: the unpadded base64url SHA-256 of the (ASCII) verifier."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


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
    if len(redirected) > MAX_PASTE:
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
        code = error if isinstance(error, str) and ERROR_CODE.fullmatch(error) else "authorization_failed"
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


def _callback_error_message(result: RedirectResult) -> str:
    error = getattr(result, "error", None)
    description = getattr(result, "error_description", None)
    detail = f" ({printable(description)})" if isinstance(description, str) and description.strip() else ""
    if error == "access_denied":
        return f"Access was denied in Lightspeed{detail}. Click 'Save and authorize' again and choose 'Authorize application'."
    if error == "invalid_scope":
        return f"Lightspeed refused the requested scopes{detail}. Adjust them with 'Edit scopes'."
    if error == "invalid_client":
        return f"Lightspeed does not know this OAuth 2.0 client{detail}. Check its client ID in 'Edit OAuth 2.0 client'."
    shown = printable(error) if isinstance(error, str) else type(error).__name__
    return f"Lightspeed's sign-in failed: {shown}{detail}. Click 'Save and authorize' to try again."


def _same_state(received: Any, expected: str) -> bool:
    """Constant-time comparison of UTF-8 bytes: compare_digest refuses non-ASCII text, and a paste may hold any."""
    if not isinstance(received, str) or not received:
        return False
    # surrogatepass: a lone surrogate (possible in text that came through JSON) must not make encoding fail.
    return secrets.compare_digest(received.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))
