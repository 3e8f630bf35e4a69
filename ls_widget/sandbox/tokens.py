"""Access and refresh tokens: issue, refresh, revoke, and check them on API requests.

Lightspeed v3 (the 2024 server; docs/lightspeed-api.md sections 1.6-1.8):
- the access token is an RS256 JWT with ``jti iss aud sub acct scope iat nbf exp`` (floats for the times), about an
  hour; the token response has no ``scope`` and no account ID;
- refresh tokens rotate on every refresh. The access token issued with the presented refresh token dies at once
  (2024.07.31, breaking). The presented refresh token stays usable, so a lost response can be retried and gets a
  fresh pair, until an access token issued from it authenticates an API request; then it is revoked (deferred
  revocation, 2026.01.15). UNCONFIRMED detail: pairs issued by such retries stay valid side by side; only the
  documented revocations happen;
- at most 5 refresh attempts per minute per connection (a connection = the chain of tokens from one authorization).
  Lightspeed documents the cap, not its answer: the sandbox answers 429 with ``Retry-After`` (seconds) and
  ``{"error": "too_many_requests", ...}`` (UNCONFIRMED). Attempts are counted when the refresh token is known;
- refresh tokens unused for 30 days expire; ``/auth/oauth/revoke`` kills a refresh token and its access token.

Lightspeed v2 (the legacy server): opaque 40-hex tokens, ``token_type`` "bearer", ``expires_in`` 1800, ``scope`` in
the response including the ``systemuserid:{employeeID}`` pseudo-scope. A refresh returns the same access token while
it is still valid (Pipedream #9252), with the seconds it has left; the refresh token does not rotate and is left out
of the refresh response (UNCONFIRMED: the legacy documentation showed none), and it does not expire.
"""

from __future__ import annotations

import math
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from .clock import Clock
from .config import SandboxOptions
from .errors import OAuthError
from .signing import Signer

MISSING_HEADER = 'Missing "Authorization" header'
NOT_VERIFIED = "Access token could not be verified"
REVOKED = "Access token has been revoked"


@dataclass
class Grant:
    """One connection: what an authorization granted, shared by every token descended from it."""

    profile: str
    client_id: str
    account_id: str
    employee_id: str
    scopes: tuple
    refresh_attempts: deque = field(default_factory=deque)


@dataclass
class AccessToken:
    value: str
    grant: Grant
    issued_at: float
    expires_at: float
    parent: "RefreshToken | None" = None  # the refresh token spent to get this one (deferred revocation)
    revoked: bool = False


@dataclass
class RefreshToken:
    value: str
    grant: Grant
    access: AccessToken
    last_used: float
    revoked: bool = False


class AuthFailure(Exception):
    """An API request whose bearer token does not authenticate; ``hint`` goes into the 401 body."""

    def __init__(self, hint: str, client_id: str | None = None) -> None:
        super().__init__(hint)
        self.hint = hint
        self.client_id = client_id


class TokenService:
    def __init__(self, clock: Clock, options: SandboxOptions, signer: Signer, issuer: Callable[[], str]) -> None:
        self._clock = clock
        self._options = options
        self._signer = signer
        self._issuer = issuer
        self._access: dict[str, AccessToken] = {}  # by the token itself
        self._refresh: dict[str, RefreshToken] = {}

    # -- issuing -------------------------------------------------------------------------------------------------
    def issue(self, profile: str, client_id: str, account_id: str, employee_id: str, scopes: tuple) -> dict:
        grant = Grant(profile, client_id, account_id, employee_id, tuple(scopes))
        access, refresh = self._new_pair(grant, parent=None)
        return self._response(access, refresh)

    def refresh(self, profile: str, client_id: str, value: str | None) -> dict:
        if not value:
            raise OAuthError("invalid_request", "Check the `refresh_token` parameter")
        token = self._refresh.get(value)
        if token is None or token.grant.profile != profile:
            raise OAuthError("invalid_grant", "Cannot decrypt the refresh token")
        if profile == "v3":
            self._count_attempt(token.grant)
        if token.grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Token is not linked to client")
        if token.revoked:
            raise OAuthError("invalid_grant", "Token has been revoked")
        now = self._clock.time()
        if profile == "v2":
            current = token.access
            if not current.revoked and current.expires_at > now:
                token.last_used = now
                return self._response(current, None)
            current.revoked = True
            token.access = self._new_access(token.grant, parent=None)
            token.last_used = now
            return self._response(token.access, None)
        if now - token.last_used > self._options.refresh_token_idle_lifetime:
            raise OAuthError("invalid_grant", "Token has expired")
        token.access.revoked = True  # the access token issued with this refresh token dies at the refresh
        token.last_used = now
        access, refresh = self._new_pair(token.grant, parent=token)
        return self._response(access, refresh)

    def revoke(self, client_id: str, value: str | None) -> None:
        """RFC 7009 style: an unknown token is not an error (the caller's goal, a dead token, is met)."""
        if not value:
            raise OAuthError("invalid_request", "Check the `refresh_token` parameter")
        token = self._refresh.get(value)
        if token is None:
            return
        if token.grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Token is not linked to client")
        token.revoked = True
        token.access.revoked = True

    # -- checking API requests -------------------------------------------------------------------------------------
    def authenticate(self, authorization: str | None, use: bool = True) -> AccessToken:
        """The access token behind an ``Authorization`` header, or ``AuthFailure``. ``use=False`` only looks (the
        debugging introspection endpoint), without counting as the token's first use."""
        if not authorization:
            raise AuthFailure(MISSING_HEADER)
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            raise AuthFailure(NOT_VERIFIED)
        token = self._find(value)
        if token is None:
            raise AuthFailure(NOT_VERIFIED)
        client_id = token.grant.client_id
        if token.revoked:
            raise AuthFailure(REVOKED, client_id)
        if token.expires_at <= self._clock.time():
            raise AuthFailure(NOT_VERIFIED, client_id)
        if use and token.parent is not None and not token.parent.revoked:
            token.parent.revoked = True  # deferred revocation of the refresh token spent to get this one
        return token

    # -- fault injection ---------------------------------------------------------------------------------------------
    def expire_access_tokens(self) -> int:
        now = self._clock.time()
        live = [t for t in self._access.values() if t.expires_at > now]
        for token in live:
            token.expires_at = now
        return len(live)

    def revoke_refresh_tokens(self) -> int:
        live = [t for t in self._refresh.values() if not t.revoked]
        for token in live:
            token.revoked = True
        return len(live)

    # -- internals -----------------------------------------------------------------------------------------------
    def _find(self, value: str) -> AccessToken | None:
        # Every token the sandbox accepts was issued here, so looking the exact string up is a complete check of
        # its signature too: a forged or altered JWT is simply not in the table.
        return self._access.get(value)

    def _new_pair(self, grant: Grant, parent: RefreshToken | None) -> tuple:
        access = self._new_access(grant, parent)
        if grant.profile == "v3":
            value = "def50200" + secrets.token_hex(320)  # the new server's long, variable-looking tokens
        else:
            value = secrets.token_hex(20)
        refresh = RefreshToken(value, grant, access, last_used=self._clock.time())
        self._refresh[value] = refresh
        return access, refresh

    def _new_access(self, grant: Grant, parent: RefreshToken | None) -> AccessToken:
        now = self._clock.time()
        if grant.profile == "v2":
            value = secrets.token_hex(20)
            token = AccessToken(value, grant, now, now + self._options.v2_access_token_lifetime, parent)
        else:
            expires = now + self._options.access_token_lifetime
            value = self._signer.sign({
                "jti": secrets.token_hex(40), "iss": self._issuer(), "aud": grant.client_id,
                "sub": grant.employee_id, "acct": grant.account_id, "scope": " ".join(grant.scopes),
                "iat": now, "nbf": now, "exp": expires,
            })
            token = AccessToken(value, grant, now, expires, parent)
        self._access[value] = token
        return token

    def _response(self, access: AccessToken, refresh: RefreshToken | None) -> dict:
        seconds_left = max(0, round(access.expires_at - self._clock.time()))
        if access.grant.profile == "v3":
            return {"token_type": "Bearer", "expires_in": seconds_left, "access_token": access.value,
                    "refresh_token": refresh.value}
        body = {"access_token": access.value, "expires_in": seconds_left, "token_type": "bearer",
                "scope": " ".join((*access.grant.scopes, f"systemuserid:{access.grant.employee_id}"))}
        if refresh is not None:
            body["refresh_token"] = refresh.value
        return body

    def _count_attempt(self, grant: Grant) -> None:
        now = self._clock.monotonic()
        attempts = grant.refresh_attempts
        while attempts and attempts[0] <= now - 60:
            attempts.popleft()
        if len(attempts) >= self._options.refresh_attempts_per_minute:
            wait = max(1, math.ceil(attempts[0] + 60 - now))
            raise OAuthError("too_many_requests", f"At most {self._options.refresh_attempts_per_minute} refresh "
                             f"token grant attempts per minute per connection; retry in {wait} s.", status=429,
                             headers={"Retry-After": str(wait)})
        attempts.append(now)
