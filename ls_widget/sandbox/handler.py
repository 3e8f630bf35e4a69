"""What every sandbox response carries: the base of every route's handler, and the answer to an unknown path.

A handler is given the ``SandboxState`` (and, for some routes, which API type it serves) by ``app.make_app``.
"""

from __future__ import annotations

import asyncio
import json
import secrets

import tornado.web
from tornado import httputil

from .errors import ApiProblem
from .state import SandboxState


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
            with self.state.faults.held():
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
