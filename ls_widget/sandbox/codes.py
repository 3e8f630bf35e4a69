"""Authorization requests waiting on the consent page, and the codes they turn into.

Rules (docs/lightspeed-api.md sections 1.3 and 1.4):
- a code lives 60 seconds (the legacy v2 server: 30), is single use, and is bound to the client it was issued to and
  to the PKCE challenge that came with the authorization request;
- PKCE: ``code_challenge_method`` is ``S256`` or ``plain`` (``plain`` when the method is left out, as RFC 7636 says);
  the challenge and the verifier are 43-128 base64url characters; public clients must send a challenge;
- the legacy v2 server predates PKCE (added 2024-07-31 with the new server), so a v2 request's challenge is ignored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from .clock import Clock
from .errors import OAuthError

_PKCE_VALUE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
CONSENT_LIFETIME = 600.0  # how long the consent page may stay open before it has to be reloaded


@dataclass
class PendingAuthorization:
    request_id: str
    profile: str  # "v2" | "v3"
    client_id: str
    scopes: tuple
    state: str | None
    challenge: str | None
    method: str | None
    expires_at: float


@dataclass
class AuthorizationCode:
    code: str
    profile: str
    client_id: str
    account_id: str
    employee_id: str
    scopes: tuple
    challenge: str | None
    method: str | None
    expires_at: float
    used: bool = False


def check_challenge(profile: str, challenge: str | None, method: str | None, public: bool) -> tuple:
    """Validate the PKCE part of an authorization request; returns the (challenge, method) to bind to the code."""
    if profile == "v2":
        return None, None
    if not challenge:
        if public:
            raise OAuthError("invalid_request", "Code challenge must be provided for public clients")
        if method:
            raise OAuthError("invalid_request", "Check the `code_challenge` parameter")
        return None, None
    method = method or "plain"
    if method not in ("S256", "plain"):
        raise OAuthError("invalid_request", "Code challenge method must be one of `plain` or `S256`")
    if not _PKCE_VALUE.match(challenge):
        raise OAuthError("invalid_request", "Code challenge must follow the specifications of RFC-7636.")
    return challenge, method


class CodeStore:
    def __init__(self, clock: Clock, code_lifetime: float, v2_code_lifetime: float) -> None:
        self._clock = clock
        self._lifetimes = {"v3": code_lifetime, "v2": v2_code_lifetime}
        self._pending: dict[str, PendingAuthorization] = {}
        self._codes: dict[str, AuthorizationCode] = {}

    def hold(self, profile: str, client_id: str, scopes: tuple, state: str | None, challenge: str | None,
             method: str | None) -> PendingAuthorization:
        self._forget_old()
        pending = PendingAuthorization(secrets.token_urlsafe(24), profile, client_id, scopes, state, challenge,
                                       method, self._clock.time() + CONSENT_LIFETIME)
        self._pending[pending.request_id] = pending
        return pending

    def take(self, request_id: str) -> PendingAuthorization | None:
        """The pending request (once: a consent form cannot be submitted twice), or None."""
        pending = self._pending.pop(request_id or "", None)
        if pending is None or pending.expires_at <= self._clock.time():
            return None
        return pending

    def issue(self, pending: PendingAuthorization, account_id: str, employee_id: str) -> str:
        # The new server's codes look like its other encrypted payloads ("def502..."); the legacy ones were 40 hex.
        code = "def50200" + secrets.token_hex(160) if pending.profile == "v3" else secrets.token_hex(20)
        self._codes[code] = AuthorizationCode(
            code, pending.profile, pending.client_id, account_id, employee_id, pending.scopes, pending.challenge,
            pending.method, self._clock.time() + self._lifetimes[pending.profile])
        return code

    def redeem(self, profile: str, code: str | None, client_id: str, verifier: str | None) -> AuthorizationCode:
        """The code's grant, or the ``invalid_grant``/``invalid_request`` error Lightspeed gives."""
        if not code:
            raise OAuthError("invalid_request", "Check the `code` parameter")
        found = self._codes.get(code)
        if found is None or found.profile != profile:
            raise OAuthError("invalid_grant", "Cannot decrypt the authorization code")
        if found.used:
            raise OAuthError("invalid_grant", "Authorization code has been revoked")
        if found.expires_at <= self._clock.time():
            raise OAuthError("invalid_grant", "Authorization code has expired")
        if found.client_id != client_id:
            raise OAuthError("invalid_grant", "Authorization code was not issued to this client")
        if profile == "v3":
            _check_verifier(found, verifier)
        found.used = True
        return found

    def _forget_old(self) -> None:
        now = self._clock.time()
        for store in (self._pending, self._codes):
            for key in [k for k, v in store.items() if v.expires_at + 3600 < now]:
                del store[key]


def _check_verifier(code: AuthorizationCode, verifier: str | None) -> None:
    if code.challenge is None:
        if verifier:
            # No challenge was sent, so a verifier cannot be checked; accepting it would allow a PKCE downgrade.
            raise OAuthError("invalid_request", "Code verifier received when no code challenge is present")
        return
    if not verifier:
        raise OAuthError("invalid_request", "Check the `code_verifier` parameter")
    if not _PKCE_VALUE.match(verifier):
        raise OAuthError("invalid_request", "Code Verifier must follow the specifications of RFC-7636.")
    if code.method == "S256":
        expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    else:
        expected = verifier
    if not hmac.compare_digest(expected, code.challenge):
        raise OAuthError("invalid_grant", "Failed to verify `code_verifier`.")
