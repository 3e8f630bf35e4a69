"""Running the sandbox's HTTP server (tornado) on its own asyncio loop in a daemon thread.

Tornado comes with Jupyter (ipykernel and jupyter_server depend on it), so the sandbox costs a notebook user nothing
extra. The thread owns its loop, so the server runs the same inside a kernel (whose own loop is busy running cells)
as in a plain script. The server binds 127.0.0.1 only: the sandbox is never reachable from another machine.

Headers too large get an answer, as from a real front end (nginx, Cloudflare), not a connection closed in silence:
the server reads request headers up to ``READ_HEADER_BYTES`` and answers any request whose headers total more than
``MAX_HEADER_BYTES`` with a 431 and a JSON body saying so, before a handler runs (UNCONFIRMED: the limit and the
status of Lightspeed's own front end are not documented; 64 KiB is tornado's and a common front end's default).
Only headers past ``READ_HEADER_BYTES`` still close the connection unanswered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading

from tornado import httputil
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .app import make_app
from .errors import ApiProblem
from .state import SandboxState

log = logging.getLogger("ls_widget.sandbox")
HOST = "127.0.0.1"
MAX_HEADER_BYTES = 64 * 1024  # request line and headers together; more is a 431
READ_HEADER_BYTES = 16 * 1024 * 1024  # read this much before answering, so the client is not cut off mid-send


class ServerThread:
    def __init__(self, state: SandboxState, port: int = 0) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            # Not left to the socket layer: it takes 99999 modulo 65536 and serves on 34463 without a word.
            raise ValueError(f"port must be a whole number from 0 (any free port) to 65535, not {port!r}")
        self.state = state
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> str:
        """Bind and serve; returns the base URL once the socket listens (or raises what binding raised)."""
        self._thread = threading.Thread(target=self._run, name=f"ls_widget-sandbox:{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("The sandbox server did not start in time.")
        if self._error is not None:
            raise self._error
        return self.state.base_url

    def stop(self, timeout: float = 5.0) -> None:
        loop = self._loop
        if loop is None or not self.running:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        self._thread.join(timeout)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._listen())
        except BaseException as error:  # noqa: BLE001 - handed to the starting thread
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _listen(self) -> None:
        sockets = bind_sockets(self.port, HOST)
        self.port = sockets[0].getsockname()[1]
        self.state.base_url = f"http://{HOST}:{self.port}"
        self._server = HTTPServer(_FrontEnd(make_app(self.state)), max_header_size=READ_HEADER_BYTES)
        self._server.add_sockets(sockets)
        log.info("ls_widget sandbox listening on %s", self.state.base_url)

    async def _shutdown(self) -> None:
        try:
            self._server.stop()
            await asyncio.wait_for(self._server.close_all_connections(), 2.0)
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            asyncio.get_running_loop().stop()


class _FrontEnd(httputil.HTTPServerConnectionDelegate):
    """The application behind a front end that refuses oversized headers with an answer (see the module doc)."""

    def __init__(self, app: httputil.HTTPServerConnectionDelegate) -> None:
        self.app = app

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        return _HeaderLimit(self.app.start_request(server_conn, request_conn), request_conn)

    def on_close(self, server_conn: object) -> None:
        self.app.on_close(server_conn)


class _HeaderLimit(httputil.HTTPMessageDelegate):
    def __init__(self, inner: httputil.HTTPMessageDelegate, conn: httputil.HTTPConnection) -> None:
        self.inner, self.conn, self.refused = inner, conn, False

    def headers_received(self, start_line, headers: httputil.HTTPHeaders):
        size = len(start_line.method) + len(start_line.path) + len(start_line.version) + 4
        size += sum(len(name) + len(value) + 4 for name, value in headers.get_all())
        if size <= MAX_HEADER_BYTES:
            return self.inner.headers_received(start_line, headers)
        self.refused = True
        log.debug("431 %s %s: %d bytes of headers", start_line.method, start_line.path[:80], size)
        problem = ApiProblem(431, f"Request header fields too large: {size:,} bytes, more than the "
                                  f"{MAX_HEADER_BYTES:,} this server accepts.")
        body = json.dumps(problem.body(), separators=(",", ":")).encode()
        self.conn.write_headers(
            httputil.ResponseStartLine("HTTP/1.1", 431, "Request Header Fields Too Large"),
            httputil.HTTPHeaders({"Content-Type": "application/json", "Content-Length": str(len(body)),
                                  "Connection": "close", "Server": "ls_widget-sandbox",
                                  "Cf-Ray": f"{secrets.token_hex(8)}-SBX"}),
            body,
        )
        self.conn.finish()
        return None

    def data_received(self, chunk: bytes):
        if not self.refused:
            return self.inner.data_received(chunk)
        return None

    def finish(self) -> None:
        if not self.refused:
            self.inner.finish()

    def on_connection_close(self) -> None:
        if not self.refused:
            self.inner.on_connection_close()
