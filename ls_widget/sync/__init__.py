"""Incremental, resumable sync of Lightspeed resources into DuckDB (default) or any dlt destination.

Needs the optional extra ``ls-widget[sync]`` (dlt with DuckDB); nothing here is imported until a sync, a read or a
query runs, so the core install and the panel stay light. Use it through a connection: ``conn.sync([...])``,
``conn.read("Item")``, ``conn.sql("select …")``, or ``ls_widget.sync_all(names, resources)`` for many at once;
``lightspeed_source(connection, resources)`` is the same sync as a dlt source for a team's own pipelines.
"""

from __future__ import annotations

from .all import SyncAllResult, sync_all
from .run import SyncResult, TableResult
from .source import lightspeed_source

__all__ = ["SyncAllResult", "SyncResult", "TableResult", "lightspeed_source", "sync_all"]
