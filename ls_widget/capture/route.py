"""The Jupyter server handler of the OAuth callback page."""

from __future__ import annotations

from importlib.resources import files

from jupyter_server.base.handlers import JupyterHandler

from .marks import MARKER_HEADER

try:
    from jupyter_server.auth.decorator import allow_unauthenticated
except ImportError:  # jupyter_server < 2.13 lets undecorated handlers through anyway
    def allow_unauthenticated(method):
        return method

_PAGE = files(__package__).joinpath("callback.html").read_text(encoding="utf-8")


class CallbackHandler(JupyterHandler):
    """Serves the relay page for any query, to anyone: it holds nothing and only talks to same-origin windows.

    No login is required because the popup may not carry Jupyter's cookie in every deployment, and a login redirect
    would lose the code; the panel accepts a relayed code only for the state of the sign-in it started.
    """

    @allow_unauthenticated
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")  # the address carries the code: never pass it on
        self.set_header(MARKER_HEADER, "1")  # "this server serves the route": what the panel's probe looks for
        self.finish(_PAGE)
