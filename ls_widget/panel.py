"""``LightspeedConnection``: the connection panel (an anywidget) and its Python half.

The synced traits are the public state a notebook can set in code or the analyst can click together; both sides
always agree because every change, whichever side makes it, goes through the validators below. Secrets never become
traits: the client secret arrives from the panel's dialog as a one-way custom message and goes straight to the
0600 client store.

Messages from the panel (``model.send``):
- ``{"type": "save_client", "name", "client_id", "client_secret", "previous_name"}``: add or edit a stored client.
  Answered with ``{"type": "client_saved", "name"}`` or ``{"type": "client_error", "field", "message"}``.
- ``{"type": "refresh_clients"}``: reload the list of stored clients (another panel or cell may have added one).
- ``{"type": "authorize"}``: "Save and authorize" was clicked.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import profiles
from .clients import OAuthClient, oauth_clients, validate_client_id, validate_name
from .errors import ClientNotFoundError, ConfigurationError

log = logging.getLogger(__name__)

_STATIC = Path(__file__).parent / "static"
_STATUSES = ("draft", "authorizing", "connected", "error")
V2_CLIENT_ID_ENV = "LS_WIDGET_V2_CLIENT_ID"
V2_CLIENT_SECRET_ENV = "LS_WIDGET_V2_CLIENT_SECRET"
_MAX_NAME = 100


class LightspeedConnection(anywidget.AnyWidget):
    """A Lightspeed Retail (R-Series) connection form that renders in Jupyter.

    ``LightspeedConnection(name="Store reports", api_type="v3", scopes=["employee:inventory_read"],
    oauth_client="My client")`` sets it up in code; every field can also be filled in the panel.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    name = t.Unicode("", help="The connection's name, e.g. 'Downtown store reports'.").tag(sync=True)
    api_type = t.Enum(tuple(profiles.PROFILES), default_value="v3", help="'v3' (current API) or 'v2' (legacy).").tag(
        sync=True
    )
    scopes = t.List(t.Unicode(), help="Scope ids from the API type's catalog.").tag(sync=True)
    oauth_client = t.Any(None, allow_none=True, help="Name of the stored OAuth 2.0 client (v3 only).").tag(sync=True)
    status = t.Enum(_STATUSES, default_value="draft", read_only=True).tag(sync=True)
    error = t.Unicode("", read_only=True).tag(sync=True)
    redirect_uri = t.Unicode("", help="The redirect URI to register at Lightspeed (filled in by the panel).").tag(
        sync=True
    )
    capture_mode = t.Enum(("auto", "jupyter", "paste"), default_value="auto").tag(sync=True)
    account_id = t.Unicode("", read_only=True).tag(sync=True)
    account_name = t.Unicode("", read_only=True).tag(sync=True)

    # Panel plumbing: what it needs to draw, and what Python has to say about the form.
    _profiles = t.Dict().tag(sync=True)
    _clients = t.List(t.Dict()).tag(sync=True)
    _field_errors = t.Dict().tag(sync=True)
    _notice = t.Unicode("").tag(sync=True)
    _auth_host_loopback = t.Bool(False).tag(sync=True)

    def __init__(
        self,
        name: str = "",
        api_type: str = "v3",
        scopes: Any = (),
        oauth_client: str | OAuthClient | None = None,
    ) -> None:
        super().__init__(
            name=name,
            api_type=api_type,
            scopes=list(scopes),
            oauth_client=oauth_client,
            _profiles=profiles.panel_catalog(),
            _clients=_client_summaries(),
        )
        self._auth_host_loopback = self.profile.auth_host_is_loopback
        self.on_msg(self._on_panel_message)

    # -- public helpers -------------------------------------------------------------------------------------------
    @property
    def profile(self) -> profiles.Profile:
        return profiles.get_profile(self.api_type)

    def validation_errors(self) -> dict[str, str]:
        """Per-field problems that stop "Save and authorize", keyed by trait name (empty when all is well)."""
        errors: dict[str, str] = {}
        if not self.name.strip():
            errors["name"] = "Name your connection, e.g. 'Downtown store reports'."
        elif len(self.name) > _MAX_NAME:
            errors["name"] = f"Keep the name under {_MAX_NAME} characters."
        if not self.scopes:
            errors["scopes"] = "Choose at least one scope with 'Edit scopes'."
        if self.profile.client_source == "user":
            if not self.oauth_client:
                errors["oauth_client"] = "Choose an OAuth 2.0 client, or add one with 'Add OAuth 2.0 client'."
            elif self.oauth_client not in oauth_clients():
                errors["oauth_client"] = f"The OAuth 2.0 client {self.oauth_client!r} is no longer stored: add it again."
        elif not os.environ.get(V2_CLIENT_ID_ENV):
            errors["api_type"] = (
                f"Lightspeed v2 signs in with this deployment's built-in client, and none is set: set the environment "
                f"variables {V2_CLIENT_ID_ENV} and {V2_CLIENT_SECRET_ENV} before starting Jupyter, or choose Lightspeed v3."
            )
        return errors

    def __repr__(self) -> str:
        return (
            f"LightspeedConnection(name={self.name!r}, api_type={self.api_type!r}, scopes={list(self.scopes)!r}, "
            f"oauth_client={self.oauth_client!r}, status={self.status!r})"
        )

    def set_state(self, sync_data):
        """Apply an update from the panel; a value Python rejects is sent back so both sides agree again."""
        try:
            super().set_state(sync_data)
        except t.TraitError as exc:
            self._notice = str(exc)
            self.send_state(key=[name for name in sync_data if name in self.keys])

    # -- validation: every change, from Python or from the panel, passes here --------------------------------------
    @t.validate("scopes")
    def _check_scopes(self, proposal):
        chosen = list(dict.fromkeys(proposal["value"]))  # drop repeats, keep the analyst's order
        unknown = self.profile.unknown_scopes(chosen)
        if unknown:
            raise t.TraitError(
                f"{', '.join(unknown)} {'is not a' if len(unknown) == 1 else 'are not'} {self.profile.label} "
                f"scope{'' if len(unknown) == 1 else 's'}. Valid scopes: {', '.join(self.profile.scopes)}."
            )
        return chosen

    @t.validate("oauth_client")
    def _check_oauth_client(self, proposal):
        value = proposal["value"]
        if value is None or value == "":
            return None
        if isinstance(value, OAuthClient):
            # Passing a client object means "use this one": make sure the flow can find it in the store.
            value.save()
            self._clients = _client_summaries()
            return value.name
        if not isinstance(value, str):
            raise t.TraitError("oauth_client must be the name of a stored OAuth 2.0 client, an OAuthClient, or None.")
        if value not in oauth_clients():
            stored = ", ".join(repr(n) for n in oauth_clients()) or "none yet"
            raise t.TraitError(
                f"No stored OAuth 2.0 client named {value!r} (stored: {stored}). Add it with 'Add OAuth 2.0 client' "
                f"in the panel, or OAuthClient(name, client_id, client_secret).save()."
            )
        return value

    @t.observe("api_type")
    def _on_api_type(self, change) -> None:
        profile = self.profile
        self._auth_host_loopback = profile.auth_host_is_loopback
        dropped = profile.unknown_scopes(self.scopes)
        if dropped:
            self.scopes = [scope for scope in self.scopes if scope not in dropped]
            self._notice = f"{profile.label} does not offer {', '.join(dropped)}; removed from the chosen scopes."
        self._field_errors = {k: v for k, v in self._field_errors.items() if k not in ("scopes", "api_type")}

    @t.observe("name", "scopes", "oauth_client")
    def _clear_fixed_errors(self, change) -> None:
        # An error under a field goes away as soon as that field changes; "Save and authorize" re-checks everything.
        if change["name"] in self._field_errors:
            self._field_errors = {k: v for k, v in self._field_errors.items() if k != change["name"]}

    # -- messages from the panel ---------------------------------------------------------------------------------
    def _on_panel_message(self, _widget, content: Any, _buffers) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler = {
            "save_client": self._save_client_from_panel,
            "refresh_clients": self._refresh_clients,
            "authorize": self._authorize_from_panel,
        }.get(kind)
        if handler is None:
            log.warning("ls_widget: ignored a panel message of unknown type %r", kind)
            return
        handler(content)

    def _refresh_clients(self, _content: dict | None = None) -> None:
        self._clients = _client_summaries()

    def _save_client_from_panel(self, content: dict) -> None:
        previous = content.get("previous_name") or None
        try:
            client = _client_from_dialog(content, previous)
        except ConfigurationError as exc:
            self.send({"type": "client_error", "field": _field_of(exc), "message": str(exc)})
            return
        client.save()
        if previous and previous != client.name:
            OAuthClient.delete(previous)
        self._clients = _client_summaries()
        self.oauth_client = client.name
        self.send({"type": "client_saved", "name": client.name})

    def _authorize_from_panel(self, _content: dict) -> None:
        errors = self.validation_errors()
        self._field_errors = errors
        if errors:
            count = len(errors)
            self.set_trait("error", f"Fix {count} field{'' if count == 1 else 's'} before authorizing.")
            return
        self.set_trait("error", "")
        self._begin_authorization()

    def _begin_authorization(self) -> None:
        """The seam where the OAuth flow starts (state + PKCE, popup, capture); the form is valid when called."""
        self._notice = (
            "The form is complete. Signing in to Lightspeed from the panel is not available in this version of "
            "ls_widget yet."
        )


class _DialogError(ConfigurationError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _client_from_dialog(content: dict, previous: str | None) -> OAuthClient:
    """Build the client the dialog describes; an empty secret while editing keeps the stored one."""
    name, client_id, secret = (content.get(key) for key in ("name", "client_id", "client_secret"))
    try:
        name = validate_name(name)
    except ConfigurationError as exc:
        raise _DialogError("name", str(exc)) from None
    try:
        client_id = validate_client_id(client_id)
    except ConfigurationError as exc:
        raise _DialogError("client_id", str(exc)) from None
    if name != previous and name in oauth_clients():
        raise _DialogError("name", f"A client named {name!r} already exists: pick another name, or edit that one.")
    if not isinstance(secret, str):
        secret = None
    if previous and not (secret or "").strip():
        try:
            secret = OAuthClient.load(previous).client_secret
        except ClientNotFoundError:
            secret = None
    return OAuthClient(name, client_id, secret)


def _field_of(exc: ConfigurationError) -> str | None:
    return getattr(exc, "field", None)


def _client_summaries() -> list[dict]:
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
