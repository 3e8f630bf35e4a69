"""Catching Lightspeed's redirect: a Jupyter server route that relays it to the panel.

Lightspeed sends the authorization code only to the redirect URI registered with the client. When that URI is this
Jupyter server's ``<base_url>ls-widget/oauth/callback``, the static page served there hands ``{code, state}`` (or
``{error}``) to the panel in the notebook's window (BroadcastChannel and ``postMessage``, both same-origin); the panel
checks the state and forwards it to the kernel. The page validates nothing itself: the panel and the kernel do.

The package enables this extension through ``etc/jupyter/jupyter_server_config.d/ls_widget.json``, installed with it.
"""

from __future__ import annotations

CALLBACK_PATH = "ls-widget/oauth/callback"


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
