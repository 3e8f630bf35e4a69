"""``LightspeedConnection``: the connection panel (an anywidget) and its Python half.

The panel shows one ``Connection`` (``connection.py``), which owns the settings and every rule about them. The
synced traits mirror it: a change made in code (``panel.scopes = [...]``) or in the browser goes to the connection,
which checks it and applies it, or refuses it and changes nothing; after each of its changes the panel copies the
connection's state into the traits, in one update. So both halves always agree, and a script driving the
``Connection`` directly meets the same rules. Secrets never become traits: the client secret arrives from the
panel's dialog in a custom message and goes straight to the 0600 client store.

The traits are also what a saved notebook keeps (the widget state in its metadata) and what a static HTML export
shows, so they hold only this panel's own choices: of the stored OAuth clients, only the chosen one's display data
(``_client``). The list of stored clients comes by request while a kernel is live; the messages are handled by
``panel_messages`` (their shapes are in ``panel_protocol``).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets as t

from . import profiles
from .clients import OAuthClient
from .connection import SETTINGS, STATUSES, Connection
from .connections import CAPTURE_MODES
from .errors import ConfigurationError
from .panel_messages import PanelController
from .panel_sync import PanelSync, initial_state

if TYPE_CHECKING:  # httpx and the session load with the first request, not with the panel
    from .session import LightspeedSession

log = logging.getLogger("ls_widget")
_STATIC = Path(__file__).parent / "static"
# The connection's state beside its settings: public traits the panel shows and never sets.
_CONNECTION_STATE = ("status", "error", "account_id", "account_name")
# What only Python sets: the connection's state and the panel plumbing it computes. The browser may write the form's
# fields (and its acknowledgement `_seen_revision`); an update naming any of these is refused for those keys.
PYTHON_OWNED = (*_CONNECTION_STATE, "_profiles", "_client", "_field_errors", "_notice", "_auth_host_loopback",
                "_granted_scopes", "_expires_at", "_last_sync", "_revision", "_sync")
# The public traits a marimo cell reads through `panel.value`: a change Python makes to one is echoed (see _revision).
_ECHOED = (*SETTINGS, *_CONNECTION_STATE, "redirect_uri")
FALLBACK_CLASS = "ls-saved-copy"  # the text shown where the panel cannot load; widget.css hides it where it does


class LightspeedConnection(anywidget.AnyWidget):
    """A Lightspeed Retail (R-Series) connection form that renders in Jupyter.

    ``LightspeedConnection(name="Store reports", api_type="v3", scopes=["employee:inventory_read"],
    oauth_client="My client")`` sets it up in code; every field can also be filled in the panel.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    # The settings (connection.SETTINGS). Assigned in code or sent by the browser, a value goes to the connection
    # (__setattr__, set_state), which checks and applies it; the trait then shows the connection's value (_mirror).
    name = t.Unicode("", help="The connection's name, e.g. 'Downtown store reports'.").tag(sync=True)
    api_type = t.Enum(tuple(profiles.PROFILES), default_value="v3", help="'v3' (current API) or 'v2' (legacy).").tag(
        sync=True
    )
    scopes = t.List(t.Unicode(), help="Scope ids from the API type's catalog.").tag(sync=True)
    oauth_client = t.Unicode(None, allow_none=True, help="Name of the stored OAuth 2.0 client (v3 only).").tag(
        sync=True
    )
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
            connection = Connection(name, api_type, scopes, oauth_client)
        except ConfigurationError as exc:
            raise t.TraitError(str(exc)) from None
        self._show(connection)

    def _show(self, connection: Connection) -> None:
        """Become the panel of ``connection`` (the constructor's, or a loaded one)."""
        self._connection = connection
        self._sync_part = PanelSync(connection, self._show_sync)
        self._controller = PanelController(self, self._sync_part, lambda: self._mirror(connection))
        self._mirror_traits(connection, connection.token())  # the comm opens with the connection's state
        super().__init__(_profiles=profiles.panel_catalog(), _sync=initial_state())
        connection.subscribe(self._mirror)
        self._mirror(connection)  # now the Sync part too (it may start a thread that publishes to the comm)
        self.on_msg(self._controller.handle)

    @property
    def connection(self) -> Connection:
        """The plain connection object behind the panel (no widget): use it in scripts and threads."""
        return self._connection

    # -- what leaves for the browser: plain JSON data -------------------------------------------------------------
    # A stored name is a ``names.Name`` (a str that is not normalised again). Jupyter's JSON takes it as a str;
    # marimo encodes state and messages with msgspec, which refuses any subclass of str. So every value is made
    # plain here, where all of them pass, rather than at each place a name goes into a trait or a reply.
    @staticmethod
    def _trait_to_json(x, self):  # ipywidgets' signature: a static method given the widget as its second argument
        return _plain(x)

    def send(self, content: Any, buffers: Any = None) -> None:
        super().send(_plain(content), buffers)

    def __setattr__(self, name: str, value: Any) -> None:
        # A setting assigned in code goes to the connection, which checks it (TraitError, as traitlets raises, for a
        # bad value) and applies it; the trait then shows the connection's value through _mirror.
        if name in SETTINGS:
            try:
                self._connection.update(**{name: value})
            except ConfigurationError as exc:
                raise t.TraitError(str(exc)) from None
        else:
            super().__setattr__(name, value)

    # -- the OAuth flow: delegated to the connection -------------------------------------------------------------
    def authorization_url(self) -> str:
        """Start a fresh sign-in (new state and PKCE verifier) and return the Lightspeed URL to open."""
        return self._connection.authorization_url()

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
        panel = cls.__new__(cls)  # the panel of the loaded connection, not of one made from settings
        panel._show(Connection.load(name))
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

    def disconnect(self) -> None:
        """Sign out: revoke the stored tokens at Lightspeed (v3) and delete them here. The settings stay saved."""
        self._sync_part.stop()  # a sync running for the panel stops first, keeping what it committed
        self._connection.disconnect()

    # -- showing the connection ----------------------------------------------------------------------------------
    def _mirror(self, connection: Connection) -> None:
        """Show the connection's state (called after each of its changes), the Sync part's offer included, in one
        update: the panel would otherwise draw (and announce) "Connected" with the account already gone, or a
        status whose account has not arrived yet."""
        token = connection.token()
        with self.hold_sync():
            synced = self._mirror_traits(connection, token)
            # The Sync part follows: the resources its scopes read; a sync stops when the connection signs out.
            self._sync_part.follow(connection.status == "connected", token.scopes if token else None, synced)
        self._update_fallbacks()

    def _mirror_traits(self, connection: Connection, token) -> bool:
        """Copy the connection's state into the traits; True when it synced since the last copy. Observers hear of
        the changes once every trait is set (an observer of ``status`` reads the account of the new status), and the
        browser gets them in one message."""
        with self.hold_trait_notifications(), self.hold_sync():
            for trait in (*SETTINGS, *_CONNECTION_STATE):
                self.set_trait(trait, getattr(connection, trait))
            self._notice = connection.notice
            self._field_errors = dict(connection.field_errors)
            self._client = connection.client_summary()
            self._auth_host_loopback = connection.profile.auth_host_is_loopback
            self._granted_scopes = list(token.scopes) if token else []
            self._expires_at = token.expires_at if token else 0.0
            last_sync = {k: v for k, v in connection.last_sync.items() if k in ("at", "resources", "pages")}
            synced = last_sync != self._last_sync
            self._last_sync = last_sync
        return synced

    def _show_sync(self, state: dict) -> None:
        self._sync = state  # from the sync's thread too: ipykernel sends comm messages from any thread

    # -- public helpers -------------------------------------------------------------------------------------------
    @property
    def profile(self) -> profiles.Profile:
        return self._connection.profile

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

        The settings go to the connection as one change (all or nothing). The connection's state (``status``,
        ``error``, the account) and the plumbing Python computes are Python's alone: an update naming them (a stale
        view, a hand-made message) is refused for those keys, logged, and the browser is sent Python's values back."""
        refused = [name for name in sync_data if name in PYTHON_OWNED]
        if refused:
            log.warning("Ignored a change to %s from the panel: only Python sets %s.", ", ".join(refused),
                        "it" if len(refused) == 1 else "them")
        settings = {name: value for name, value in sync_data.items() if name in SETTINGS}
        others = {name: value for name, value in sync_data.items() if name not in SETTINGS and name not in refused}
        self.__dict__["_applying_panel"] = True
        try:
            if settings and self._settings_from_panel(settings):
                # ipywidgets echoes what it applied to every view (and other browsers showing this notebook): the
                # settings as the connection took them; the traits hold those already, so nothing changes here.
                others.update({name: getattr(self, name) for name in settings})
            if others:
                super().set_state(others)
        except t.TraitError as exc:
            self._notice = str(exc)
            self.send_state(key=[name for name in others if name in self.keys])
        finally:
            self.__dict__["_applying_panel"] = False
        if refused:
            self.send_state(key=refused)

    def _settings_from_panel(self, settings: dict) -> bool:
        """Hand the browser's settings to the connection; False (the panel told why, and sent the values back)
        when it refuses them."""
        try:
            # ipywidgets' own guard while it applies an update: a trait that ends up as the browser sent it is not
            # sent back to it (it may be typing on); one the connection changed (a dropped scope) is.
            with self._lock_property(**settings):
                self._connection.update(**settings)
        except ConfigurationError as exc:
            self._notice = str(exc)
            self.send_state(key=list(settings))
            return False
        return True

    @t.observe(*_ECHOED)
    def _count_python_change(self, change) -> None:
        if self.__dict__.get("_applying_panel"):
            return  # the browser's own change: marimo reruns for it anyway
        if getattr(getattr(self, "comm", None), "kernel", None) == "marimo":
            self._revision += 1


def _plain(value: Any) -> Any:
    """``value`` with every str subclass made a str, through dicts, lists and tuples (JSON data in, JSON data out)."""
    if isinstance(value, str):
        return value if type(value) is str else str.__str__(value)
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
