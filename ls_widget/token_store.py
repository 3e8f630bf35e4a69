"""The token store: one 0600 file per connection, the single source of truth for its tokens.

Lightspeed's refresh tokens are single-use and rotate on every refresh: two workers that refresh with the same
stored token break the chain until the merchant signs in again. So nothing in memory keeps a token of its own: a
session reads the stored token before each request (one ``stat`` when nothing changed), a refresh happens only under
a lock (a thread lock plus a file lock, for other processes), re-reads the stored token first (someone else may have
refreshed already), and writes the new pair atomically *before* anyone uses the new access token.

With ``LS_WIDGET_SECRETS=keyring`` the refresh token lives in the system keyring and the file points at it (see
``store.RecordStore.write``): a refresh writes the keyring entry and the file under the same lock, each refresh token
under a new entry that the file names only once it is in place, so the file always names a live refresh token.
The access token stays in the file: it lives an hour, is read before every request, and Lightspeed's JWTs can be
longer than Windows' Credential Locker holds (2.5 KB).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock

from .errors import AuthorizationError, StoreError
from .store import HOME_ENV, RecordStore, private_dir
from .tokens import Token

TOKENS = RecordStore("tokens", "connection", "delete it and sign in again", secret_fields=("refresh_token",))
# Refresh this long before expiry (at most; see refresh_margin), so a request never starts with a token about to lapse.
REFRESH_MARGIN = 300.0


class TokenStore:
    """The stored token of one connection (``tokens/<name>.json``): the single source of truth for its tokens.

    Objects in memory never keep a token of their own: they ask ``current()`` before every use, which re-reads the
    file whenever it changed (another kernel may have refreshed), and every refresh happens in ``refresh()``, under
    the lock, from what is stored at that moment.
    """

    # One thread lock per file, shared by every TokenStore of that file in this process.
    _thread_locks: dict[Path, threading.RLock] = {}
    _registry_lock = threading.Lock()

    def __init__(self, connection_name: str) -> None:
        self._name = TOKENS.name(connection_name)
        self.path = TOKENS.path(self._name)
        with self._registry_lock:
            self._thread_lock = self._thread_locks.setdefault(self.path, threading.RLock())
        self._file_lock: FileLock | None = None
        self._cached: tuple[tuple[int, int, int], Token] | None = None

    @property
    def name(self) -> str:
        return self._name

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the token file's lock (threads of this process and other processes) for a read-modify-write."""
        with self._thread_lock:
            if self._file_lock is None:
                # The lock file sits beside the tokens; creating it is a write, so only writers get here.
                private_dir(TOKENS.kind)
                self._file_lock = FileLock(self._lock_path, mode=0o600)
            while True:
                try:
                    self._file_lock.acquire()
                except OSError as exc:
                    raise StoreError(
                        f"Could not lock {self.path} to update the sign-in ({exc.strerror or exc}). Check that "
                        f"{self.path.parent} is writable (or point {HOME_ENV} elsewhere).", self.path
                    ) from None
                # A holder that deleted the sign-in removed the lock file too (see _remove_lock_file): a lock taken
                # on that unlinked file guards nothing, so take the one at the path now.
                if self._file_lock.lock_counter > 1 or os.path.exists(self._lock_path):
                    break  # (held already by this thread: the file it locked is the one that counts)
                self._file_lock.release()
            try:
                yield
            finally:
                self._file_lock.release()

    @property
    def _lock_path(self) -> str:
        return str(self.path) + ".lock"

    def _remove_lock_file(self) -> None:
        """Remove the lock file of a sign-in that is gone; only while holding its lock (``locked()``).

        Waiters on the removed file notice (it no longer has a name) and lock the path afresh, so nobody is ever
        left holding a lock the next comer does not see. Nothing depends on it being removed: a failure is ignored.
        """
        try:
            os.unlink(self._lock_path)
        except OSError:
            pass

    def load(self) -> Token | None:
        """The stored token, read from disk now (``None`` when this connection has no stored sign-in)."""
        try:
            signature = self._signature()
        except FileNotFoundError:
            self._cached = None
            return None
        record = TOKENS.read(self._name)
        if record is None:
            self._cached = None
            return None
        try:
            token = Token.from_record(record)
        except ValueError as exc:
            raise StoreError(
                f"The stored sign-in {self.path} is damaged ({exc}). Delete the file and sign in again with "
                "'Save and authorize'.", self.path
            ) from None
        self._cached = (signature, token)
        return token

    def current(self) -> Token | None:
        """The stored token, re-read only when the file changed since the last read (one ``stat`` otherwise)."""
        try:
            signature = self._signature()
        except FileNotFoundError:
            self._cached = None
            return None
        if self._cached is not None and self._cached[0] == signature:
            return self._cached[1]
        return self.load()

    def save(self, token: Token) -> None:
        """Store a token from a new sign-in (refreshes go through ``refresh``)."""
        with self.locked():
            TOKENS.write(self._name, token.to_record())
        self._cached = None

    def delete(self) -> None:
        """Delete the stored sign-in, and its lock file with it (nothing of the connection's sign-in stays behind)."""
        with self.locked():
            TOKENS.delete(self._name)  # and the refresh token's keyring entry, if it has one
            self._remove_lock_file()
        self._cached = None

    def refresh(self, stale: Token, do_refresh: Callable[[Token], Token], *, margin: float, force: bool = False) -> Token:
        """Replace ``stale`` with a fresh token, refreshing at most once however many threads/processes ask.

        Under the lock the stored token is read again: if another worker refreshed meanwhile, its token is used.
        ``force`` is for a 401: the server rejected ``stale`` whatever its expiry says. A refreshed token is
        written before anyone uses it; if it cannot be written, it is not used either (Lightspeed retires the old
        refresh token only once the new access token is used, so the stored sign-in stays valid).
        """
        with self.locked():
            current = self.load()
            if current is None:
                raise AuthorizationError(
                    "This connection was signed out: its stored sign-in is gone (Disconnect in another notebook, "
                    "or the file was deleted). Sign in again with 'Save and authorize'.", error="not_authorized"
                )
            someone_refreshed = current.access_token != stale.access_token
            if someone_refreshed or not (force or current.expires_within(margin)):
                return current
            fresh = do_refresh(current)
            try:
                TOKENS.write(self._name, fresh.to_record())  # under the lock: keyring entry and file together
            except StoreError as exc:
                raise StoreError(
                    f"Lightspeed issued new tokens but they could not be saved: {exc} The previous sign-in is "
                    "still valid; fix the problem and run the cell again.", self.path
                ) from None
            self._cached = None
            return fresh

    def move_to(self, new_name: str) -> "TokenStore":
        """Move the stored sign-in to ``new_name`` (atomic rename, under both files' locks)."""
        target = TokenStore(new_name)
        with self.locked(), target.locked():
            if target.path.exists():
                raise StoreError(f"{target.path} already holds a sign-in: pick another name.", target.path)
            try:
                if self.path.exists():
                    os.replace(self.path, target.path)
            except OSError as exc:
                raise StoreError(f"Could not move {self.path} to {target.path} ({exc.strerror or exc}).",
                                 self.path) from None
            self._remove_lock_file()  # the old name holds nothing any more
        self._cached = None
        return target

    def _signature(self) -> tuple[int, int, int]:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreError(f"Could not read {self.path} ({exc.strerror or exc}).", self.path) from None
        return (info.st_mtime_ns, info.st_size, info.st_ino)


def refresh_margin(token: Token, *, ahead: bool = True) -> float:
    """How long before expiry a token is refreshed.

    Five minutes, but never more than half the token's lifetime: a short-lived token would otherwise be refreshed on
    every request (and Lightspeed caps refreshes at 5 a minute). With ``ahead=False`` (the legacy v2 server, which
    answers an early refresh with the same token) it is refreshed only at expiry, or on a 401.
    """
    if not ahead:
        return 0.0
    return min(REFRESH_MARGIN, token.lifetime / 2)
