"""The one step the sandbox plays for the analyst: registering the redirect URI the panel shows.

With Lightspeed, the analyst copies the panel's "Redirect URI" onto the client's page once (section 1.10 of
docs/lightspeed-api.md), and from then on the code goes there and nowhere else. The sandbox does that step for the
clients it hands out for trying the panel (``RegisteredClient.follows_the_panel``: the demo client and the v2
built-in one): when a sign-in with such a client reaches its authorize endpoint, the client's registered redirect
URI becomes the one the panel signing in shows. Every other client keeps the URI it was registered with, as at
Lightspeed, whatever the sign-in asks for.

How the endpoint knows that URI. The authorize request does not carry it: Lightspeed's has no ``redirect_uri``
parameter (ls_widget.oauth sends none, and the endpoint ignores one, so a crafted link cannot pick where a code goes),
and the browser's ``Referer`` is at most the notebook's origin (the notebook page is another origin, so the default
referrer policy drops the path), which holds neither Jupyter's ``base_url`` nor the capture mode (paste mode shows
``https://localhost`` whatever the page's address). Where the URI is known is where the analyst reads it: the panel's
``redirect_uri`` trait. So the endpoint looks at the panels of its own process, the way the analyst looks at the
notebook: the panel whose sign-in this is has ``status == "authorizing"`` and signs in with the request's client
(``credentials_for``, the panel's own rule), and the URI it shows is the one to register. Only public traits are read;
the panels are found in ipywidgets' table of live widgets (``ipywidgets.widgets.widget._instances``, the table it
resolves ``IPY_MODEL_`` references with), named here rather than hooked into the panel.

So it works for a sandbox started in the notebook's kernel (``sandbox.start()``), for any panel there, not only
``Sandbox.connection()``'s (the README signs in with a plain ``LightspeedConnection``). A sandbox in its own process
(``python -m ls_widget.sandbox``) sees no panel, and a script's connection shows no redirect URI: the client keeps
its registered one (``https://localhost``, Lightspeed's suggestion for testing; ``PUT /_sandbox/clients/{id}``
changes it). When panels signing in with one client show different URIs, the sandbox cannot tell which sign-in this
is (``state`` is the panel's secret): it keeps the registered URI and logs why.
"""

from __future__ import annotations

import logging
import sys

from ..credentials import credentials_for
from ..errors import LightspeedError
from ..profiles import get_profile

log = logging.getLogger("ls_widget.sandbox")
PANEL_MODULE = "ls_widget.panel"


def redirect_uri_shown(api_type: str, client_id: str) -> str | None:
    """The redirect URI shown by the panels of this process that are signing in on ``api_type`` with ``client_id``;
    ``None`` when none shows one, or when they disagree."""
    shown = {panel.redirect_uri for panel in _signing_in(api_type, client_id) if panel.redirect_uri}
    if len(shown) > 1:
        log.warning("ls_widget sandbox: %d panels sign in with client %s and show different redirect URIs (%s): "
                    "kept the registered one. Finish or cancel the other sign-ins, or register one with "
                    "Sandbox.set_redirect_uri.", len(shown), client_id, ", ".join(sorted(shown)))
        return None
    return shown.pop() if shown else None


def _signing_in(api_type: str, client_id: str) -> list:
    panel_module = sys.modules.get(PANEL_MODULE)
    if panel_module is None:  # no panel was ever made here (`python -m ls_widget.sandbox`, a script)
        return []
    from ipywidgets.widgets import widget as ipywidgets_widget  # loaded already, with the panel

    # list() copies the table in one step: the kernel's thread may add a widget while this (the server's) reads.
    live = list(ipywidgets_widget._instances.values())
    panels = [w for w in live if isinstance(w, panel_module.LightspeedConnection)]
    found = []
    for panel in panels:
        if panel.status != "authorizing" or panel.api_type != api_type:
            continue
        try:
            signs_in_with = credentials_for(get_profile(panel.api_type), panel.oauth_client).client_id
        except LightspeedError:  # its client was deleted since: not this sign-in
            continue
        if signs_in_with == client_id:
            found.append(panel)
    return found
