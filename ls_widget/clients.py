"""OAuth 2.0 clients: the client ID and secret an analyst registered at Lightspeed, stored by name.

A client is saved as ``clients/<name>.json`` under the store's home, 0600. The secret is held in a private attribute,
left out of ``repr`` and of every message, and read only by the OAuth code that sends it to Lightspeed's token endpoint.
"""

from __future__ import annotations

import logging
import re

from . import store
from .errors import ClientNotFoundError, ConfigurationError

log = logging.getLogger(__name__)

_KIND = "clients"
_MAX_NAME = 100
# Lightspeed's client IDs are long hex strings; anything printable without whitespace is accepted so that other
# formats (and the sandbox's) keep working, but a pasted line break or space is caught.
_CLIENT_ID = re.compile(r"^[!-~]{1,512}$")


class OAuthClient:
    """An OAuth 2.0 client registered at Lightspeed (``client_secret`` may be omitted for public PKCE clients)."""

    __slots__ = ("name", "client_id", "_client_secret")

    def __init__(self, name: str, client_id: str, client_secret: str | None = None) -> None:
        self.name = validate_name(name)
        self.client_id = validate_client_id(client_id)
        if client_secret is not None and not isinstance(client_secret, str):
            raise ConfigurationError("The client secret must be text.")
        self._client_secret = (client_secret or "").strip() or None

    @property
    def client_secret(self) -> str | None:
        return self._client_secret

    @property
    def has_secret(self) -> bool:
        return self._client_secret is not None

    def save(self) -> "OAuthClient":
        """Store (or replace) this client under its name; returns ``self``."""
        record = {"name": self.name, "client_id": self.client_id, "client_secret": self._client_secret}
        store.write_json(store.record_path(_KIND, self.name), record)
        return self

    @classmethod
    def load(cls, name: str) -> "OAuthClient":
        record = store.read_record(_KIND, name)
        if record is None:
            known = ", ".join(repr(n) for n in oauth_clients()) or "none yet"
            raise ClientNotFoundError(
                f"No stored OAuth 2.0 client named {name!r} (stored: {known}). Add it in the panel with "
                f"'Add OAuth 2.0 client', or in Python with OAuthClient(name, client_id, client_secret).save()."
            )
        return cls(record["name"], record["client_id"], record.get("client_secret"))

    @staticmethod
    def delete(name: str) -> None:
        store.record_path(_KIND, name).unlink(missing_ok=True)

    def __repr__(self) -> str:
        secret = "set" if self.has_secret else "none"
        return f"OAuthClient(name={self.name!r}, client_id={self.client_id!r}, client_secret=<{secret}>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OAuthClient):
            return NotImplemented
        return (self.name, self.client_id, self._client_secret) == (other.name, other.client_id, other._client_secret)

    __hash__ = None  # mutable-looking value object; never used as a key


def oauth_clients() -> list[str]:
    """Names of the stored OAuth 2.0 clients, sorted."""
    return store.record_names(_KIND)


def validate_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError("Give the OAuth 2.0 client a name, e.g. 'Reporting notebook'.")
    name = name.strip()
    if len(name) > _MAX_NAME:
        raise ConfigurationError(f"The client name is too long: keep it under {_MAX_NAME} characters.")
    if any(ord(ch) < 32 for ch in name):
        raise ConfigurationError("The client name cannot contain control characters or line breaks.")
    return name


def validate_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not client_id.strip():
        raise ConfigurationError(
            "Enter the client ID Lightspeed gave you when you registered the client "
            "at https://cloud.lightspeedapp.com/oauth/register.php."
        )
    client_id = client_id.strip()
    if not _CLIENT_ID.match(client_id):
        raise ConfigurationError("The client ID cannot contain spaces or line breaks: copy it again from Lightspeed.")
    return client_id


# -- the panel's client dialog ------------------------------------------------------------------------------
class DialogError(ConfigurationError):
    """A problem with one field of the panel's client dialog."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def client_from_dialog(content: dict, previous: str | None) -> OAuthClient:
    """Build the client the dialog describes; an empty secret while editing keeps the stored one."""
    name, client_id, secret = (content.get(key) for key in ("name", "client_id", "client_secret"))
    try:
        name = validate_name(name)
    except ConfigurationError as exc:
        raise DialogError("name", str(exc)) from None
    try:
        client_id = validate_client_id(client_id)
    except ConfigurationError as exc:
        raise DialogError("client_id", str(exc)) from None
    if name != previous and name in oauth_clients():
        raise DialogError("name", f"A client named {name!r} already exists: pick another name, or edit that one.")
    if not isinstance(secret, str):
        secret = None
    if previous and not (secret or "").strip():
        try:
            secret = OAuthClient.load(previous).client_secret
        except ClientNotFoundError:
            secret = None
    return OAuthClient(name, client_id, secret)


def error_field(exc: ConfigurationError) -> str | None:
    return getattr(exc, "field", None)


def client_summaries() -> list[dict]:
    """What the panel may know about each stored client: never the secret, only whether one is set."""
    summaries = []
    for name in oauth_clients():
        try:
            client = OAuthClient.load(name)
        except (OSError, ValueError, KeyError):
            log.warning("ls_widget: skipped an unreadable stored OAuth client %r", name)
            continue
        summaries.append({"name": client.name, "client_id": client.client_id, "has_secret": client.has_secret})
    return summaries
