"""A local Lightspeed Retail (R-Series): OAuth server and API of both API types, on 127.0.0.1.

    from ls_widget import sandbox
    with sandbox.start(items=200) as box:      # a real HTTP server in a background thread
        conn = box.connection()                # the panel, pointed at the sandbox, demo client chosen
        redirected = box.approve(conn.authorization_url())   # or click through the consent page yourself
        session = conn.complete_authorization(redirected)

or from a shell: ``python -m ls_widget.sandbox [--port N] [--items N ...]`` (prints its base URL first).

It follows Lightspeed as documented (docs/lightspeed-api.md): the consent page, codes, PKCE, rotating refresh
tokens with deferred revocation, JWT access tokens, the v2 legacy server's quirks, the API's shapes, filters, cursor and
offset pagination, scopes, the leaky bucket and burst limiter with their headers. Fault injection (failing, dropped or
slow requests, expired or revoked tokens, a clock to move forward) is an explicit feature, and so is changing the data
for incremental sync (``day_of_changes``: records edited, added, archived and deleted now): methods here, and
``/_sandbox/...`` admin endpoints for other processes.

The demo client (and the v2 built-in one) follow the panel: a sign-in with them registers the redirect URI the
panel signing in shows, the step an analyst takes once on Lightspeed's client page (panels.py: how, and why there).

``start()`` points ``LS_WIDGET_AUTH_URL`` and ``LS_WIDGET_API_URL`` at the sandbox and sets the v2 built-in client
(``LS_WIDGET_V2_CLIENT_ID``/``_SECRET``) unless ``configure_environment=False``; ``stop()`` puts back what was there.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import tempfile
from typing import TYPE_CHECKING

import httpx

# The `sandbox` extra, which the core package does not install: tornado serves it, joserfc signs its JWTs. Every
# missing one is named at once (a core install lacks both), not the first a try/import would stop at.
_MISSING = []
for _module in ("tornado", "joserfc"):
    try:
        importlib.import_module(_module)
    except ImportError:
        _MISSING.append(_module)
if _MISSING:
    raise ImportError(f"ls_widget.sandbox needs {' and '.join(_MISSING)}, from the optional `sandbox` extra: "
                      "pip install 'ls-widget[sandbox]'")

from ..clients import OAuthClient
from ..profiles import API_URL_ENV, AUTH_URL_ENV, V2_CLIENT_ID_ENV, V2_CLIENT_SECRET_ENV
from ..store import HOME_ENV
from .changes import CHANGEABLE, day_of_changes
from .config import DataOptions, SandboxOptions
from .faults import Fault
from .registry import RegisteredClient
from .server import ServerThread
from .state import SandboxState

if TYPE_CHECKING:
    from ..panel import LightspeedConnection
    from ..session import LightspeedSession

__all__ = ["DataOptions", "Sandbox", "SandboxOptions", "start"]

log = logging.getLogger("ls_widget.sandbox")
# Read scopes for the resources a demo reads (items and stock, sales, customers, shops, employees; not purchase
# orders, stock counts or the payment and tax setup, which need scopes of their own: ls_widget.catalogue); the legacy
# catalog has no inventory_read, so v2 asks for employee:inventory there.
DEFAULT_SCOPES = {
    "v3": ("employee:inventory_read", "employee:register_read", "employee:customers_read", "employee:admin_shops",
           "employee:admin_employees"),
    "v2": ("employee:inventory", "employee:register_read", "employee:customers_read", "employee:admin_shops",
           "employee:admin_employees"),
}


def start(port: int = 0, *, configure_environment: bool = True, **options) -> "Sandbox":
    """Start a sandbox on 127.0.0.1 (``port=0``: any free port) in a background thread. ``options`` are
    ``SandboxOptions``/``DataOptions`` fields, e.g. ``items=100, sales=500, drip_rate=20``.

    Unless ``configure_environment=False``, it points ``LS_WIDGET_AUTH_URL``/``LS_WIDGET_API_URL`` at itself, sets
    the v2 built-in client, and, when ``LS_WIDGET_HOME`` is not set, points it at a temporary store deleted by
    ``stop()``, so nothing made for the sandbox lands among your real clients and connections."""
    return Sandbox(SandboxOptions.build(**options), port=port, configure_environment=configure_environment)


class Sandbox:
    def __init__(self, options: SandboxOptions | None = None, port: int = 0,
                 configure_environment: bool = True) -> None:
        self.options = options or SandboxOptions()
        self.state = SandboxState(self.options)
        self._server = ServerThread(self.state, port)
        self.url = self._server.start()
        self._saved_env: dict | None = None
        self._temporary_home: str | None = None
        if configure_environment:
            self._configure_environment()

    # -- what a notebook needs ------------------------------------------------------------------------------------
    @property
    def client(self) -> OAuthClient:
        """The pre-registered demo client (confidential, v3), as the package's ``OAuthClient``."""
        return _as_oauth_client(self.state.registry.demo)

    @property
    def v2_client(self) -> OAuthClient:
        """The v2 built-in client (what ``LS_WIDGET_V2_CLIENT_ID``/``_SECRET`` name)."""
        return _as_oauth_client(self.state.registry.v2_builtin)

    @property
    def account_id(self) -> str:
        return self.state.account_ids[0]

    @property
    def clock(self):
        return self.state.clock

    def connection(self, **kwargs) -> "LightspeedConnection":
        """A ``LightspeedConnection`` for the sandbox: v3, the demo client, read scopes (all overridable). The
        client's registered redirect URI follows the panel's ``redirect_uri`` as soon as the panel shows one, as an
        analyst would paste it into Lightspeed's client page (any other panel's is registered when its sign-in
        reaches the authorize endpoint: panels.py)."""
        from ..panel import LightspeedConnection

        kwargs.setdefault("name", "Sandbox demo")
        kwargs.setdefault("api_type", "v3")
        kwargs.setdefault("scopes", list(DEFAULT_SCOPES.get(kwargs["api_type"], ())))
        if kwargs["api_type"] == "v3":
            kwargs.setdefault("oauth_client", self.client)
        chosen = kwargs.get("oauth_client")
        followers = [self.state.registry.v2_builtin.client_id]
        if isinstance(chosen, OAuthClient) and self.state.registry.get(chosen.client_id):
            followers.append(chosen.client_id)
        elif chosen is None or chosen == self.client.name:
            followers.append(self.state.registry.demo.client_id)
        conn = LightspeedConnection(**kwargs)

        def follow(change) -> None:
            uri = change["new"]
            if not uri:
                return
            for client_id in followers:
                try:
                    self.set_redirect_uri(client_id, uri)
                except ValueError as error:
                    log.warning("ls_widget sandbox: kept the old redirect URI of %s: %s", client_id, error)

        conn.observe(follow, names="redirect_uri")
        follow({"new": conn.redirect_uri})
        return conn

    def sign_in(self, conn) -> "LightspeedSession":
        """Play both of the analyst's clicks for ``conn`` (a panel or a plain ``Connection``): "Save and authorize",
        then "Authorize application" on the consent page; returns the session. For scripts and CI, where no one can
        click; in a notebook, click the panel instead."""
        return conn.complete_authorization(self.approve(conn.authorization_url()))

    def approve(self, authorization_url: str, decision: str = "approve", account: str | None = None) -> str:
        """Play the analyst's browser: open ``authorization_url`` (the consent page), click "Authorize application"
        (or "Deny" with ``decision="deny"``) and return the URL the browser is sent to (the client's registered
        redirect URI with ``code`` and ``state``, or ``error``). Raises ``ValueError`` with the OAuth error code
        when the consent page refuses the request itself (unknown client, bad scope)."""
        if not authorization_url.startswith(self.url + "/"):
            raise ValueError(f"{authorization_url!r} is not this sandbox's authorization URL ({self.url}).")
        with httpx.Client(timeout=10) as browser:
            page = browser.get(authorization_url)
            if page.status_code != 200:
                found = re.search(r'<code id="error">([^<]*)</code>', page.text)
                raise ValueError(found.group(1) if found else f"consent page answered {page.status_code}")
            request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
            form = {"request_id": request_id, "decision": "approve" if decision == "approve" else "deny"}
            if account is not None:
                form["account"] = account
            answer = browser.post(str(page.url.copy_with(query=None)), data=form)
        if answer.status_code != 302:
            raise ValueError(f"the consent form answered {answer.status_code}")
        return answer.headers["location"]

    # -- clients -----------------------------------------------------------------------------------------------------
    def register_client(self, name: str, redirect_uri: str, public: bool = False,
                        secret: str | bool | None = True, follows_the_panel: bool = False) -> OAuthClient:
        """Register an OAuth client (public: PKCE required, no secret unless you give one). Its redirect URI is
        ``redirect_uri`` for good, as at Lightspeed, unless ``follows_the_panel``: then, like the demo client's, it
        becomes the one shown by the panel of this process that signs in with it (panels.py)."""
        with self.state.lock:
            client = self.state.registry.register(name, redirect_uri, public=public, secret=secret,
                                                  follows_the_panel=follows_the_panel)
        return _as_oauth_client(client)

    def set_redirect_uri(self, client_id: str, uri: str) -> None:
        with self.state.lock:
            self.state.registry.set_redirect_uri(client_id, uri)

    def redirect_uri(self, client_id: str) -> str:
        client = self.state.registry.get(client_id)
        if client is None:
            raise KeyError(client_id)
        return client.redirect_uri

    # -- fault injection ---------------------------------------------------------------------------------------------
    def fail_next(self, count: int = 1, status: int = 503, target: str = "api") -> Fault:
        """The next ``count`` requests to ``target`` ("api", "token", "authorize", "any") get ``status``."""
        return self.state.faults.fail_next(count, status, target)

    def drop_next(self, count: int = 1, target: str = "api") -> Fault:
        """The next ``count`` requests to ``target`` have their connection closed without an answer."""
        return self.state.faults.drop_next(count, target)

    def delay_next(self, count: int = 1, seconds: float = 1.0, target: str = "api") -> Fault:
        """The next ``count`` requests to ``target`` are answered ``seconds`` late."""
        return self.state.faults.delay_next(count, seconds, target)

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def expire_access_tokens(self) -> int:
        """Every access token issued so far expires now; returns how many were live."""
        with self.state.lock:
            return self.state.tokens.expire_access_tokens()

    def revoke_refresh_tokens(self) -> int:
        """Every refresh token is revoked (as a merchant revoking access would); returns how many were live."""
        with self.state.lock:
            return self.state.tokens.revoke_refresh_tokens()

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox's time forward (codes and tokens age, buckets drain); returns the total offset."""
        return self.state.clock.advance(seconds)

    # -- changing data (for incremental sync) -------------------------------------------------------------------------
    def day_of_changes(self, edits: int | dict = 10, adds: int | dict = 5, archives: int | dict = 2,
                       deletes: int | dict = 1, resources=CHANGEABLE, seed: int | str | None = None,
                       account: str | None = None) -> dict:
        """Change the data "now" (the sandbox clock's current second, one ``timeStamp`` for every change): per
        resource of ``resources`` (Item, Customer, Sale), edit ``edits`` live records (a visible field changes), add
        ``adds``, archive ``archives`` (sales are voided instead) and delete ``deletes`` for good. A count is one
        number for every resource or ``{"Item": 3, ...}``. Sales stay consistent with their SaleLines and
        SalePayments, items with their ItemShop rows. ``seed`` picks the records (default: a new pick each call, the
        same sequence in every run). Returns the changed IDs: ``{"accountID", "timeStamp", "Item": {"edited",
        "added", "archived", "deleted"}, "Customer": {...}, "Sale": {"edited", "added", "voided", "deleted"},
        "SaleLine": {"edited", "added", "deleted"}, "SalePayment": {"edited", "added", "deleted"}}``.
        Details in changes.py."""
        return day_of_changes(self.state, edits=edits, adds=adds, archives=archives, deletes=deletes,
                              resources=resources, seed=seed, account=account)

    # -- life cycle --------------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the server, put the environment back and delete the temporary store, if the sandbox made one."""
        self._server.stop()
        self._restore_environment()
        if self._temporary_home is not None:
            shutil.rmtree(self._temporary_home, ignore_errors=True)
            self._temporary_home = None

    @property
    def running(self) -> bool:
        return self._server.running

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ls_widget sandbox {self.url} ({state}), account {self.account_id}, client {self.client.client_id}>"

    def _configure_environment(self) -> None:
        wanted = {AUTH_URL_ENV: self.url, API_URL_ENV: self.url,
                  V2_CLIENT_ID_ENV: self.state.registry.v2_builtin.client_id,
                  V2_CLIENT_SECRET_ENV: self.state.registry.v2_builtin.secret}
        if not os.environ.get(HOME_ENV):
            # Clients, connections and tokens made for the sandbox would be dead (or, named like a real one, would
            # replace it) in the analyst's own store: keep them apart, and delete them with the sandbox.
            self._temporary_home = tempfile.mkdtemp(prefix="ls-widget-sandbox-")
            wanted[HOME_ENV] = self._temporary_home
        self._saved_env = {name: os.environ.get(name) for name in wanted}
        os.environ.update(wanted)

    def _restore_environment(self) -> None:
        if self._saved_env is None:
            return
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = None


def _as_oauth_client(client: RegisteredClient) -> OAuthClient:
    return OAuthClient(client.name, client.client_id, client.secret)
