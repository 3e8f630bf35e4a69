"""Which destinations a sync can write to, checked before anything runs; and dlt, imported on first use.

A destination is a DuckDB file (a path ending in ``.duckdb`` or ``.db``), a dlt destination's name (``"postgres"``)
or a dlt destination object. dlt is the optional ``sync`` extra: importing it here says how to install it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, SyncError


class _JsonHintNotice(logging.Filter):
    """Drops dlt's warning that an Arrow column's type differs from its hint. The sync sends nested objects as JSON
    text (arrow.py) and hints those columns as JSON so the destination stores JSON: the difference is the point, and
    the warning would print in red in every notebook that syncs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


def import_dlt():
    """dlt, or a ``SyncError`` saying how to install it (the sync extra) or that its install is broken."""
    try:
        import dlt
    except ImportError as error:
        if error.name == "dlt":
            raise SyncError("Syncing needs the 'sync' extra: pip install 'ls-widget[sync]'.") from None
        # dlt is there but broken (half installed, a dependency missing): saying "install it" would mislead.
        raise SyncError(f"dlt is installed but cannot be imported ({error}); reinstall it: "
                        "pip install --force-reinstall 'ls-widget[sync]'.") from error
    logger = logging.getLogger("dlt")
    if not any(isinstance(f, _JsonHintNotice) for f in logger.filters):
        logger.addFilter(_JsonHintNotice())
    return dlt


def check_destination(destination: Any) -> None:
    """``ConfigurationError`` for a ``destination=`` that is neither a DuckDB file nor a dlt destination."""
    if destination is None or is_duckdb_path(destination):
        return
    check_dlt_destination(destination)


def check_dlt_destination(destination: Any) -> None:
    if isinstance(destination, str):
        import_dlt()
        from dlt.common.destination import Destination

        try:
            Destination.from_reference(destination)  # resolves the name only: nothing is connected to
            return
        except Exception:  # noqa: BLE001 - unknown names come in several exception types
            pass
        raise ConfigurationError(
            f"destination={destination!r} is neither a DuckDB file (a path ending in .duckdb or .db, e.g. "
            "'~/shops/downtown.duckdb') nor a dlt destination's name (postgres, bigquery, snowflake, motherduck, "
            "filesystem, ...).")
    if isinstance(destination, Path) or not hasattr(destination, "destination_name"):
        raise ConfigurationError(f"destination must be a DuckDB file's path (ending in .duckdb or .db), a dlt "
                                 f"destination's name or a dlt destination object, not {destination!r}.")


def is_duckdb_path(destination: Any) -> bool:
    return isinstance(destination, (str, Path)) and str(destination).endswith((".duckdb", ".db"))


def local_path(destination: Any) -> Path:
    return Path(os.path.abspath(Path(destination).expanduser())).resolve()
