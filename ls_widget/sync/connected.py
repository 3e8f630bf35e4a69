"""What the sync's public entry points take as a connection, without the engine knowing what a connection is.

The engine (this package) reads through a ``LightspeedSession``; that session knows its account. So
``lightspeed_source(connection, ...)`` takes anything that has one: the session itself, or an object with a
``session`` property (``Connection``, the panel ``LightspeedConnection``); or a saved connection's name.

Opening a saved connection by name is the connection layer's job (``Connection.load``: its settings, its sign-in, one
request proving the sign-in still works), and the engine may not import that layer (no arrow runs back up:
tests/test_import_layers.py). The package's top, ls_widget/__init__.py, which sits above every layer, hands the opener
in with ``open_saved_with`` as ``ls_widget`` is imported, which Python does before anything in this package runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from ..session import LightspeedSession

SavedOpener = Callable[[str], Any]  # a saved connection's name -> an object with a ``session``

_open_saved: SavedOpener | None = None


def open_saved_with(opener: SavedOpener) -> None:
    """Open saved connections by name with ``opener`` (set once, by ls_widget/__init__.py)."""
    global _open_saved
    _open_saved = opener


def session_of(connection: Any, *, needed_by: str) -> "LightspeedSession":
    """The session to read through: ``connection`` is a session, has one (``.session``), or is a saved connection's
    name. Anything else is a ``ConfigurationError`` naming ``needed_by`` (the entry point the caller used)."""
    from ..session import LightspeedSession

    if isinstance(connection, str):
        if _open_saved is None:
            raise ConfigurationError(f"{needed_by} cannot open the saved connection {connection!r} here: import "
                                     "ls_widget (which knows how) rather than loading this module on its own.")
        connection = _open_saved(connection)
    if isinstance(connection, LightspeedSession):
        return connection
    # A connection's session raises NotConnectedError (saying what to do) when it is not signed in: that goes through.
    session = getattr(connection, "session", None)
    if not isinstance(session, LightspeedSession):
        raise ConfigurationError(f"{needed_by} needs a connection (conn, or the panel), a LightspeedSession or a "
                                 f"saved connection's name, not {type(connection).__name__}.")
    return session
