"""Incremental, resumable sync of Lightspeed resources into DuckDB (default) or any dlt destination.

Needs the optional extra ``ls-widget[sync]`` (dlt with DuckDB); nothing here is imported until a sync, a read or a
query runs, so the core install and the panel stay light. Use it through a connection: ``conn.sync([...])``,
``conn.read("Item")``, ``conn.sql("select …")``, or ``ls_widget.sync_all(names, resources)`` for many at once.
"""

from __future__ import annotations

from .all import SyncAllResult, sync_all
from .run import SyncResult, TableResult

__all__ = ["SyncAllResult", "SyncResult", "TableResult", "sync_all"]
