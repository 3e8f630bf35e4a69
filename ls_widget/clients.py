"""OAuth 2.0 clients: the client ID and secret an analyst registered at Lightspeed, stored by name.

A client is saved as ``clients/<name>.json`` under the store's home, 0600, its secret in that file or, with
``LS_WIDGET_SECRETS=keyring``, in the system keyring (see ``store``). In memory the secret is held in a private
attribute, left out of ``repr`` and of every message, and read only by the OAuth code that sends it to Lightspeed's
token endpoint.

A stored file that is broken (hand-edited, truncated, from a full disk) raises ``StoreError`` naming the file and
what to do, and never hides the other clients: ``read_client_summaries`` lists the good ones and the problems.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ClientNotFoundError, ConfigurationError, StoreError
from .names import normalize_name
from .store import RecordStore

_WHAT = "OAuth 2.0 client"
CLIENTS = RecordStore(
    "clients", _WHAT, "delete it and add the client again in the panel ('Add OAuth 2.0 client')",
    secret_fields=("client_secret",),
)
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
        """Store (or replace) this client under its name; returns ``self``.

        Refuses (``ConfigurationError``) a new name that differs from a stored one only in case: Windows and macOS
        would keep both in one file. Raises ``StoreError`` when the disk refuses the write.
        """
        other = CLIENTS.conflict(self.name)
        if other is not None:
            raise ConfigurationError(_case_conflict_message(self.name, other))
        CLIENTS.write(self.name, {"name": self.name, "client_id": self.client_id, "client_secret": self._client_secret})
        return self

    @classmethod
    def load(cls, name: str) -> "OAuthClient":
        return CLIENTS.load(name, _from_record, _not_found)

    @staticmethod
    def delete(name: str) -> None:
        CLIENTS.delete(name)

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
    return CLIENTS.names()


def validate_name(name: object) -> str:
    """The client's name, normalised like every stored name (see ``names.normalize_name``)."""
    return normalize_name(name, _WHAT)


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
    previous = _dialog_previous(previous)
    if name != previous:
        if name in oauth_clients():
            raise DialogError("name", f"A client named {name!r} already exists: pick another name, or edit that one.")
        other = CLIENTS.conflict(name)
        if other is not None:
            # Also when renaming "store" to "Store": the panel saves the new name and then deletes the old one,
            # which on Windows and macOS is the same file, so the client would be lost.
            raise DialogError("name", _case_conflict_message(name, other))
    if not isinstance(secret, str):
        secret = None
    if previous and not (secret or "").strip():
        try:
            secret = OAuthClient.load(previous).client_secret
        except ClientNotFoundError:
            secret = None
        except StoreError as exc:
            raise DialogError("client_secret", f"{exc} Or enter the client secret again here.") from None
    return OAuthClient(name, client_id, secret)


def _dialog_previous(previous: object) -> str | None:
    # The panel sends the name the dialog was opened for; anything that is not a valid name means "a new client".
    try:
        return normalize_name(previous, _WHAT) if previous else None
    except ConfigurationError:
        return None


def error_field(exc: ConfigurationError) -> str | None:
    return getattr(exc, "field", None)


def read_client_summaries() -> tuple[list[dict], list[StoreError]]:
    """What the panel may know about each stored client (never the secret, only whether one is set), and one
    ``StoreError`` per client that could not be read: a broken file never hides the others."""
    summaries: list[dict] = []
    problems: list[StoreError] = []
    try:
        stored = oauth_clients()
    except StoreError as exc:  # the clients directory itself cannot be read
        return summaries, [exc]
    for name in stored:
        try:
            found = CLIENTS.read_without_secrets(name)  # never the keyring: a list must not unlock it
            if found is None:
                continue  # deleted since it was listed
            record, held = found
            client = _from_record(record, name)
        except StoreError as exc:
            problems.append(exc)
            continue
        summaries.append({"name": client.name, "client_id": client.client_id,
                          "has_secret": "client_secret" in held})
    return summaries, problems


# -- reading a stored client ----------------------------------------------------------------------------------------
def _not_found(name: str) -> ClientNotFoundError:
    # The other stored names stay out of the message: it can end up in the panel's `error` (saved with the notebook)
    # or a cell's traceback (saved too), and those clients may belong to unrelated projects.
    return ClientNotFoundError(
        f"No stored OAuth 2.0 client named {name!r}. Add it in the panel with 'Add OAuth 2.0 client', or in Python "
        f"with OAuthClient(name, client_id, client_secret).save(); ls_widget.oauth_clients() lists the stored ones."
    )


def _from_record(record: dict[str, Any], name: str) -> OAuthClient:
    """The client a stored record describes; ``StoreError`` when the record is not one ``save()`` writes."""
    if "client_id" not in record:
        raise CLIENTS.broken(name, 'it has no "client_id"')
    client_id, secret = record["client_id"], record.get("client_secret")
    if not isinstance(client_id, str):
        raise CLIENTS.broken(name, 'its "client_id" is not text')
    if secret is not None and not isinstance(secret, str):
        raise CLIENTS.broken(name, 'its "client_secret" is not text')
    try:
        return OAuthClient(CLIENTS.stored_name(name, record), client_id, secret)
    except ConfigurationError as exc:  # the messages never hold the secret
        raise CLIENTS.broken(name, f"it does not hold a valid client ({exc})") from None


def _case_conflict_message(name: str, other: str) -> str:
    return (
        f"A client named {other!r} is already stored, and {name!r} differs from it only in upper/lower case: "
        f"Windows and macOS would store both in one file. Use {other!r}, or pick another name."
    )
