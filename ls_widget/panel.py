"""``LightspeedConnection``: the connection panel (an anywidget) and its Python half.

The synced traits are the public state a notebook can set in code or the analyst can click together; both sides
always agree because every change, whichever side makes it, goes through the validators below. Secrets never become
traits: the client secret arrives from the panel's dialog in a custom message and goes straight to the 0600 client
store.

The traits are also what a saved notebook keeps (the widget state in its metadata) and what a static HTML export
shows, so they hold only this panel's own choices: of the stored OAuth clients, only the chosen one's display data
(``_client``). The list of stored clients comes by request while a kernel is live (``panel_protocol``); the
messages are handled in ``panel_messages``.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import anywidget
import traitlets as t

from . import profiles
from .clients import OAuthClient, oauth_clients
from .connection import STATUSES, Connection, scope_list
from .connections import CAPTURE_MODES
from .errors import ConfigurationError, LightspeedError
from .panel_messages import PanelMessages
from .panel_sync import PanelSync, initial_state

if TYPE_CHECKING:  # httpx and the session load with the first request, not with the panel
    from .session import LightspeedSession

log = logging.getLogger("ls_widget")
_STATIC = Path(__file__).parent / "static"
# What only Python sets: the connection's state and the panel plumbing it computes. The browser may write the form's
# fields (and its acknowledgement `_seen_revision`); an update naming any of these is refused for those keys.
PYTHON_OWNED = ("status", "error", "account_id", "account_name", "_profiles", "_client", "_field_errors", "_notice",
                "_auth_host_loopback", "_granted_scopes", "_expires_at", "_last_sync", "_revision", "_sync")
# The public traits a marimo cell reads through `panel.value`: a change Python makes to one is echoed (see _revision).
_ECHOED = ("name", "api_type", "scopes", "oauth_client", "status", "error", "redirect_uri", "capture_mode",
           "account_id", "account_name")
FALLBACK_CLASS = "ls-saved-copy"  # the text shown where the panel cannot load; widget.css hides it where it does
# Called as ``listener(panel, authorization_url)`` whenever a panel starts a sign-in. The sandbox listens: it plays
# the step an analyst does once on Lightspeed's client page, registering the redirect URI the panel shows.
_sign_in_listeners: list[Callable[["LightspeedConnection", str], None]] = []


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
    status = t.Enum(STATUSES, default_value="draft", read_only=True).tag(sync=True)
    error = t.Unicode("", read_only=True).tag(sync=True)
    redirect_uri = t.Unicode("", help="The redirect URI to register at Lightspeed (filled in by the panel).").tag(
        sync=True
    )
    capture_mode = t.Enum(CAPTURE_MODES, default_value="auto").tag(sync=True)
    account_id = t.Unicode("", read_only=True).tag(sync=True)
    account_name = t.Unicode("", read_only=True).tag(sync=True)

    # Panel plumbing: what it needs to draw, and what Python has to say about the form.
    _profiles = t.Dict().tag(sync=True)
    # The chosen client's {name, client_id, has_secret}; None without one, and for API types with a built-in client.
    _client = t.Dict(None, allow_none=True).tag(sync=True)
    _field_errors = t.Dict().tag(sync=True)
    _notice = t.Unicode("").tag(sync=True)
    _auth_host_loopback = t.Bool(False).tag(sync=True)
    _granted_scopes = t.List(t.Unicode()).tag(sync=True)
    _expires_at = t.Float(0.0).tag(sync=True)  # epoch seconds of the access token's expiry, for the panel
    # When this connection last synced and which tables (never where: a destination may be a local path).
    _last_sync = t.Dict().tag(sync=True)
    # The Sync part (panel_sync.py): resources offered, a sync's progress, its result or error, the local tables
    # with their row counts and last update. No destination path and nothing secret: a saved notebook keeps it.
    _sync = t.Dict().tag(sync=True)
    # marimo reruns the cells that read `panel.value` only when the browser sends an update, never when Python
    # changes a trait (a sign-in completing, a cell assigning one). Under marimo only, Python counts its own changes
    # to the public traits in `_revision`; the panel acknowledges each new count by writing `_seen_revision` (and
    # nothing else), which is the browser update marimo waits for. Elsewhere both stay 0.
    _revision = t.Int(0).tag(sync=True)
    _seen_revision = t.Int(0).tag(sync=True)

    def __init__(
        self,
        name: str = "",
        api_type: str = "v3",
        scopes: Any = (),
        oauth_client: str | OAuthClient | None = None,
    ) -> None:
        try:
            scopes = scope_list(scopes)  # any iterable of ids, as before; None or a lone string named, not split
        except ConfigurationError as exc:
            raise t.TraitError(str(exc)) from None
        super().__init__(
            name=name,
            api_type=api_type,
            scopes=scopes,
            oauth_client=oauth_client,
            _profiles=profiles.panel_catalog(),
            _sync=initial_state(),
        )
        self._sync_part = PanelSync(lambda: self._connection, self._show_sync)
        self._update_client()
        self._auth_host_loopback = self.profile.auth_host_is_loopback
        # The connection itself: settings, sign-in and session. The panel mirrors its state into traits.
        self._connection = Connection(self.name, self.api_type, self.scopes, self.oauth_client, self.capture_mode)
        self._connection.subscribe(self._mirror)
        self.on_msg(self._on_panel_message)

    @property
    def connection(self) -> Connection:
        """The plain connection object behind the panel (no widget): use it in scripts and threads."""
        return self._connection

    # -- the OAuth flow: delegated to the connection -------------------------------------------------------------
    def authorization_url(self) -> str:
        """Start a fresh sign-in (new state and PKCE verifier) and return the Lightspeed URL to open."""
        url = self._connection.authorization_url()
        for listener in list(_sign_in_listeners):
            listener(self, url)
        return url

    def complete_authorization(self, redirected_url: str) -> LightspeedSession:
        """Finish the sign-in from the address Lightspeed redirected to; returns the ready session."""
        return self._connection.complete_authorization(redirected_url)

    @property
    def session(self) -> LightspeedSession:
        """The ready ``LightspeedSession`` once connected."""
        return self._connection.session

    def save(self) -> "LightspeedConnection":
        """Save the settings under ``name``; reopen with ``load(name)``. Tokens are stored by the sign-in itself."""
        self._connection.save()
        return self

    @classmethod
    def load(cls, name: str) -> "LightspeedConnection":
        """Reopen a saved connection; with a stored sign-in it is connected again (tokens refresh silently)."""
        connection = Connection.load(name)
        panel = cls(name=connection.name, api_type=connection.api_type, scopes=connection.scopes,
                    oauth_client=connection.oauth_client)
        panel.capture_mode = connection.capture_mode
        panel._adopt(connection)
        return panel

    def sync(self, resources, destination=None, full: bool = False, progress: bool = True, models: bool = True):
        """Bring ``resources`` up to date in the local tables, then the models; see ``Connection.sync``."""
        return self._connection.sync(resources, destination=destination, full=full, progress=progress,
                                     models=models)

    def tables(self, destination=None) -> list[dict]:
        """The local tables with their rows and last update; see ``Connection.tables``."""
        return self._connection.tables(destination=destination)

    def read(self, resource: str, destination=None):
        """The current rows of a synced table as a DataFrame with typed columns (works offline)."""
        return self._connection.read(resource, destination=destination)

    def sql(self, query: str, destination=None, write: bool = False):
        """Run SQL on the synced tables (``select * from Sale``) -> DataFrame; read-only unless ``write=True``."""
        return self._connection.sql(query, destination=destination, write=write)

    def rename(self, new_name: str) -> None:
        """Rename the connection; a signed-in one moves its saved settings and sign-in to the new name."""
        self._connection.rename(new_name)
        self.name = self._connection.name

    def disconnect(self) -> None:
        """Sign out: revoke the stored tokens at Lightspeed (v3) and delete them here. The settings stay saved."""
        # One update for the panel: status, account, token facts and the note arrive together, so no view (nor a
        # screen reader) ever shows "Connected" without an account on the way to "Not connected yet".
        self._sync_part.stop()  # a sync running for the panel stops first, keeping what it committed
        with self.hold_sync():
            note = self._connection.disconnect()
            if note:
                self._notice = note

    def _complete(self, **redirect) -> None:
        with self.hold_sync():
            self._connection.complete(**redirect)
            if self.name != self._connection.name:
                self.name = self._connection.name  # the stored (normalised) name

    def _fail(self, exc: Exception) -> None:
        self._connection.fail(exc)

    def _adopt(self, connection: Connection) -> None:
        self._connection = connection
        connection.subscribe(self._mirror)
        self._mirror(connection)

    def _mirror(self, connection: Connection) -> None:
        """Show the connection's state in the traits the panel draws (called after each of its changes)."""
        if connection is not getattr(self, "_connection", None):
            return
        token = connection.token()
        # One state update, never intermediate states: the panel would otherwise draw (and announce) "Connected"
        # with the account already gone, or a status whose account has not arrived yet.
        with self.hold_sync():
            for trait in ("account_id", "account_name", "error", "status"):
                self.set_trait(trait, getattr(connection, trait))
            self._granted_scopes = list(token.scopes) if token else []
            self._expires_at = token.expires_at if token else 0.0
            last_sync = {k: v for k, v in connection.last_sync.items() if k in ("at", "resources", "pages")}
            synced = last_sync != self._last_sync
            self._last_sync = last_sync
            self._mirror_sync(connection, token, synced)  # the resources offered: in the same update
        self._update_fallbacks()

    def _mirror_sync(self, connection: Connection, token, synced: bool) -> None:
        """The Sync part follows the connection: the resources its scopes read; a sync stops when it signs out."""
        sync_part = getattr(self, "_sync_part", None)
        if sync_part is not None:
            sync_part.follow(connection.status == "connected", token.scopes if token else None, synced)

    def _show_sync(self, state: dict) -> None:
        self._sync = state  # from the sync's thread too: ipykernel sends comm messages from any thread

    # -- public helpers -------------------------------------------------------------------------------------------
    @property
    def profile(self) -> profiles.Profile:
        return profiles.get_profile(self.api_type)

    def validation_errors(self) -> dict[str, str]:
        """Per-field problems that stop "Save and authorize", keyed by trait name (empty when all is well)."""
        return self._connection.validation_errors()

    def __repr__(self) -> str:
        return (
            f"LightspeedConnection(name={self.name!r}, api_type={self.api_type!r}, scopes={list(self.scopes)!r}, "
            f"oauth_client={self.oauth_client!r}, status={self.status!r})"
        )

    def _ipython_display_(self) -> None:
        """The panel, and below it a second output for where the panel cannot load (a static HTML export opened
        offline, where the widget manager's CDN is out of reach, or any page without the widget JavaScript): one line
        saying what the panel held when the notebook was saved. The panel's CSS hides that line wherever the panel
        itself loads, and Python keeps it up to date as the connection changes, so a notebook saved once connected
        says so. An HTML export draws only one representation of an output (the widget view), hence two outputs."""
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle is None:
            return
        data, metadata = bundle
        display(data, metadata=metadata, raw=True)
        fallback = self._fallback_bundle()
        handle = display(fallback, raw=True, display_id=True)
        if handle is not None:
            self._fallbacks.append(handle)
            self.__dict__["_fallback_shown"] = fallback

    def saved_copy_text(self) -> str:
        """What the fallback output says to a reader of a saved copy, e.g. "Saved copy: connected to Downtown Store
        (12345) when it was saved (Lightspeed connection 'Downtown', v3). To connect, open the notebook in Jupyter
        and run this cell." Nothing secret, and nothing about any other connection or client."""
        named = f"Lightspeed connection {self.name!r}, {self.api_type}" if self.name else f"Lightspeed {self.api_type}"
        if self.status == "connected":
            if self.account_name and self.account_id:
                account = f"{self.account_name} ({self.account_id})"
            else:
                account = self.account_name or (f"account {self.account_id}" if self.account_id else "Lightspeed")
            state = f"connected to {account} when it was saved ({named})"
        elif self.status == "authorizing":
            state = f"a sign-in was under way when it was saved ({named})"
        else:
            state = f"not connected when it was saved ({named})"
        return f"Saved copy: {state}. To connect, open the notebook in Jupyter and run this cell."

    def _fallback_bundle(self) -> dict:
        text = self.saved_copy_text()
        markup = (f'<div class="{FALLBACK_CLASS}" role="note" aria-label="Lightspeed connection panel">'
                  f"<p>{html.escape(text)}</p></div>")
        return {"text/plain": text, "text/html": markup}

    def _update_fallbacks(self) -> None:
        handles = self.__dict__.get("_fallback_handles")
        if not handles:
            return
        bundle = self._fallback_bundle()
        if bundle == self.__dict__.get("_fallback_shown"):
            return
        self.__dict__["_fallback_shown"] = bundle
        for handle in handles:
            try:
                handle.update(bundle, raw=True)
            except Exception:  # noqa: BLE001 - no kernel to publish to (a script): the panel itself is what counts
                log.debug("Could not update the panel's saved-copy text", exc_info=True)

    @property
    def _fallbacks(self) -> list:
        return self.__dict__.setdefault("_fallback_handles", [])

    def _repr_mimebundle_(self, **kwargs):
        """anywidget's bundle (whose text/plain is ``repr(self)``) with a text/plain that says what this is: it is
        all that shows where widgets cannot render (a notebook viewer, an export without widget state, a console)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/plain": self.plain_text()}, metadata

    def plain_text(self) -> str:
        """One line for places where the panel cannot render, e.g. "Lightspeed connection panel 'Downtown' (v3,
        connected to Downtown Store (12345)): open this notebook in Jupyter to use it"."""
        if self.status == "connected":
            if self.account_name and self.account_id:
                account = f"{self.account_name} ({self.account_id})"
            else:
                account = self.account_name or (f"account {self.account_id}" if self.account_id else "")
            state = f"connected to {account}" if account else "connected"
        else:
            state = {"draft": "not connected yet", "authorizing": "signing in"}.get(self.status, "not connected")
        named = f" {self.name!r}" if self.name else ""
        return f"Lightspeed connection panel{named} ({self.api_type}, {state}): open this notebook in Jupyter to use it"

    def set_state(self, sync_data):
        """Apply an update from the panel; a value Python rejects is sent back so both sides agree again.

        The connection's state (``status``, ``error``, the account) and the plumbing Python computes are Python's
        alone: an update naming them (a stale view, a hand-made message) is refused for those keys, logged, and the
        browser is sent Python's values back."""
        refused = [name for name in sync_data if name in PYTHON_OWNED]
        if refused:
            log.warning("Ignored a change to %s from the panel: only Python sets %s.", ", ".join(refused),
                        "it" if len(refused) == 1 else "them")
            sync_data = {name: value for name, value in sync_data.items() if name not in PYTHON_OWNED}
        self.__dict__["_applying_panel"] = True
        try:
            if sync_data:
                super().set_state(sync_data)
        except t.TraitError as exc:
            self._notice = str(exc)
            self.send_state(key=[name for name in sync_data if name in self.keys])
        finally:
            self.__dict__["_applying_panel"] = False
        if refused:
            self.send_state(key=refused)

    @t.observe("name", "api_type")
    def _refresh_fallbacks(self, _change) -> None:
        self._update_fallbacks()

    @t.observe(*_ECHOED)
    def _count_python_change(self, change) -> None:
        if self.__dict__.get("_applying_panel"):
            return  # the browser's own change: marimo reruns for it anyway
        if getattr(getattr(self, "comm", None), "kernel", None) == "marimo":
            self._revision += 1

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
            if value.name == self.oauth_client:
                self._update_client()  # same name, so no change event: the client ID may still be new
            return value.name
        if not isinstance(value, str):
            raise t.TraitError("oauth_client must be the name of a stored OAuth 2.0 client, an OAuthClient, or None.")
        if value not in oauth_clients():
            # The other stored names stay out of this message: from the panel it lands in `_notice`, which a saved
            # notebook keeps, and they belong to other projects. ls_widget.oauth_clients() lists them.
            raise t.TraitError(
                f"No stored OAuth 2.0 client named {value!r}. Add it with 'Add OAuth 2.0 client' in the panel, or "
                f"OAuthClient(name, client_id, client_secret).save(); ls_widget.oauth_clients() lists the stored ones."
            )
        return value

    @t.validate("name")
    def _check_name(self, proposal):
        connection = getattr(self, "_connection", None)
        if connection is not None and connection.bound_name is not None:
            try:
                connection.name = proposal["value"]
            except ConfigurationError as exc:
                raise t.TraitError(str(exc)) from None
        return proposal["value"]

    @t.observe("name", "api_type", "scopes", "oauth_client", "capture_mode")
    def _to_connection(self, change) -> None:
        connection = getattr(self, "_connection", None)  # absent while __init__ sets the first values
        if connection is None:
            return
        if change["name"] == "name":
            connection.name = change["new"]
        else:
            setattr(connection, change["name"], change["new"])

    @t.observe("oauth_client", "api_type")
    def _on_client_choice(self, _change) -> None:
        self._update_client()

    def _update_client(self) -> None:
        """Show the chosen client's display data (never the secret), and nothing about any other stored client."""
        summary = None
        if self.oauth_client and self.profile.client_source == "user":
            try:
                client = OAuthClient.load(self.oauth_client)
            except LightspeedError:
                client = None  # deleted or broken: the panel's list request names the problem
            if client is not None:
                summary = {"name": client.name, "client_id": client.client_id, "has_secret": client.has_secret}
        self._client = summary

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
        connection = getattr(self, "_connection", None)
        if connection is None or not connection.signed_in:
            return  # nothing signed in (this also runs while __init__ sets the traits)
        connection.forget_sign_in()
        change = f"The {what} changed: click 'Save and authorize' to sign in with it."
        self._notice = f"{self._notice} {change}".strip()
