"""Admin endpoints under ``/_sandbox/``: what ``Sandbox``'s methods do, for a client in another process (a browser
test driving ``python -m ls_widget.sandbox``). Not part of Lightspeed; never touched by fault injection. JSON in and
out (form fields work too); only ever served on 127.0.0.1.

- ``GET /_sandbox``: base URL, accounts, the demo and v2 built-in clients (with their secrets: they are the sandbox's
  own test credentials), other clients, pending faults, the clock offset.
- ``POST /_sandbox/clients`` ``{name, redirect_uri, public?}``: register a client; answers its ID and secret.
- ``PUT /_sandbox/clients/{client_id}`` ``{redirect_uri}``: change a client's redirect URI (the analyst editing the
  client page).
- ``POST /_sandbox/faults`` ``{kind: error|drop|delay, count?, status?, seconds?, target?}``; ``DELETE`` clears them.
- ``POST /_sandbox/tokens/expire``, ``POST /_sandbox/tokens/revoke``: expire every access token, revoke every
  refresh token.
- ``POST /_sandbox/clock/advance`` ``{seconds}``.
- ``POST /_sandbox/changes`` ``{edits?, adds?, archives?, deletes?, resources?, seed?, account?}``: a day of changes
  (changes.py), stamped with the sandbox clock's now; a count is a number or ``{"Item": 3, ...}``, ``resources`` a
  list or a comma-separated string of Item, Customer, Sale. Answers 201 with the changed IDs per resource, as
  ``Sandbox.day_of_changes`` returns them.
"""

from __future__ import annotations

import json

from .changes import CHANGEABLE, day_of_changes
from .handler import BaseHandler
from .registry import RegisteredClient


def client_json(client: RegisteredClient, secret: bool = True) -> dict:
    out = {"name": client.name, "client_id": client.client_id, "redirect_uri": client.redirect_uri,
           "public": client.public}
    if secret:
        out["client_secret"] = client.secret
    return out


class AdminHandler(BaseHandler):
    def fields(self) -> dict:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            try:
                data = json.loads(self.request.body or b"{}")
            except ValueError:
                data = None
            if not isinstance(data, dict):
                self.fail(400, "The body must be a JSON object.")
            return data
        return {k: v[-1].decode() for k, v in self.request.body_arguments.items()}

    def fail(self, status: int, message: str) -> None:
        self.send_json(status, {"error": message})
        raise _Done()

    def _execute_safely(self, action) -> None:
        try:
            with self.state.lock:
                status, body = action()
        except _Done:
            return
        except (ValueError, KeyError, TypeError) as error:
            self.send_json(400, {"error": str(error).strip("'\"")})
            return
        self.send_json(status, body)


class _Done(Exception):
    pass


class InfoHandler(AdminHandler):
    def get(self) -> None:
        def info():
            registry = self.state.registry
            return 200, {
                "url": self.state.base_url,
                "accounts": [a.account for a in self.state.accounts()],
                "demo_client": client_json(registry.demo),
                "v2_client": client_json(registry.v2_builtin),
                "clients": [client_json(c, secret=False) for c in registry.all()],
                "faults": [vars(f) for f in self.state.faults.pending()],
                "clock_offset": self.state.clock.offset,
                "days_of_changes": self.state.ledger.days,
            }
        self._execute_safely(info)


class ClientsHandler(AdminHandler):
    def post(self) -> None:
        def register():
            f = self.fields()
            public = str(f.get("public", "false")).lower() in ("1", "true")
            client = self.state.registry.register(f.get("name", ""), f.get("redirect_uri", ""), public=public)
            return 201, client_json(client)
        self._execute_safely(register)


class ClientHandler(AdminHandler):
    def put(self, client_id: str) -> None:
        def update():
            client = self.state.registry.set_redirect_uri(client_id, self.fields().get("redirect_uri", ""))
            return 200, client_json(client, secret=False)
        self._execute_safely(update)

    post = put


class FaultsHandler(AdminHandler):
    def post(self) -> None:
        def add():
            f = self.fields()
            kind, faults = f.get("kind"), self.state.faults
            count, target = int(f.get("count", 1)), f.get("target", "api")
            if kind == "error":
                fault = faults.fail_next(count, int(f.get("status", 503)), target)
            elif kind == "drop":
                fault = faults.drop_next(count, target)
            elif kind == "delay":
                fault = faults.delay_next(count, float(f.get("seconds", 1.0)), target)
            else:
                raise ValueError("kind must be error, drop or delay")
            return 201, vars(fault)
        self._execute_safely(add)

    def delete(self) -> None:
        def clear():
            self.state.faults.clear()
            return 200, {"faults": []}
        self._execute_safely(clear)


class TokensHandler(AdminHandler):
    def post(self, action: str) -> None:
        def act():
            if action == "expire":
                return 200, {"expired": self.state.tokens.expire_access_tokens()}
            return 200, {"revoked": self.state.tokens.revoke_refresh_tokens()}
        self._execute_safely(act)


class ClockHandler(AdminHandler):
    def post(self) -> None:
        def advance():
            return 200, {"offset": self.state.clock.advance(float(self.fields().get("seconds", 0)))}
        self._execute_safely(advance)


class ChangesHandler(AdminHandler):
    def post(self) -> None:
        def change():
            f = self.fields()
            options = {k: f[k] for k in ("edits", "adds", "archives", "deletes", "seed", "account") if k in f}
            # day_of_changes takes the state's lock itself; the RLock lets it nest inside _execute_safely's
            return 201, day_of_changes(self.state, resources=f.get("resources", CHANGEABLE), **options)
        self._execute_safely(change)


def routes(ctx: dict) -> list:
    return [
        (r"/_sandbox/?", InfoHandler, ctx),
        (r"/_sandbox/clients", ClientsHandler, ctx),
        (r"/_sandbox/clients/([^/]+)", ClientHandler, ctx),
        (r"/_sandbox/faults", FaultsHandler, ctx),
        (r"/_sandbox/tokens/(expire|revoke)", TokensHandler, ctx),
        (r"/_sandbox/clock/advance", ClockHandler, ctx),
        (r"/_sandbox/changes", ChangesHandler, ctx),
    ]
