"""``LightspeedConnection``: the connection panel (an anywidget) and its Python half.

The synced traits are the public state a notebook can set in code or the analyst can click together; both sides
always agree because every change, whichever side makes it, goes through the validators below. Secrets never become
traits: the client secret arrives from the panel's dialog as a one-way custom message and goes straight to the
0600 client store.

The messages the panel sends and their answers are handled in ``panel_messages``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import flow, profiles
from .clients import OAuthClient, client_summaries, oauth_clients
from .connections import ConnectionRecord
from .errors import ConfigurationError, LightspeedError, NotConnectedError
from .oauth import Credentials, PendingAuthorization, revoke
from .panel_messages import PanelMessages
from .session import LightspeedSession
from .tokens import Token, TokenStore

_STATIC = Path(__file__).parent / "static"
_STATUSES = ("draft", "authorizing", "connected", "error")
_MAX_NAME = 100


class LightspeedConnection(PanelMessages, anywidget.AnyWidget):
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
    _granted_scopes = t.List(t.Unicode()).tag(sync=True)
    _expires_at = t.Float(0.0).tag(sync=True)  # epoch seconds of the access token's expiry, for the panel

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
            _clients=client_summaries(),
        )
        self._auth_host_loopback = self.profile.auth_host_is_loopback
        # The flow's secrets stay in kernel memory: never traits, never in the notebook.
        self._pending: PendingAuthorization | None = None
        self._pending_credentials: Credentials | None = None
        self._credentials: Credentials | None = None
        self._token: Token | None = None
        self._session: LightspeedSession | None = None
        self.on_msg(self._on_panel_message)

    # -- the OAuth flow ------------------------------------------------------------------------------------------
    def authorization_url(self) -> str:
        """Start a fresh sign-in (new state and PKCE verifier) and return the Lightspeed URL to open."""
        problems = self.validation_errors()
        if problems:
            raise ConfigurationError(" ".join(problems.values()))
        credentials = flow.credentials_for(self.profile, self.oauth_client)
        url, self._pending = flow.begin(self.profile, credentials, self.scopes)
        self._pending_credentials = credentials
        self.set_trait("error", "")
        self.set_trait("status", "authorizing")
        return url

    def complete_authorization(self, redirected_url: str) -> LightspeedSession:
        """Finish the sign-in from the address Lightspeed redirected to; returns the ready session."""
        self._complete(redirected_url=redirected_url)
        return self.session

    @property
    def session(self) -> LightspeedSession:
        """The ready ``LightspeedSession`` once connected."""
        if self.status != "connected" or self._token is None or self._credentials is None:
            reason = f" The last attempt failed: {self.error}" if self.status == "error" and self.error else ""
            raise NotConnectedError(
                "Not connected yet: click 'Save and authorize' in the panel, finish signing in to Lightspeed, then "
                "run this cell again (a running cell cannot wait for the click)." + reason
            )
        if self._session is None:
            self._session = LightspeedSession(
                self.profile, self._credentials, TokenStore(self.name), self._token, self.account_id,
                self.account_name, on_signed_out=self._fail, on_token=self._show_token,
            )
        return self._session

    def save(self) -> "LightspeedConnection":
        """Save the settings (and the sign-in, when connected) under ``name``; reopen with ``load(name)``."""
        if not self.name.strip():
            raise ConfigurationError("Name the connection before saving it.")
        self._record().save()
        if self._token is not None:
            TokenStore(self.name).save(self._session.token if self._session else self._token)
        return self

    @classmethod
    def load(cls, name: str) -> "LightspeedConnection":
        """Reopen a saved connection; with a stored sign-in it is connected again (tokens refresh silently)."""
        record = ConnectionRecord.load(name)
        client = record.oauth_client if record.oauth_client in oauth_clients() else None
        conn = cls(name=record.name, api_type=record.api_type, scopes=record.scopes, oauth_client=client)
        conn.capture_mode = record.capture_mode
        tokens = TokenStore(record.name)
        if tokens.load() is None:
            return conn
        try:
            credentials = flow.credentials_for(conn.profile, client)
            token = flow.resume(conn.profile, credentials, tokens)
            # One Account.json request proves the sign-in still works (a merchant may have revoked it) and
            # picks up a renamed account; a dead token is refreshed on the way.
            account_id, account_name = flow.discover_account(conn.profile, credentials, tokens, token)
        except LightspeedError as exc:
            conn._fail(exc)
            return conn
        conn._connected(credentials, tokens.load() or token, account_id, account_name)
        return conn

    def disconnect(self) -> None:
        """Sign out: revoke the tokens at Lightspeed (v3) and delete them here. The settings stay saved."""
        token = self._session.token if self._session else self._token
        tokens = TokenStore(self.name)
        try:
            if token is not None and self._credentials is not None:
                revoke(self.profile, self._credentials, token)
        except LightspeedError as exc:
            self._notice = f"Deleted the local sign-in, but Lightspeed did not confirm the revocation: {exc}"
        finally:
            tokens.delete()
            self._reset_sign_in()

    def _complete(self, **redirect) -> None:
        pending, credentials = self._pending, self._pending_credentials
        try:
            if credentials is None:
                credentials = flow.credentials_for(self.profile, self.oauth_client)
            connected = flow.complete(self.profile, credentials, pending, TokenStore(self.name), **redirect)
        except LightspeedError as exc:
            retryable = pending is not None and getattr(exc, "error", None) in ("invalid_state", "invalid_request")
            if retryable:
                self.set_trait("error", str(exc))  # still "authorizing": the right address can still be pasted
            else:
                self._pending = None  # the code was spent or refused: this sign-in cannot be finished
                self._fail(exc)
            raise
        self._pending = None
        self._connected(credentials, connected.token, connected.account_id, connected.account_name)
        self._record().save()

    def _connected(self, credentials: Credentials, token: Token, account_id: str, account_name: str) -> None:
        if self._session is not None:
            self._session.close()
        self._credentials, self._token, self._session = credentials, token, None
        self.set_trait("account_id", account_id)
        self.set_trait("account_name", account_name)
        self._show_token(token)
        self.set_trait("error", "")
        self.set_trait("status", "connected")

    def _show_token(self, token: Token) -> None:
        """What the panel shows of a token: its scopes and expiry (called again after every refresh)."""
        self._granted_scopes = list(token.scopes)
        self._expires_at = token.expires_at

    def _fail(self, exc: Exception) -> None:
        self.set_trait("error", str(exc))
        self.set_trait("status", "error")

    def _record(self) -> ConnectionRecord:
        return ConnectionRecord(
            name=self.name.strip(), api_type=self.api_type, scopes=list(self.scopes), oauth_client=self.oauth_client,
            capture_mode=self.capture_mode, account_id=self.account_id, account_name=self.account_name,
        )

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
        else:
            try:
                ConnectionRecord(self.name.strip()).path()
            except ConfigurationError as exc:
                errors["name"] = str(exc)
        if not self.scopes:
            errors["scopes"] = "Choose at least one scope with 'Edit scopes'."
        if self.profile.client_source == "user":
            if not self.oauth_client:
                errors["oauth_client"] = "Choose an OAuth 2.0 client, or add one with 'Add OAuth 2.0 client'."
            elif self.oauth_client not in oauth_clients():
                errors["oauth_client"] = f"The OAuth 2.0 client {self.oauth_client!r} is no longer stored: add it again."
        else:
            try:
                flow.credentials_for(self.profile, None)  # the built-in client must be configured
            except ConfigurationError as exc:
                errors["api_type"] = str(exc)
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
            self._clients = client_summaries()
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
        self._notice = ""
        self._auth_host_loopback = profile.auth_host_is_loopback
        dropped = profile.unknown_scopes(self.scopes)
        if dropped:
            self.scopes = [scope for scope in self.scopes if scope not in dropped]
            self._notice = f"{profile.label} does not offer {', '.join(dropped)}; removed from the chosen scopes."
        self._field_errors = {k: v for k, v in self._field_errors.items() if k not in ("scopes", "api_type")}
        if not self._field_errors and self.status == "draft":
            self.set_trait("error", "")
        self._forget_sign_in("API type")

    @t.observe("name", "scopes", "oauth_client")
    def _clear_fixed_errors(self, change) -> None:
        # Messages about the form go away once the analyst acts on them; "Save and authorize" re-checks everything.
        self._notice = ""
        if change["name"] in self._field_errors:
            self._field_errors = {k: v for k, v in self._field_errors.items() if k != change["name"]}
        if not self._field_errors and self.status == "draft":
            self.set_trait("error", "")
        if change["name"] == "oauth_client":
            self._forget_sign_in("OAuth 2.0 client")

    def _forget_sign_in(self, what: str) -> None:
        """A sign-in belongs to the API type and client it was made with: after changing either, sign in again."""
        if getattr(self, "_token", None) is None and getattr(self, "_pending", None) is None:
            return  # nothing signed in (this also runs while __init__ sets the traits)
        self._reset_sign_in()
        change = f"The {what} changed: click 'Save and authorize' to sign in with it."
        self._notice = f"{self._notice} {change}".strip()

    def _reset_sign_in(self) -> None:
        """Back to a draft: no session, no token or pending sign-in in memory, no account shown."""
        if self._session is not None:
            self._session.close()
        self._session = self._token = self._credentials = self._pending = self._pending_credentials = None
        for trait, value in (("account_id", ""), ("account_name", ""), ("status", "draft"), ("error", "")):
            self.set_trait(trait, value)
        self._granted_scopes, self._expires_at = [], 0.0
