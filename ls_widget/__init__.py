"""ls_widget: connect a Jupyter notebook to a Lightspeed Retail (R-Series) account.

``LightspeedConnection()`` shows the connection panel; ``OAuthClient`` stores the OAuth 2.0 client you registered
at Lightspeed; ``conn.session`` is the ready ``LightspeedSession``. See the README for the whole flow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .catalogue import resources
from .clients import OAuthClient, oauth_clients
from .connections import saved_connections
from .errors import (
    ApiError,
    AuthorizationError,
    ClientNotFoundError,
    ConfigurationError,
    LightspeedError,
    NotConnectedError,
    StoreError,
    SyncError,
)
from .sync.connected import open_saved_with

if TYPE_CHECKING:
    from .panel import LightspeedConnection
    from .session import LightspeedSession
    from .multi_sync import sync_all

# The panel and the session pull in anywidget, ipywidgets, httpx and the token code. They load on first use so that the
# Jupyter server, which imports this package for its OAuth callback route (ls_widget.capture), starts fast.
_LAZY = {"LightspeedConnection": ".panel", "LightspeedSession": ".session", "sync_all": ".multi_sync"}


def _open_saved(name: str):
    # The sync engine (ls_widget.sync) takes a session and may not import the layer above it, so this, the top of the
    # package, tells it how to open a saved connection by name: lightspeed_source("Downtown", [...]).
    from .connection import Connection

    return Connection.load(name)


open_saved_with(_open_saved)
del open_saved_with


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ApiError",
    "AuthorizationError",
    "ClientNotFoundError",
    "ConfigurationError",
    "LightspeedConnection",
    "LightspeedError",
    "LightspeedSession",
    "NotConnectedError",
    "OAuthClient",
    "oauth_clients",
    "resources",
    "saved_connections",
    "StoreError",
    "SyncError",
    "sync_all",
]


def _installed_version() -> str:
    # The version is declared once, in pyproject.toml; the installed metadata carries it here (and, through
    # ls_widget.capture, to `jupyter server extension list`).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ls-widget")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


__version__ = _installed_version()
del _installed_version
