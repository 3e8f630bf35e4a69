"""Catching Lightspeed's redirect: a Jupyter server route that relays it to the panel.

Lightspeed sends the authorization code only to the redirect URI registered with the client. When that URI is this
Jupyter server's ``<base_url>ls-widget/oauth/callback``, the static page served there hands ``{code, state}`` (or
``{error}``) to the panel in the notebook's window (BroadcastChannel and ``postMessage``, both same-origin); the panel
checks the state and forwards it to the kernel. The page validates nothing itself: the panel and the kernel do.

The package enables this extension through ``etc/jupyter/jupyter_server_config.d/ls_widget.json``, installed with it.

Not every server that shows a notebook serves extension routes (standalone Voila answers ``403 File not
allowlisted``; an administrator may disable the extension). So the page marks itself, with the ``MARKER_HEADER``
header and the ``MARKER_META`` tag, and the panel probes the route once per page (a GET with ``?probe=1``, no code,
no state) before relying on it; without the mark it falls back to paste mode (js/redirect.js).
"""

from __future__ import annotations

from .. import __version__  # what jupyter_server's ExtensionPackage reports (`jupyter server extension list`)

from .marks import CALLBACK_PATH, MARKER_HEADER, MARKER_META

__all__ = ["CALLBACK_PATH", "MARKER_HEADER", "MARKER_META", "__version__"]


def _jupyter_server_extension_points():
    return [{"module": "ls_widget.capture"}]


def _load_jupyter_server_extension(server_app) -> None:
    from jupyter_server.utils import url_path_join

    from .route import CallbackHandler

    web_app = server_app.web_app
    route = url_path_join(web_app.settings.get("base_url", "/"), CALLBACK_PATH)
    web_app.add_handlers(".*$", [(route, CallbackHandler)])
    server_app.log.info("ls_widget: Lightspeed OAuth callback served at %s", route)


# Older Jupyter servers look for the un-prefixed names.
load_jupyter_server_extension = _load_jupyter_server_extension
