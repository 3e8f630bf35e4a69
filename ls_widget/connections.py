"""Saved connections: the form's settings by name (``connections/<name>.json``), never a secret.

The tokens of a connection live beside it in the token store (``tokens/<name>.json``); together they let
``LightspeedConnection.load(name)`` reopen a connection without signing in again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import store
from .errors import ConfigurationError

_KIND = "connections"


@dataclass
class ConnectionRecord:
    name: str
    api_type: str = "v3"
    scopes: list[str] = field(default_factory=list)
    oauth_client: str | None = None
    capture_mode: str = "auto"
    account_id: str = ""
    account_name: str = ""

    def path(self):
        return store.record_path(_KIND, self.name)

    def save(self) -> None:
        store.write_json(self.path(), asdict(self))

    @classmethod
    def load(cls, name: str) -> "ConnectionRecord":
        data = store.read_record(_KIND, name)
        if data is None:
            saved = ", ".join(repr(n) for n in saved_connections()) or "none yet"
            raise ConfigurationError(
                f"No saved connection named {name!r} (saved: {saved}). Connections are saved by 'Save and "
                f"authorize' or conn.save()."
            )
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)

    @staticmethod
    def delete(name: str) -> None:
        store.record_path(_KIND, name).unlink(missing_ok=True)


def saved_connections() -> list[str]:
    """Names of the saved connections, sorted."""
    return store.record_names(_KIND)
