"""``Connection``: one Lightspeed connection without a widget (scripts, the command line, and the panel's engine).

It owns the settings (name, API type, scopes, OAuth client, capture mode) and every rule about them, the sign-in's
progress, and the session. Once signed in it is *bound* to one stored name: its tokens live in ``tokens/<name>.json``
and nowhere else (the token store is the single source of truth; nothing here keeps a token of its own). From then on
the name changes only through ``rename()``, which moves the saved settings and the tokens together, so no sign-in is
ever left behind under an old name; and a change of API type or OAuth client signs out, since the stored sign-in
belongs to the ones it was made with.

``LightspeedConnection`` (the panel) holds one ``Connection``, forwards every change to it and shows its state:
whoever wants to show that state subscribes with ``subscribe()``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable

from . import profiles
from .clients import OAuthClient, oauth_clients
from .connection_settings import SETTINGS, checked_settings, setting_problems
from .connections import ConnectionRecord, saved_connections
from .credentials import Credentials, credentials_for
from .errors import ConfigurationError, LightspeedError, NotConnectedError, StoreError
from .names import normalize_name
from .token_store import TokenStore
from .tokens import Token

if TYPE_CHECKING:  # the OAuth flow, authlib and httpx load on the first sign-in or request, not with the panel
    from .auth import SignIn
    from .oauth import PendingAuthorization
    from .session import LightspeedSession

STATUSES = ("draft", "authorizing", "connected", "error")
__all__ = ["Connection", "SETTINGS", "STATUSES"]


class Connection:
    """A Lightspeed Retail connection: settings, sign-in and session, bound to one stored name once signed in."""

    def __init__(
        self,
        name: str = "",
        api_type: str = "v3",
        scopes: Iterable[str] = (),
        oauth_client: str | OAuthClient | None = None,
        capture_mode: str = "auto",
    ) -> None:
        self._name, self._api_type, self._scopes = "", "v3", []
        self._oauth_client: str | None = None
        self._capture_mode = "auto"
        self.status = "draft"
        self.error = ""
        self.account_id = ""
        self.account_name = ""
        self.field_errors: dict[str, str] = {}  # what the last authorization_url() found wrong, by setting
        self.notice = ""  # what the last change did that its maker should know (scopes dropped, signed out)
        self.last_sync: dict = {}  # what the saved record says of the last sync (see sync())
        self._bound: str | None = None  # the stored name the sign-in belongs to
        self._credentials: Credentials | None = None
        self._pending: PendingAuthorization | None = None
        self._pending_credentials: Credentials | None = None
        self._session: LightspeedSession | None = None
        self._listeners: list[Callable[["Connection"], None]] = []
        self.update(name=name, api_type=api_type, scopes=scopes, oauth_client=oauth_client,
                    capture_mode=capture_mode)

    # -- settings: each a property; update() changes several as one ------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.update(name=value)

    @property
    def api_type(self) -> str:
        return self._api_type

    @api_type.setter
    def api_type(self, value: str) -> None:
        self.update(api_type=value)

    @property
    def scopes(self) -> list[str]:
        return list(self._scopes)

    @scopes.setter
    def scopes(self, value: Iterable[str]) -> None:
        self.update(scopes=value)

    @property
    def oauth_client(self) -> str | None:
        return self._oauth_client

    @oauth_client.setter
    def oauth_client(self, value: str | OAuthClient | None) -> None:
        self.update(oauth_client=value)

    @property
    def capture_mode(self) -> str:
        return self._capture_mode

    @capture_mode.setter
    def capture_mode(self, value: str) -> None:
        self.update(capture_mode=value)

    def update(self, **settings: Any) -> None:
        """Change several settings as one, e.g. ``conn.update(api_type="v2", scopes=["employee:all"])``.

        Every value is checked first, together (the scopes against the API type they will belong to): a bad one
        raises ``ConfigurationError`` naming the setting, and nothing changes. Then all apply, and subscribers hear
        of it once. The rules, whoever makes the change (a script, the panel):

        - ``scopes`` are ids from the API type's catalogue (repeats kept once); changing only ``api_type`` drops the
          chosen scopes it does not offer, and ``notice`` says which.
        - ``oauth_client`` is the name of a stored client, or an ``OAuthClient``, which is stored then ("use this
          one": the sign-in must find it), or ``None``.
        - A sign-in belongs to the API type and the OAuth client it was made with: changing either signs out, as
          ``disconnect()`` does (the tokens revoked at Lightspeed where it can, deleted from the token store), and
          ``notice`` says to sign in again. A sign-in in progress is cancelled.
        - A signed-in connection keeps its name (spelled with other spaces is the same name): ``rename()`` moves it.
        - The problem ``authorization_url()`` found with a setting goes once that setting changes.
        """
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise TypeError(f"Connection.update() takes {', '.join(SETTINGS)}; not {', '.join(unknown)}.")
        new, dropped = checked_settings({key: getattr(self, key) for key in SETTINGS}, settings, self._bound)
        client = settings.get("oauth_client")
        changed = {key for key in SETTINGS if new[key] != getattr(self, key)}
        if not changed and not isinstance(client, OAuthClient):
            return
        if isinstance(client, OAuthClient):
            client.save()  # before anything changes: a disk that refuses leaves the connection as it was
        notices = [f"{profiles.get_profile(new['api_type']).label} does not offer {', '.join(dropped)}; removed "
                   f"from the chosen scopes."] if dropped else []
        client_changed = "oauth_client" in changed and self.profile.client_source == "user"
        if self.signed_in and ("api_type" in changed or client_changed):
            # With the settings it was made with (this profile, these credentials): revoked, then deleted.
            notices.append(self._sign_out())
            what = "API type" if "api_type" in changed else "OAuth 2.0 client"
            notices.append(f"The {what} changed: click 'Save and authorize' to sign in with it.")
        self._name, self._api_type, self._scopes = new["name"], new["api_type"], new["scopes"]
        self._oauth_client, self._capture_mode = new["oauth_client"], new["capture_mode"]
        fixed = changed | ({"scopes"} if "api_type" in changed else set())  # scopes were checked for the old type
        self.field_errors = {key: text for key, text in self.field_errors.items() if key not in fixed}
        if not self.field_errors and self.status == "draft":
            self.error = ""  # the "Fix N fields" summary goes with the last of its fields
        self.notice = " ".join(note for note in notices if note)
        self._notify()

    @property
    def profile(self) -> profiles.Profile:
        return profiles.get_profile(self.api_type)

    @property
    def bound_name(self) -> str | None:
        """The stored name the current sign-in belongs to (``None`` when not signed in)."""
        return self._bound

    def validation_errors(self) -> dict[str, str]:
        """Per-field problems that stop a sign-in, keyed by field name (empty when all is well)."""
        return setting_problems(self.name, self.profile, self.scopes, self.oauth_client, bound=self._bound)

    # -- the sign-in -----------------------------------------------------------------------------------------------
    def authorization_url(self) -> str:
        """Start a fresh sign-in (new state and PKCE verifier) and return the Lightspeed URL to open.

        A form that does not allow one raises ``ConfigurationError``; ``field_errors`` then says what is wrong with
        each setting (each problem goes when its setting changes) and ``error`` how many there are.
        """
        problems = self.validation_errors()
        self.field_errors = problems
        if problems:
            count = len(problems)
            self._set(error=f"Fix {count} field{'' if count == 1 else 's'} before authorizing.")
            raise ConfigurationError(" ".join(problems.values()))
        from . import flow

        credentials = credentials_for(self.profile, self.oauth_client)
        url, self._pending = flow.begin(self.profile, credentials, self.scopes)
        self._pending_credentials = credentials
        self._set(status="authorizing", error="")
        return url

    def cancel_sign_in(self) -> None:
        """Forget the sign-in in progress (its state and PKCE verifier): a late redirect for it is refused.

        A connection that was signed in before stays signed in; otherwise it is a draft again.
        """
        if self._pending is None:
            return
        self._pending = self._pending_credentials = None
        self._set(status="connected" if self._bound is not None else "draft", error="")

    def complete_authorization(self, redirected_url: str) -> LightspeedSession:
        """Finish the sign-in from the address Lightspeed redirected to; returns the ready session."""
        self.complete(redirected_url=redirected_url)
        return self.session

    def complete(self, **redirect: str | None) -> None:
        """Finish the sign-in from a redirect: ``redirected_url=...``, or the relayed ``code``/``state``/``error``."""
        from . import flow

        pending, credentials = self._pending, self._pending_credentials
        try:
            if credentials is None:
                credentials = credentials_for(self.profile, self.oauth_client)
            name = normalize_name(self.name, what="connection")
            tokens = TokenStore(name)
            connected = flow.complete(self.profile, credentials, pending, tokens, **redirect)
        except LightspeedError as exc:
            retryable = pending is not None and getattr(exc, "error", None) in ("invalid_state", "invalid_request")
            if retryable:
                self._set(error=str(exc))  # still "authorizing": the right address can still be pasted
            else:
                self._pending = self._pending_credentials = None  # the code was spent or refused
                self.fail(exc)
            raise
        self._pending = self._pending_credentials = None
        self._name = name
        self._bind(name, credentials, connected.account_id, connected.account_name)
        self._record().save()

    @property
    def session(self) -> LightspeedSession:
        """The ready ``LightspeedSession`` once connected."""
        if self.status != "connected" or self._bound is None or self._credentials is None:
            reason = f" The last attempt failed: {self.error}" if self.status == "error" and self.error else ""
            raise NotConnectedError(
                "Not connected yet: click 'Save and authorize' in the panel, finish signing in to Lightspeed, then "
                "run this cell again (a running cell cannot wait for the click)." + reason
            )
        if self._session is None:
            from .session import LightspeedSession

            self._session = LightspeedSession(self.profile, self._sign_in(), self.account_id, self.account_name)
        return self._session

    def token(self) -> Token | None:
        """The stored token of the current sign-in (prints redacted), or ``None``."""
        if self._bound is None:
            return None
        try:
            return TokenStore(self._bound).current()
        except StoreError:
            return None

    # -- sync: local tables of the account's data (the optional "sync" extra) ------------------------------------
    def sync(self, resources, destination=None, full: bool = False, progress: bool = True, models: bool = True,
             on_progress=None, cancel=None):
        """Bring ``resources`` (e.g. ``["Item", "Sale", "Customer"]``, or ``"all"`` / ``ls_widget.resources()`` for
        every resource this sign-in's scopes can read) up to date in the local tables.

        Each resource is read as Lightspeed allows (``ls_widget.resources()`` shows it): incremental where Lightspeed
        sorts it by ``timeStamp`` (only what changed since the last sync is fetched, merged by primary key), whole
        where it does not (Shop, Register: small tables, replaced); ``full=True`` reads everything again and deletes
        what Lightspeed no longer has. ``destination``: ``None`` for this connection's
        DuckDB file, or any dlt destination (by name, e.g. ``"postgres"``, or a dlt destination object). Returns a
        ``SyncResult`` (pages fetched, per table its strategy and rows inserted/updated/deleted, the resources skipped
        for want of a scope). Resumable: it commits as it goes, and a kill loses at most 10 pages or 5 s of fetching.

        Then the analysts' models (``sale_lines``, ``daily_sales``, ``stock``, ``items``, ``customers``; see
        ``ls_widget.models``) whose inputs are there are rebuilt in the same destination; ``models=False`` skips that.
        ``on_progress(event)`` is called as pages arrive; ``cancel`` (a ``threading.Event``) stops the sync between
        chunks, keeping what it committed (the panel's Sync part uses both).
        """
        from .sync.run import sync
        from .sync.target import Target

        session = self.session
        target = Target(self._bound, destination)
        result = sync(session, target, resources, full=full, progress=progress, connection=self._bound,
                      on_progress=on_progress, cancel=cancel)
        if result.tables:
            from .models import record_sync, refresh

            if models:
                result.models = refresh(target, touched=set(result.tables), notes=result.notes,
                                        skipped=set(result.skipped))
            record_sync(target, result)
        record = self._record()
        record.last_sync = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            "resources": sorted(result.tables), "destination": result.destination,
                            "pages": result.pages}
        record.save()
        self.last_sync = record.last_sync
        self._notify()
        return result

    def tables(self, destination=None) -> list[dict]:
        """The local tables: ``[{"table", "rows", "kind": "raw" | "model", "updated"}]``, ``updated`` being when the
        sync last committed to the table (or rebuilt the model), ISO 8601 UTC, ``None`` when unknown."""
        from .models import local_tables
        from .sync.target import Target

        return local_tables(Target(self._stored_name(), destination))

    def read(self, resource: str, destination=None):
        """The current rows of a synced table or a model (``"daily_sales"``) as a DataFrame with typed columns (works
        offline, on a read-only ``LS_WIDGET_HOME`` and on a file another process is reading). A table that is not
        there (misspelt, never synced) is a ``ConfigurationError`` naming the tables that are; a model not built yet
        names the ``conn.sync([...])`` it needs."""
        from .frames import type_columns
        from .models import MODELS
        from .models import read as read_model
        from .sync.target import Target

        target = Target(self._stored_name(), destination)
        if resource in MODELS:  # already typed by the model's SQL
            return read_model(target, resource)
        return type_columns(target.table(resource))

    def sql(self, query: str, destination=None, write: bool = False):
        """Run SQL on the synced tables (named like the resources: ``select * from Sale``) -> DataFrame.

        Read-only unless ``write=True`` (a DuckDB file is opened read-only, PostgreSQL runs it in a read-only
        transaction): a stray ``drop table`` cannot break the sync. Whatever a write breaks, the next sync notices
        and rebuilds (a table dropped, a column dropped); rows deleted by hand come back with ``full=True``."""
        from .sync.target import Target

        return Target(self._stored_name(), destination).query(query, write=write)

    def _stored_name(self) -> str:
        return self._bound or normalize_name(self.name, what="connection")

    # -- saving, reopening, renaming, signing out ------------------------------------------------------------------
    def save(self) -> "Connection":
        """Save the settings under ``name`` (never tokens: they are stored when you sign in, and only then)."""
        self._record().save()
        return self

    @classmethod
    def load(cls, name: str) -> "Connection":
        """Reopen a saved connection; with a stored sign-in it is connected again (tokens refresh silently).

        A sign-in that no longer works (revoked, damaged file) leaves the connection in "error", saying why.
        """
        from . import flow
        from .auth import SignIn

        record = ConnectionRecord.load(name)
        client = record.oauth_client if record.oauth_client in oauth_clients() else None
        conn = cls(record.name, record.api_type, (), client, record.capture_mode)
        conn._scopes = list(record.scopes)  # as saved, even one the catalogue has dropped since: named when signing in
        conn.last_sync = dict(record.last_sync)
        tokens = TokenStore(record.name)
        try:
            if tokens.current() is None:
                return conn
            credentials = credentials_for(conn.profile, client)
            sign_in = SignIn(conn.profile, credentials, tokens)
            # One Account.json request proves the sign-in still works (a merchant may have revoked it) and picks up a
            # renamed account; a token about to expire is refreshed on the way.
            account_id, account_name = flow.discover_account(conn.profile, sign_in, record.account_id)
        except LightspeedError as exc:
            conn.fail(exc)
            return conn
        conn._bind(record.name, credentials, account_id, account_name)
        return conn

    def rename(self, new_name: str) -> None:
        """Rename the connection; a signed-in one moves its saved settings and its tokens to the new name."""
        new_name = normalize_name(new_name, what="connection")
        old = self._bound
        if old is None or new_name == old:  # nothing stored under the name yet, or the same record
            self._name = new_name
            self._notify()
            return
        if any(saved.casefold() == new_name.casefold() for saved in saved_connections() if saved != old):
            raise ConfigurationError(f"A saved connection named {new_name!r} already exists: pick another name.")
        from .sync.target import move_default_tables, tables_in_the_way

        tables_in_the_way(old, new_name)  # ConfigurationError before anything moves
        TokenStore(old).move_to(new_name)  # atomic, under both locks; refuses if the target holds tokens
        self._name = new_name
        self._bound = new_name
        self._record().save(replacing=old)
        ConnectionRecord.delete(old)
        move_default_tables(old, new_name)  # the synced tables (and their sync state) go with the name
        if self._session is not None:
            self._session.close()
            self._session = None
        self._notify()

    def disconnect(self) -> str:
        """Sign out: revoke the stored tokens at Lightspeed (v3) and delete them here. The settings stay saved.

        Returns a note when Lightspeed could not confirm the revocation (the local sign-in is deleted anyway); it is
        the ``notice`` too.
        """
        note = self._sign_out()
        if note:
            self.notice = note
        self._notify()
        return note

    def _sign_out(self) -> str:
        """Revoke the stored tokens (v3), delete them from the token store with their lock file, and forget the
        sign-in in memory (session, pending sign-in, account): a draft again. No notification: the caller sends
        one with its other changes. Returns a note when Lightspeed could not confirm the revocation."""
        note = ""
        if self._bound is not None:
            tokens = TokenStore(self._bound)
            try:
                stored = tokens.load()  # what is stored, not what this kernel last saw: another may have refreshed
                if stored is not None and self._credentials is not None:
                    from .token_endpoint import revoke

                    revoke(self.profile, self._credentials, stored)
            except LightspeedError as exc:
                note = f"Deleted the local sign-in, but Lightspeed did not confirm the revocation: {exc}"
            finally:
                tokens.delete()
        if self._session is not None:
            self._session.close()
        self._session = self._credentials = self._pending = self._pending_credentials = None
        self._bound = None
        self.status, self.error, self.account_id, self.account_name = "draft", "", "", ""
        return note

    @property
    def signed_in(self) -> bool:
        return self._bound is not None or self._pending is not None

    # -- state for whoever shows it --------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[["Connection"], None]) -> Callable[[], None]:
        """Call ``listener(self)`` after every change: settings, status, error, account, token, notice, last sync.
        Returns the function that stops it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def client_summary(self) -> dict | None:
        """What may be shown of the chosen OAuth 2.0 client: ``{name, client_id, has_secret}``, never the secret.
        ``None`` without one, when it is no longer stored, and for an API type that signs in with a built-in one."""
        if not self.oauth_client or self.profile.client_source != "user":
            return None
        try:
            client = OAuthClient.load(self.oauth_client)
        except LightspeedError:
            return None  # deleted or broken: validation_errors() and the panel's client list name the problem
        return {"name": client.name, "client_id": client.client_id, "has_secret": client.has_secret}

    def fail(self, exc: Exception) -> None:
        self._set(status="error", error=str(exc))

    def _bind(self, name: str, credentials: Credentials, account_id: str, account_name: str) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None
        self._bound, self._credentials = name, credentials
        self._set(account_id=account_id, account_name=account_name, error="", status="connected")

    def _sign_in(self) -> SignIn:
        from .auth import SignIn

        assert self._bound is not None and self._credentials is not None
        return SignIn(self.profile, self._credentials, TokenStore(self._bound),
                      on_token=lambda _token: self._notify(), on_signed_out=self.fail)

    def _set(self, **changes: str) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _record(self) -> ConnectionRecord:
        name = self._bound or normalize_name(self.name, what="connection")
        return ConnectionRecord(
            name=name, api_type=self.api_type, scopes=list(self.scopes), oauth_client=self.oauth_client,
            capture_mode=self.capture_mode, account_id=self.account_id, account_name=self.account_name,
            last_sync=self._last_sync(name),
        )

    @staticmethod
    def _last_sync(name: str) -> dict:
        """What the saved record says of the last sync (kept when the settings are saved again)."""
        try:
            return ConnectionRecord.load(name).last_sync
        except LightspeedError:
            return {}

    def __repr__(self) -> str:
        return (f"Connection(name={self.name!r}, api_type={self.api_type!r}, scopes={self.scopes!r}, "
                f"oauth_client={self.oauth_client!r}, status={self.status!r})")
