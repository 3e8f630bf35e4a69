"""Incremental, resumable sync of Lightspeed resources into DuckDB (default) or any dlt destination.

The engine: a session and a target in, a result out. It knows nothing of connections, the panel or the command line
(tests/test_import_layers.py holds it to that); ``conn.sync`` (connection.py) and ``ls_widget.sync_all``
(multi_sync.py) call it from above.

Needs the optional extra ``ls-widget[sync]`` (dlt with DuckDB), imported only when a sync, a read or a query runs,
so the core install and the panel stay light. Use it through a connection: ``conn.sync([...])``,
``conn.read("Item")``, ``conn.sql("select …")``, or ``ls_widget.sync_all(names, resources)`` for many at once;
``lightspeed_source(connection, resources)`` is the same sync as a dlt source for a team's own pipelines.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import SyncResult, TableResult
    from .source import lightspeed_source

__all__ = ["SyncResult", "TableResult", "lightspeed_source"]
# Imported on first use: ``import ls_widget`` imports this package (it hands connected.py the opener of saved
# connections), and the Jupyter server imports ls_widget for its OAuth callback route: dlt, DuckDB and httpx wait.
_WHERE = {"SyncResult": ".run", "TableResult": ".run", "lightspeed_source": ".source"}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
