"""Incremental, resumable sync of Lightspeed resources into DuckDB (default) or any dlt destination.

Needs the optional extra ``ls-widget[sync]`` (dlt with DuckDB); nothing here is imported until a sync, a read or a
query runs, so the core install and the panel stay light. Use it through a connection: ``conn.sync([...])``,
``conn.read("Item")``, ``conn.sql("select …")``, or ``ls_widget.sync_all(names, resources)`` for many at once;
``lightspeed_source(connection, resources)`` is the same sync as a dlt source for a team's own pipelines.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .all import SyncAllResult, sync_all
    from .run import SyncResult, TableResult
    from .source import lightspeed_source

__all__ = ["SyncAllResult", "SyncResult", "TableResult", "lightspeed_source", "sync_all"]
# Imported on first use: ``python -m ls_widget.sync.worker`` (a store's process in sync_all) imports this package
# first, and most of those processes only hand their request to a zygote that has the sync's modules loaded already.
_WHERE = {"SyncAllResult": ".all", "sync_all": ".all", "SyncResult": ".run", "TableResult": ".run",
          "lightspeed_source": ".source"}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
