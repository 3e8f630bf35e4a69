"""Where a connection's synced tables live: a dlt pipeline on a destination, and reading the tables back.

By default one DuckDB file per connection under ``LS_WIDGET_HOME/sync/`` (embedded, nothing to run). Any dlt
destination works instead, by name (``"postgres"``, ``"bigquery"``, ``"snowflake"``, ``"motherduck"``,
``"filesystem"``) or as a dlt destination object, configured with dlt's own credentials (environment variables
such as ``DESTINATION__POSTGRES__CREDENTIALS`` or ``.dlt/secrets.toml``): the tables then go to a dataset named after
the connection, so several connections share one warehouse without colliding.

On a filesystem destination (Parquet files, locally or in a bucket) tables are Delta tables: Parquet files plus a
log, which is what lets dlt merge by key there (plain Parquet files could only be appended to); reading them back
uses the ``deltalake`` package, so nothing has to be downloaded at run time.

Column names stay Lightspeed's (``itemID``, ``timeStamp``: dlt's "direct" naming), nested objects are kept as
JSON columns (one table per resource, no child tables), and ``timeStamp`` is a real timestamp column.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any, Iterable

from .. import names, store
from ..errors import SyncError

DATASET = "lightspeed"
DELETED = "_ls_deleted"  # rows carrying True here are deleted by the merge (dlt's hard_delete hint)
_BOOKKEEPING = ("_dlt_load_id", "_dlt_id", DELETED)


class _JsonHintNotice(logging.Filter):
    """Drops dlt's warning that an Arrow column's type differs from its hint. The sync sends nested objects as JSON
    text (arrow.py) and hints those columns as JSON so the destination stores JSON: the difference is the point, and
    the warning would print in red in every notebook that syncs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


def _dlt():
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


class Target:
    """One connection's tables at one destination (its dlt pipeline, with the sync state stored beside the data)."""

    def __init__(self, connection_name: str, destination: Any = None) -> None:
        dlt = _dlt()
        self.connection_name = connection_name
        sync_dir = store.private_dir("sync")
        if destination is None or _is_duckdb_path(destination):
            # The connection's own file, or one the analyst names ("~/shops/downtown.duckdb").
            self.path: Path | None = (Path(destination).expanduser() if destination is not None
                                      else sync_dir / f"{names.file_stem(connection_name)}.duckdb")
            destination = dlt.destinations.duckdb(str(self.path))
            self.dataset, self.label = DATASET, str(self.path)
        else:
            self.path = None
            # A shared warehouse holds many connections: one dataset each, named after the connection.
            slug = re.sub(r"[^a-z0-9]+", "_", connection_name.casefold()).strip("_")[:40] or "connection"
            self.dataset = f"{DATASET}_{slug}"
            self.label = destination if isinstance(destination, str) else getattr(destination, "destination_name",
                                                                                    type(destination).__name__)
        # The pipeline (and so the sync state) belongs to this connection at this destination: another bucket or
        # database of the same kind gets its own.
        params = getattr(destination, "config_params", None) or {}
        # Only what names the place (dlt adds its own entries to config_params once a pipeline uses it).
        where = [str(params[k]) for k in ("bucket_url", "credentials") if isinstance(params.get(k), str)]
        digest = hashlib.sha256(f"{connection_name}\0{self.label}\0{self.dataset}\0{where}".encode()).hexdigest()[:16]
        try:
            self.pipeline = dlt.pipeline(
                f"ls_widget_{digest}", destination=destination, dataset_name=self.dataset,
                pipelines_dir=str(sync_dir / "pipelines"),
            )
        except Exception as exc:  # noqa: BLE001 - dlt's configuration errors come in many types
            raise SyncError(f"Could not set up the destination {self.label!r}: {exc}") from None
        self.files = str(getattr(self.pipeline.destination, "destination_type", "")).endswith("filesystem")

    # -- loading ---------------------------------------------------------------------------------------------------
    def load(self, resources: list) -> None:
        """Load dlt resources (data and sync state together, in one load: a kill leaves both or neither)."""
        dlt = _dlt()
        if self.pipeline.has_pending_data:  # never: state() finished any; dlt would drop these resources for it
            raise SyncError(f"{self.label} has an unfinished load: run the sync again to complete it first.")
        try:
            self.pipeline.run(resources, schema=dlt.Schema(DATASET, normalizers={"names": "direct"}),
                              loader_file_format="parquet" if self.files else None)
        except Exception as exc:  # noqa: BLE001 - surfaced as one typed error, with dlt's explanation
            raise SyncError(f"Loading into {self.label} failed: {_root_message(exc)}") from exc

    def resource(self, rows, table: str, key: str, *, parent_key: str | None = None, state: dict | None = None,
                 timestamp: bool = True, json_columns: Iterable[str] = ()):
        """A dlt resource merging ``rows`` (an Arrow table, or dicts) into ``table`` by ``key``; ``state`` is stored
        with the rows; ``timestamp``: the records carry ``timeStamp``, typed as a timestamp column (Register's do
        not); ``json_columns``: columns of JSON text, stored as JSON."""
        dlt = _dlt()

        def produce():
            if state is not None:
                dlt.current.resource_state().update(state)
            yield rows if hasattr(rows, "num_rows") else list(rows)

        columns = {DELETED: {"data_type": "bool", "hard_delete": True, "nullable": True}}
        if timestamp:
            columns["timeStamp"] = {"data_type": "timestamp", "nullable": True}
        for name in json_columns:
            columns[name] = {"data_type": "json", "nullable": True}
        return dlt.resource(produce(), name=table, primary_key=key, merge_key=parent_key, write_disposition="merge",
                            max_table_nesting=0, columns=columns, table_format="delta" if self.files else None)

    def state(self, table: str) -> dict:
        """The sync state stored with ``table`` (restored from the destination when this machine has none).

        A load a killed sync left half done (extracted and normalized, not yet in the destination) is finished
        first: dlt would otherwise load it in place of the next chunk, and that chunk would be lost.
        """
        try:
            self.pipeline.sync_destination()
            if self.pipeline.has_pending_data:
                self.pipeline.load()
        except Exception as exc:  # noqa: BLE001
            raise SyncError(f"Could not reach the destination {self.label}: {_root_message(exc)}") from None
        sources = self.pipeline.state.get("sources") or {}
        found = ((sources.get(DATASET) or {}).get("resources") or {}).get(table)
        return dict(found) if isinstance(found, dict) else {}

    def column_kinds(self, table: str) -> dict:
        """``{"json_columns": [...], "text_columns": [...]}``: how the destination already holds ``table``'s columns,
        which a new chunk keeps (arrow.py)."""
        try:
            columns = self.pipeline.default_schema.tables.get(table, {}).get("columns", {})
        except Exception:  # noqa: BLE001 - no schema yet: nothing was ever loaded
            columns = {}
        kinds = {"json_columns": [], "text_columns": []}
        for name, column in columns.items():
            kind = column.get("data_type")
            if kind == "json":
                kinds["json_columns"].append(name)
            elif kind == "text":
                kinds["text_columns"].append(name)
        return kinds

    # -- reading ---------------------------------------------------------------------------------------------------
    def query(self, sql: str):
        """The result of ``sql`` as a DataFrame (tables are named as the resources: ``select * from Item``)."""
        try:
            if self.files:
                return self._query_files(sql)
            with self.pipeline.sql_client() as client:
                with client.execute_query(sql) as cursor:
                    return cursor.df()
        except SyncError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SyncError(f"The query failed in {self.label}: {_root_message(exc)}") from None

    def _query_files(self, sql: str):
        """SQL over Delta tables, queried in an in-memory DuckDB. Only the tables the query names are opened, each
        as a lazy Arrow dataset: DuckDB reads the files it needs (a count reads no rows), never whole tables into
        memory first."""
        import duckdb
        from dlt.common.libs.deltalake import get_delta_tables

        named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql))
        tables = [t for t in self.pipeline.default_schema.data_table_names() if t in named and self.has_table(t)]
        connection = duckdb.connect()
        try:
            for name, delta in (get_delta_tables(self.pipeline, *tables) if tables else {}).items():
                connection.register(name, delta.to_pyarrow_dataset())
            return connection.sql(sql).df()
        finally:
            connection.close()

    def table(self, table: str):
        """The current rows of ``table``, without dlt's bookkeeping columns (empty when nothing was synced)."""
        if not self.has_table(table):
            import pandas as pd

            return pd.DataFrame()
        frame = self.query(f"select * from {self.qualified(table)}")
        return frame.drop(columns=[c for c in _BOOKKEEPING if c in frame.columns])

    def keys(self, table: str, key: str, where: str = "") -> set[str]:
        if not self.has_table(table):
            return set()
        frame = self.query(f"select {self.quoted(key)} from {self.qualified(table)} {where}")
        return {str(value) for value in frame.iloc[:, 0].tolist()} if len(frame.columns) else set()

    def pairs(self, table: str, key: str, parent_key: str, parents: list[str]) -> set[tuple[str, str]]:
        """(key, parent key) of the rows of ``table`` whose parent is one of ``parents``."""
        found: set[tuple[str, str]] = set()
        for start in range(0, len(parents), 500):  # a bounded IN list per query
            listed = ", ".join("'" + p.replace("'", "''") + "'" for p in parents[start:start + 500])
            frame = self.query(f"select {self.quoted(key)}, {self.quoted(parent_key)} from {self.qualified(table)} "
                               f"where {self.quoted(parent_key)} in ({listed})")
            found.update((str(k), str(p)) for k, p in frame.itertuples(index=False))
        return found

    def counts(self, tables) -> dict[str, int]:
        """Rows in each of ``tables`` (0 for one not synced yet), in one query: each query opens a connection."""
        present = [table for table in tables if self.has_table(table)]
        found = dict.fromkeys(tables, 0)
        if present:
            row = self.query("select " + ", ".join(f"(select count(*) from {self.qualified(t)})" for t in present))
            found.update({table: int(value) for table, value in zip(present, row.iloc[0].tolist())})
        return found

    def count(self, table: str) -> int:
        if not self.has_table(table):
            return 0
        return int(self.query(f"select count(*) as n from {self.qualified(table)}").iloc[0, 0])

    def has_table(self, table: str) -> bool:
        try:
            schema = self.pipeline.default_schema
        except Exception:  # noqa: BLE001 - no schema yet: nothing was ever loaded
            return False
        return table in schema.tables and bool(schema.tables[table].get("columns"))

    def qualified(self, table: str) -> str:
        if self.files:
            return self.quoted(table)
        with self.pipeline.sql_client() as client:
            return client.make_qualified_table_name(table)

    def quoted(self, column: str) -> str:
        if self.files:  # DuckDB's quoting, for the in-memory query over the files
            return '"' + column.replace('"', '""') + '"'
        with self.pipeline.sql_client() as client:
            return client.escape_column_name(column)


def _is_duckdb_path(destination: Any) -> bool:
    return isinstance(destination, (str, Path)) and str(destination).endswith((".duckdb", ".db"))


def _root_message(exc: BaseException) -> str:
    """The innermost explanation in a chain of wrapped exceptions (dlt wraps each step's error)."""
    seen = exc
    while seen.__cause__ is not None or getattr(seen, "exception", None) is not None:
        seen = seen.__cause__ or seen.exception  # type: ignore[attr-defined]
    text = str(seen).strip().splitlines()
    return (text[0] if text else type(seen).__name__)[:500]
