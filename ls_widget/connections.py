"""Saved connections: the form's settings by name (``connections/<name>.json``), never a secret.

The tokens of a connection live beside it in the token store (``tokens/<name>.json``); together they let
``LightspeedConnection.load(name)`` reopen a connection without signing in again. A saved file that is broken raises
``StoreError`` naming the file and what to do; ``saved_connections()`` still lists it with the others.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import ConfigurationError
from .profiles import PROFILES
from .store import RecordStore

CONNECTIONS = RecordStore("connections", "connection", "delete it and save the connection again")
# The panel's capture modes (its `capture_mode` trait): a record must hold one the panel accepts.
CAPTURE_MODES = ("auto", "jupyter", "paste")


@dataclass
class ConnectionRecord:
    name: str
    api_type: str = "v3"
    scopes: list[str] = field(default_factory=list)
    oauth_client: str | None = None
    capture_mode: str = "auto"
    account_id: str = ""
    account_name: str = ""
    # What the last sync did: {"at": ISO time, "resources": [...], "destination": ..., "pages": n}; shown by
    # `ls-widget connections` and the panel. Informational only: the sync's own state lives with the data.
    last_sync: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # One normalisation for every stored name: "  Downtown " and "Downtown" are the same connection.
        self.name = CONNECTIONS.name(self.name)

    def path(self):
        return CONNECTIONS.path(self.name)

    def save(self, *, replacing: str | None = None) -> None:
        """Save these settings; ``ConfigurationError`` for a new name that clashes in case with a saved one,
        ``StoreError`` when the disk refuses. ``replacing``: the name this record is being renamed from, which
        may differ from it only in case (the caller deletes it afterwards)."""
        check_new_name(self.name, replacing=replacing)
        CONNECTIONS.write(self.name, asdict(self))

    @classmethod
    def load(cls, name: str) -> "ConnectionRecord":
        return CONNECTIONS.load(name, _from_record, _not_found)

    @staticmethod
    def delete(name: str) -> None:
        CONNECTIONS.delete(name)


def saved_connections() -> list[str]:
    """Names of the saved connections, sorted."""
    return CONNECTIONS.names()


def check_new_name(name: str, *, replacing: str | None = None) -> str:
    """``name`` normalised, or ``ConfigurationError`` when it cannot be saved: invalid, or new and differing from a
    saved connection only in upper/lower case (Windows and macOS would keep both, and their tokens, in one file).
    A clash with ``replacing`` (the connection being renamed to ``name``) is allowed.

    Call it before signing in, not only when saving: the sign-in stores tokens under the name first.
    """
    name = CONNECTIONS.name(name)
    other = CONNECTIONS.conflict(name)
    if other is not None and not _same_name(other, replacing):
        raise ConfigurationError(
            f"A connection named {other!r} is already saved, and {name!r} differs from it only in upper/lower "
            f"case: Windows and macOS would store both in one file. Open {other!r}, or pick another name."
        )
    return name


def _same_name(stored: str, other: str | None) -> bool:
    try:
        return other is not None and CONNECTIONS.name(other) == stored
    except ConfigurationError:
        return False


# What each field of a saved record must be; a hand-edited or damaged file is caught here, not deep in the panel.
def _is_text(value: Any) -> bool:
    return isinstance(value, str)


_CHECKS = {
    "api_type": (lambda v: v in PROFILES, "one of " + ", ".join(repr(k) for k in PROFILES)),
    "scopes": (lambda v: isinstance(v, list) and all(_is_text(s) for s in v), "a list of scope ids"),
    "oauth_client": (lambda v: v is None or _is_text(v), "a client name or null"),
    "capture_mode": (lambda v: v in CAPTURE_MODES, "one of " + ", ".join(repr(m) for m in CAPTURE_MODES)),
    "account_id": (_is_text, "text"),
    "account_name": (_is_text, "text"),
    "last_sync": (lambda v: isinstance(v, dict), "an object"),
}


def _not_found(name: str) -> ConfigurationError:
    saved = ", ".join(repr(n) for n in saved_connections()) or "none yet"
    return ConfigurationError(
        f"No saved connection named {name!r} (saved: {saved}). Connections are saved by 'Save and authorize' or "
        f"conn.save()."
    )


def _from_record(data: dict[str, Any], name: str) -> ConnectionRecord:
    """The record a saved file describes. Missing fields take their defaults (older files); unknown ones are ignored
    (newer versions); a field of the wrong kind is a ``StoreError``."""
    fields: dict[str, Any] = {"name": CONNECTIONS.stored_name(name, data)}
    for key, (valid, expected) in _CHECKS.items():
        if key not in data:
            continue
        value = data[key]
        try:
            ok = valid(value)
        except TypeError:  # e.g. an unhashable value tested against a tuple
            ok = False
        if not ok:
            raise CONNECTIONS.broken(name, f"its {key!r} is {_describe(value)}, not {expected}")
        fields[key] = value
    return ConnectionRecord(**fields)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
