"""OAuth tokens and their store: one 0600 file per connection, refreshed single-flight across threads and processes.

Lightspeed's refresh tokens are single-use and rotate on every refresh (lightspeed-api.md 1.8): two workers that
refresh with the same stored token break the chain until the merchant signs in again. So a refresh happens only
under a lock (a thread lock plus a file lock, for other processes), re-reads the stored token first (someone else
may have refreshed already), and writes the new pair atomically *before* anyone uses the new access token.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock

from . import store

_KIND = "tokens"
# Refresh this long before expiry, so a request never starts with a token about to lapse.
REFRESH_MARGIN = 300.0


@dataclass(frozen=True)
class Token:
    """An access token with its refresh token. Prints without its secrets."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    token_type: str = "Bearer"
    scopes: tuple[str, ...] = ()
    account_id: str | None = None

    @classmethod
    def from_response(cls, data: dict[str, Any], now: float | None = None, previous: "Token | None" = None) -> "Token":
        """Build from a token-endpoint answer; v3 JWT claims (``acct``, ``scope``, ``exp``) fill in what it omits."""
        now = time.time() if now is None else now
        access = str(data["access_token"])
        claims = jwt_claims(access)
        scope_text = data.get("scope") or claims.get("scope") or claims.get("scopes") or ""
        scopes = tuple(s for s in str(scope_text).replace("+", " ").split() if not s.startswith("systemuserid:"))
        if data.get("expires_in") is not None:
            expires_at = now + float(data["expires_in"])
        elif claims.get("exp") is not None:
            expires_at = float(claims["exp"])
        else:
            expires_at = now + 1800.0  # the shortest lifetime Lightspeed has used; refresh early rather than late
        account = claims.get("acct")
        return cls(
            access_token=access,
            # A server that does not send a new refresh token keeps the old one valid.
            refresh_token=data.get("refresh_token") or (previous.refresh_token if previous else None),
            expires_at=expires_at,
            token_type=str(data.get("token_type") or "Bearer"),
            scopes=scopes or (previous.scopes if previous else ()),
            account_id=str(account) if account is not None else (previous.account_id if previous else None),
        )

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return (time.time() if now is None else now) + seconds >= self.expires_at

    def with_account(self, account_id: str) -> "Token":
        return replace(self, account_id=account_id)

    def to_record(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "token_type": self.token_type,
            "scopes": list(self.scopes),
            "account_id": self.account_id,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Token":
        return cls(
            access_token=record["access_token"],
            refresh_token=record.get("refresh_token"),
            expires_at=float(record["expires_at"]),
            token_type=record.get("token_type") or "Bearer",
            scopes=tuple(record.get("scopes") or ()),
            account_id=record.get("account_id"),
        )


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, *unverified*: read only for display and account discovery, never for trust.

    Opaque (v2) tokens and anything unreadable give ``{}``.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


class TokenStore:
    """The stored token of one connection (``tokens/<name>.json``)."""

    # One thread lock per file, shared by every TokenStore of that file in this process.
    _thread_locks: dict[Path, threading.RLock] = {}
    _registry_lock = threading.Lock()

    def __init__(self, connection_name: str) -> None:
        self._name = connection_name
        self.path = store.record_path(_KIND, connection_name)
        with self._registry_lock:
            self._thread_lock = self._thread_locks.setdefault(self.path, threading.RLock())
        self._file_lock = FileLock(str(self.path) + ".lock", mode=0o600)

    def load(self) -> Token | None:
        record = store.read_record(_KIND, self._name)
        return Token.from_record(record) if record is not None else None

    def save(self, token: Token) -> None:
        with self._thread_lock, self._file_lock:
            store.write_json(self.path, token.to_record())

    def delete(self) -> None:
        with self._thread_lock, self._file_lock:
            self.path.unlink(missing_ok=True)

    def refresh(self, stale: Token, do_refresh: Callable[[Token], Token], force: bool = False) -> Token:
        """Replace ``stale`` with a fresh token, refreshing at most once however many threads/processes ask.

        ``force`` is for a 401: the server rejected ``stale`` whatever its expiry says.
        """
        with self._thread_lock, self._file_lock:
            current = self.load() or stale
            someone_refreshed = current.access_token != stale.access_token
            if someone_refreshed and not current.expires_within(REFRESH_MARGIN):
                return current
            if not force and not current.expires_within(REFRESH_MARGIN):
                return current
            fresh = do_refresh(current)
            store.write_json(self.path, fresh.to_record())  # stored before anyone uses it
            return fresh
