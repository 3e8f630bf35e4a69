"""A scriptable HTTP server on 127.0.0.1 that answers whatever a test tells it to: a misbehaving Lightspeed.

Each answer is ``(status, headers, body)``; the server records every request it receives (method, path, headers),
so a test can prove what was, and what was never, sent to it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Answer = tuple[int, dict, bytes]


def answer(status: int = 200, body: Any = None, headers: dict | None = None, raw: bytes | None = None) -> Answer:
    """An answer: ``body`` as JSON, or ``raw`` bytes as they are."""
    data = raw if raw is not None else json.dumps(body).encode()
    return status, {"Content-Type": "application/json", **(headers or {})}, data


@dataclass
class Received:
    method: str
    path: str
    headers: dict


@dataclass
class HostileServer:
    """Answers ``routes[path without query]`` (a fixed answer or a function of the request); 404 otherwise."""

    routes: dict[str, Answer | Callable[[Received], Answer]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def start(self) -> "HostileServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
                server.received.append(request)
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    status, headers, body = answer(404, {"message": "no such route"})
                else:
                    status, headers, body = route(request) if callable(route) else route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:  # quiet test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bearer_requests(self) -> list[Received]:
        return [r for r in self.received if "authorization" in r.headers]
