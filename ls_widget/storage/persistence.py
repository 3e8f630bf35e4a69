"""Where secrets are kept: inside the 0600 record files (the default), or in the system keyring when asked.

A ``Persistence`` loads, saves and deletes one secret by key (msal-extensions' idea); ``store.RecordStore`` puts a
record's secret fields (a client's secret, a sign-in's refresh token) in one and leaves a marker in the file.

The keyring is the operating system's (macOS Keychain, Windows Credential Locker, Secret Service on Linux), through
the ``keyring`` package (extra ``ls-widget[keyring]``), imported only when a secret goes to or comes from it. It is
used for new writes only when ``LS_WIDGET_SECRETS=keyring``; a secret already there is read from it whatever the
setting, so switching either way loses nothing, and the next write of each record moves its secret where the
setting says.
"""

from __future__ import annotations

import os
from typing import Protocol

from ..errors import ConfigurationError

SECRETS_ENV = "LS_WIDGET_SECRETS"
MODES = ("file", "keyring")
# The keyring "service" every ls_widget secret is filed under (what Keychain Access or Seahorse shows).
SERVICE = "ls_widget"
INSTALL_HINT = "pip install 'ls-widget[keyring]'"


class SecretUnavailable(Exception):
    """The keyring could not be used. ``reason`` says why, never holding a secret; ``store`` words the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Persistence(Protocol):
    """Secrets by key. ``load`` answers ``None`` for a key that holds nothing; every method raises
    ``SecretUnavailable`` when the place that holds them cannot be reached."""

    service: str  # the name its secrets are filed under, written into a record's marker

    def describe(self, key: str) -> str: ...

    def load(self, key: str) -> str | None: ...

    def save(self, key: str, secret: str) -> None: ...

    def delete(self, key: str) -> None: ...


class KeyringPersistence:
    """Secrets in the system keyring, one entry per key under the service ``ls_widget``."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def describe(self, key: str) -> str:
        return f"the system keyring (service {self.service!r}, entry {key!r})"

    def load(self, key: str) -> str | None:
        return self._call("read", lambda backend: backend.get_password(self.service, key))

    def save(self, key: str, secret: str) -> None:
        self._call("write", lambda backend: backend.set_password(self.service, key, secret))

    def delete(self, key: str) -> None:
        from keyring.errors import PasswordDeleteError

        def delete(backend) -> None:
            try:
                backend.delete_password(self.service, key)
            except PasswordDeleteError:  # nothing stored under it: nothing to do
                pass

        self._call("delete", delete)

    def check_writable(self) -> None:
        """``SecretUnavailable`` unless the keyring is one fit for secrets (see ``_backend``)."""
        self._backend(for_writing=True)

    def _call(self, verb: str, action):
        backend = self._backend(for_writing=verb != "read")
        try:
            return action(backend)
        # A keyring backend is a plugin talking to an OS service (D-Bus, Keychain, Credential Manager): it raises
        # keyring's errors, its own library's, or an OSError. Whatever it is becomes the one typed failure, named by
        # its class only (a backend's message could quote what it was given).
        except Exception as exc:  # noqa: BLE001
            detail = str(exc) if _is_keyring_error(exc) else ""
            raise SecretUnavailable(
                f"{type(backend).__name__} could not {verb} it ({type(exc).__name__}{': ' + detail if detail else ''})"
            ) from None

    @staticmethod
    def _backend(*, for_writing: bool):
        try:
            import keyring
            from keyring.backends import fail, null
        except ImportError:
            raise SecretUnavailable(f"the keyring package is not installed ({INSTALL_HINT})") from None
        try:
            backend = keyring.get_keyring()
        except Exception as exc:  # noqa: BLE001  (a broken keyringrc.cfg, a backend that fails to load)
            raise SecretUnavailable(f"the keyring package could not load a backend ({type(exc).__name__})") from None
        if isinstance(backend, (fail.Keyring, null.Keyring)):
            raise SecretUnavailable(
                "no keyring backend is available (on Linux: a Secret Service such as GNOME Keyring or KeePassXC, "
                "running and unlocked)"
            )
        # keyring also finds backends it does not recommend (keyrings.alt's files, priority below 1) whenever they
        # are installed; secrets go there only when the user chose one explicitly.
        if for_writing and not (keyring.core.recommended(backend) or _configured_explicitly()):
            raise SecretUnavailable(
                f"the only keyring backend found, {type(backend).__name__}, is one the keyring package does not "
                "recommend; choose it explicitly (PYTHON_KEYRING_BACKEND, or keyring's keyringrc.cfg) to use it"
            )
        return backend


def mode() -> str:
    """Where new secrets go: ``"file"`` (the default) or ``"keyring"``, from ``LS_WIDGET_SECRETS``."""
    value = os.environ.get(SECRETS_ENV, "").strip().lower() or "file"
    if value not in MODES:
        raise ConfigurationError(
            f"{SECRETS_ENV} must be 'file' (secrets in 0600 files, the default) or 'keyring' (secrets in the system "
            f"keyring), not {os.environ[SECRETS_ENV]!r}."
        )
    return value


def for_writing() -> KeyringPersistence | None:
    """Where secrets written now go: a keyring ``Persistence``, or ``None`` for inside the record file."""
    return KeyringPersistence() if mode() == "keyring" else None


def for_reading() -> KeyringPersistence:
    """Where a secret a record marks as kept elsewhere is read from (and deleted from when it moves back)."""
    return KeyringPersistence()


def _is_keyring_error(exc: Exception) -> bool:
    try:
        from keyring.errors import KeyringError
    except ImportError:
        return False
    return isinstance(exc, KeyringError)


def _configured_explicitly() -> bool:
    import keyring.core

    try:
        return keyring.core.load_env() is not None or keyring.core.load_config() is not None
    except Exception:  # noqa: BLE001  (a configuration that does not load is no explicit choice)
        return False
