"""The sandbox's shared state, its routes, and what every response carries.

One ``SandboxState`` holds everything a request may touch (clients, codes, tokens, buckets, faults, the clock, the
accounts a day of changes forked); a single lock serialises requests and the in-process methods of ``Sandbox`` that
change it from other threads.
Auth and API share one base URL, as ``LS_WIDGET_AUTH_URL`` and ``LS_WIDGET_API_URL`` both point at it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading

import tornado.web
from tornado import httputil

from .changes import Ledger
from .clock import Clock
from .codes import CodeStore
from .config import SandboxOptions
from .data import AccountData, account_data, account_ids
from .errors import ApiProblem
from .faults import Faults
from .ratelimit import RateLimiter
from .registry import ClientRegistry
from .signing import Signer
from .tokens import TokenService

log = logging.getLogger("ls_widget.sandbox")


class SandboxState:
    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.lock = threading.RLock()
        self.clock = Clock()
        self.base_url = ""  # known once the socket is bound
        self.registry = ClientRegistry(options.data.seed, options.demo_redirect_uri)
        self.codes = CodeStore(self.clock, options.code_lifetime, options.v2_code_lifetime)
        self.signer = Signer()
        self.tokens = TokenService(self.clock, options, self.signer, lambda: self.base_url)
        self.limiter = RateLimiter(self.clock, options.bucket_size, options.drip_rate, options.burst_limit)
        self.faults = Faults()
        self.account_ids = account_ids(options.data)
        self.ledger = Ledger()  # changes.py: this sandbox's own copies of the accounts it changed

    def account(self, account_id: str) -> AccountData | None:
        if account_id not in self.account_ids:
            return None
        changed = self.ledger.accounts.get(account_id)
        return changed or account_data(self.options.data, self.account_ids.index(account_id))

    def accounts(self) -> list[AccountData]:
        return [self.account(account_id) for account_id in self.account_ids]


class BaseHandler(tornado.web.RequestHandler):
    """Common to every sandbox route: a ``Cf-Ray`` id, JSON helpers, and the fault injection hook."""

    fault_target: str | None = None

    def initialize(self, state: SandboxState, **kwargs) -> None:
        self.state = state
        for name, value in kwargs.items():
            setattr(self, name, value)
        # Lightspeed's Date and its records' timeStamps come from one clock; the sandbox's is its own (tests move it
        # forward), so the Date must follow it, not this machine's (a sync trusts no mark past the Date).
        self.set_header("Date", httputil.format_timestamp(state.clock.time()))

    def set_default_headers(self) -> None:
        self.set_header("Server", "ls_widget-sandbox")
        self.set_header("Cf-Ray", f"{secrets.token_hex(8)}-SBX")  # "include this value when reporting issues"

    def check_xsrf_cookie(self) -> None:  # OAuth and API requests carry no cookies
        pass

    def compute_etag(self) -> None:  # Lightspeed sends no ETag; conditional requests would hide the headers
        return None

    async def prepare(self) -> None:
        fault = self.state.faults.take(self.fault_target) if self.fault_target else None
        if fault is None:
            return
        if fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        elif fault.kind == "drop":
            self.request.connection.stream.close()  # no status line at all, as a reset connection
            raise tornado.web.Finish()
        else:
            problem = ApiProblem(fault.status, "Injected fault: the sandbox was asked to fail this request.")
            self.send_json(problem.status, problem.body())
            raise tornado.web.Finish()

    def send_json(self, status: int, body, headers: dict | None = None) -> None:
        self.set_status(status)
        for name, value in (headers or {}).items():
            self.set_header(name, value)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, separators=(",", ":")))

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code == 405:
            body = ApiProblem(405, f"{self.request.method} is not supported here.").body()
        else:
            body = ApiProblem(status_code, self._reason).body()
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, separators=(",", ":")))


class NotFoundHandler(BaseHandler):
    def prepare(self) -> None:
        problem = ApiProblem(404, f"No such path: {self.request.path}")
        self.send_json(404, problem.body())


def make_app(state: SandboxState) -> tornado.web.Application:
    from . import admin, api, authorize, oauth  # the handlers need BaseHandler from here

    ctx = {"state": state}
    routes = [
        (r"/auth/oauth/authorize", authorize.AuthorizeHandler, {**ctx, "profile": "v3"}),
        (r"/oauth/authorize\.php", authorize.AuthorizeHandler, {**ctx, "profile": "v2"}),
        (r"/auth/oauth/token", oauth.TokenHandler, {**ctx, "profile": "v3"}),
        (r"/oauth/access_token\.php", oauth.TokenHandler, {**ctx, "profile": "v2"}),
        (r"/auth/oauth/revoke", oauth.RevokeHandler, ctx),
        (r"/auth/oauth/introspect", oauth.IntrospectHandler, ctx),
        (r"/\.well-known/jwks", oauth.JwksHandler, ctx),
        (r"/API/V3/Account(?:\.json)?", api.AccountsHandler, {**ctx, "profile": "v3"}),
        (r"/API/Account(?:\.json)?", api.AccountsHandler, {**ctx, "profile": "v2"}),
        (r"/API/V3/Account/(.+)", api.ResourceHandler, {**ctx, "profile": "v3"}),
        (r"/API/Account/(.+)", api.ResourceHandler, {**ctx, "profile": "v2"}),
    ]
    if state.options.admin_endpoints:
        routes += admin.routes(ctx)
    return tornado.web.Application(
        routes,
        default_handler_class=NotFoundHandler,
        default_handler_args=ctx,
        log_function=_log_request,
        compress_response=False,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    log.debug("%s %s %s %.1fms", handler.get_status(), handler.request.method, handler.request.uri,
              1000 * handler.request.request_time())
