"""Running the sandbox's HTTP server (tornado) on its own asyncio loop in a daemon thread.

Tornado comes with Jupyter (ipykernel and jupyter_server depend on it), so the sandbox costs a notebook user nothing
extra. The thread owns its loop, so the server runs the same inside a kernel (whose own loop is busy running cells)
as in a plain script. The server binds 127.0.0.1 only: the sandbox is never reachable from another machine.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .app import SandboxState, make_app

log = logging.getLogger("ls_widget.sandbox")
HOST = "127.0.0.1"


class ServerThread:
    def __init__(self, state: SandboxState, port: int = 0) -> None:
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
        self._server = HTTPServer(make_app(self.state))
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
