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
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from .. import names, store
from ..errors import ConfigurationError, SyncError
from .destinations import check_destination, check_dlt_destination, import_dlt, is_duckdb_path, local_path
from . import explain, reading

__all__ = ["DATASET", "DELETED", "PIPELINE", "Target", "check_destination", "default_path", "import_dlt",
           "move_default_tables", "tables_in_the_way"]

DATASET = "lightspeed"
DELETED = "_ls_deleted"  # rows carrying True here are deleted by the merge (dlt's hard_delete hint)
_BOOKKEEPING = ("_dlt_load_id", "_dlt_id", DELETED)
# One pipeline name everywhere: the sync state lives in the dataset (dlt's _dlt_pipeline_state), so whoever syncs
# into a dataset, under whatever spelling of its place, finds the state already there (and the account it belongs
# to). The working folder on this machine is per place and dataset (Target._key).
PIPELINE = "ls_widget"


def default_path(connection_name: str) -> Path:
    """The connection's own DuckDB file, ``LS_WIDGET_HOME/sync/<name>.duckdb`` (computed: nothing is written)."""
    return store.home() / "sync" / f"{names.file_stem(connection_name)}.duckdb"


class Target:
    """One connection's tables at one destination (its dlt pipeline, with the sync state stored beside the data).

    Nothing is written when a Target is made: the dlt pipeline (and its working folder) is set up on first use by a
    sync, so reading a DuckDB file works on a read-only ``LS_WIDGET_HOME`` and on a file another process holds.
    """

    def __init__(self, connection_name: str, destination: Any = None) -> None:
        self.connection_name = connection_name
        self._pipeline = None
        self._names: dict = {}  # qualified table and quoted column names, as the destination spells them
        # dlt's schema as of the last load or restore: dlt rebuilds it from disk at every ask (30 ms), and only this
        # object's load() and prepare() change it while a sync holds the lock (exclusive()).
        self._schema: Any = None
        if destination is None or is_duckdb_path(destination):
            # The connection's own file, or one the analyst names ("~/shops/downtown.duckdb"): one place however it
            # is spelt (relative, with ~, through a symbolic link).
            self.path: Path | None = (local_path(destination) if destination is not None
                                      else default_path(connection_name))
            self.dataset, self.label = DATASET, str(self.path)
            self._destination: Any = None
            where: list[str] = [str(self.path)]
        else:
            check_dlt_destination(destination)
            self.path = None
            # A shared warehouse holds many connections: one dataset each, named after the connection.
            slug = re.sub(r"[^a-z0-9]+", "_", connection_name.casefold()).strip("_")[:40] or "connection"
            self.dataset = f"{DATASET}_{slug}"
            self.label = destination if isinstance(destination, str) else getattr(destination, "destination_name",
                                                                                    type(destination).__name__)
            self._destination = destination
            params = getattr(destination, "config_params", None) or {}
            # Only what names the place (dlt adds its own entries to config_params once a pipeline uses it).
            where = [self.label] + [str(params[k]) for k in ("bucket_url", "credentials")
                                    if isinstance(params.get(k), str)]
        # This machine's working folder (and lock) for the place and dataset: another bucket or database of the same
        # kind gets its own, and so does each DuckDB file, whichever connection syncs into it.
        self._key = hashlib.sha256("\0".join([*where, self.dataset]).encode()).hexdigest()[:16]

    @property
    def pipeline(self):
        """The dlt pipeline (set up on first use: it writes its working folder under ``LS_WIDGET_HOME/sync``)."""
        if self._pipeline is None:
            dlt = import_dlt()
            sync_dir = store.private_dir("sync")
            destination = self._destination
            if self.path is not None:
                if not self.path.parent.is_dir():
                    try:
                        self.path.parent.mkdir(parents=True, exist_ok=True)
                    except OSError as exc:
                        raise SyncError(f"Could not create the folder {self.path.parent} for {self.path.name} "
                                        f"({exc.strerror or exc}): create it, or choose another destination=."
                                        ) from None
                destination = dlt.destinations.duckdb(str(self.path))
            try:
                self._pipeline = dlt.pipeline(PIPELINE, destination=destination, dataset_name=self.dataset,
                                              pipelines_dir=str(sync_dir / "pipelines" / self._key))
            except Exception as exc:  # noqa: BLE001 - dlt's configuration errors come in many types
                raise SyncError(f"Could not set up the destination {self.label!r}: "
                                f"{explain.root_message(exc)}") from None
        return self._pipeline

    @property
    def files(self) -> bool:
        """Whether the tables are Delta tables on a filesystem destination (local folder or bucket)."""
        if self.path is not None:
            return False
        return str(getattr(self.pipeline.destination, "destination_type", "")).endswith("filesystem")

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held while a sync writes here: a second sync into the same place and dataset (this connection's, from
        another cell, thread or process on this machine) is refused at once instead of colliding."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(store.private_dir("sync", "locks") / f"{self._key}.lock"), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise SyncError(f"Another sync is using this connection's tables in {self.label} right now: wait for it "
                            "to finish, then run this one again (it carries on from what that one committed)."
                            ) from None
        try:
            yield
        finally:
            lock.release()

    def working_folder(self) -> Path:
        return store.home() / "sync" / "pipelines" / self._key

    # -- loading ---------------------------------------------------------------------------------------------------
    def load(self, resources: list, *, rebuild: bool = False) -> None:
        """Load dlt resources (data and sync state together, in one load: a kill leaves both or neither);
        ``rebuild``: drop the resources' tables first (they are missing or damaged) and create them anew."""
        dlt = import_dlt()
        if self.pipeline.has_pending_data:  # never: state() finished any; dlt would drop these resources for it
            raise SyncError(f"{self.label} has an unfinished load: run the sync again to complete it first.")
        self._schema = None
        try:
            self.pipeline.run(resources, schema=dlt.Schema(DATASET, normalizers={"names": "direct"}),
                              loader_file_format="parquet" if self.files else None,
                              refresh="drop_resources" if rebuild else None)
        except Exception as exc:  # noqa: BLE001 - surfaced as one typed error, with dlt's explanation
            raise SyncError(f"Loading into {self.label} failed: {self._explain(exc)}") from exc

    def resource(self, rows, table: str, key: str, *, parent_key: str | None = None, state: dict | None = None,
                 timestamp: bool = True, json_columns: Iterable[str] = ()):
        """A dlt resource merging ``rows`` (an Arrow table, or dicts) into ``table`` by ``key``; ``state`` is stored
        with the rows; ``timestamp``: the records carry ``timeStamp``, typed as a timestamp column (Register's do
        not); ``json_columns``: columns of JSON text, stored as JSON."""
        dlt = import_dlt()

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

    def prepare(self) -> None:
        """Bring this machine's sync state up to date with the destination's (where it lives, with the data).

        A load a killed sync left half done (extracted and normalized, not yet in the destination) is finished
        first: dlt would otherwise load it in place of the next chunk, and that chunk would be lost.
        """
        self._schema = None
        try:
            self.pipeline.sync_destination()
            if self.pipeline.has_pending_data:
                self.pipeline.load()
        except SyncError:
            raise
        except Exception as exc:  # noqa: BLE001
            where = f"open {self.label}" if self.path is not None else f"reach the destination {self.label}"
            raise SyncError(f"Could not {where}: {self._explain(exc)}") from None

    def states(self) -> dict[str, dict]:
        """The sync state of every table synced here, ``{table: {"last": ..., "account": ..., ...}}``."""
        sources = self.pipeline.state.get("sources") or {}
        found = (sources.get(DATASET) or {}).get("resources") or {}
        return {table: dict(value) for table, value in found.items() if isinstance(value, dict)}

    def state(self, table: str) -> dict:
        """The sync state stored with ``table`` (restored from the destination when this machine has none)."""
        self.prepare()
        return self.states().get(table, {})

    def broken(self, tables: Iterable[str]) -> list[str]:
        """Of ``tables``, those dlt has loaded but the destination no longer holds whole (dropped, or a column
        dropped, by hand): a sync rebuilds them. Delta tables on a filesystem are not checked."""
        known = self.present(tables)
        if not known or self.files:
            return []
        schema = self.schema()
        stored = self._stored_columns(known)
        damaged = []
        for table in known:
            have = stored.get(table.casefold()) or set()
            wanted = [name for name, column in schema.tables[table].get("columns", {}).items()
                      if column.get("data_type")]
            if not have or any(name.casefold() not in have for name in wanted):
                damaged.append(table)
        return damaged

    def _stored_columns(self, tables: list[str]) -> dict[str, set[str]]:
        """``{table: {column, ...}}`` as the destination holds them now (case-folded; a table it lacks is absent)."""
        if self.path is not None:  # a DuckDB file: its catalogue, read directly (no dlt client to configure)
            if not self.path.is_file():  # deleted by hand: every table is gone
                return {}
            listed = ", ".join("'" + t.replace("'", "''") + "'" for t in tables)
            frame = self._query_duckdb("select table_name, column_name from information_schema.columns where "
                                       f"table_schema = '{self.dataset}' and table_name in ({listed})", False)
            stored: dict[str, set[str]] = {}
            for name, column in frame.itertuples(index=False):
                stored.setdefault(str(name).casefold(), set()).add(str(column).casefold())
            return stored
        try:
            with self.pipeline.destination_client() as client:
                return {name.casefold(): {c.casefold() for c in (columns or {})}
                        for name, columns in client.get_storage_tables(tables)}
        except Exception as exc:  # noqa: BLE001
            raise SyncError(f"Could not read the tables of {self.label}: {self._explain(exc)}") from None

    def column_kinds(self, table: str) -> dict:
        """``{"json_columns": [...], "text_columns": [...]}``: how the destination already holds ``table``'s columns,
        which a new chunk keeps (arrow.py)."""
        try:
            columns = self.schema().tables.get(table, {}).get("columns", {})
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

    # -- reading (conn.read, conn.sql) -----------------------------------------------------------------------------
    def query(self, sql: str, *, write: bool = False):
        """The result of ``sql`` as a DataFrame (tables are named as the resources: ``select * from Item``).

        Read-only unless ``write``: a DuckDB file is opened in DuckDB's read-only mode (which also reads a file
        another process is reading, and needs no write access to ``LS_WIDGET_HOME``), PostgreSQL runs it in a
        read-only transaction.
        """
        if self.path is not None:
            return self._query_duckdb(sql, write)
        try:
            if self.files:
                return self._query_files(sql)
            with self.pipeline.sql_client() as client:
                if not write and self._postgres(client):
                    client.execute_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                return reading.frame(client, sql)
        except SyncError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SyncError(f"The query failed in {self.label}: {self._explain(exc)}{explain.write_hint(exc, write)}"
                            ) from None

    @staticmethod
    def _postgres(client) -> bool:
        return "postgres" in type(client).__module__

    def _open_duckdb(self, write: bool):
        import duckdb

        if not self.path.is_file():
            raise ConfigurationError(f"Nothing is synced in {self.path} (no such file): sync first, e.g. "
                                     f"conn.sync(['Item']){'' if self._is_default() else ', destination=...'}, or "
                                     "check the destination's spelling.")
        try:
            connection = duckdb.connect(str(self.path)) if write else reading.reader(self.path)
        except duckdb.Error as exc:
            raise SyncError(explain.duckdb_problem(self.path, exc)) from None
        try:
            found = connection.execute("select count(*) from information_schema.schemata where schema_name = ?",
                                       [self.dataset]).fetchone()[0]
            if found:
                connection.execute(f"set schema = '{self.dataset}'")
        except duckdb.Error as exc:
            connection.close()
            raise SyncError(f"Could not read {self.path}: {explain.first_line(exc)}") from None
        return connection

    def _is_default(self) -> bool:
        return self.path == default_path(self.connection_name)

    def _query_duckdb(self, sql: str, write: bool):
        import duckdb

        connection = self._open_duckdb(write)
        try:
            relation = connection.sql(sql)
            # A statement (write=True) returns nothing.
            return relation.df() if relation is not None else reading.no_rows()
        except duckdb.Error as exc:
            raise SyncError(f"The query failed in {self.label}: {explain.first_line(exc)}"
                            f"{explain.write_hint(exc, write)}") from None
        finally:
            connection.close()

    def _query_files(self, sql: str):
        """SQL over Delta tables, queried in an in-memory DuckDB. Only the tables the query names are opened, each
        as a lazy Arrow dataset: DuckDB reads the files it needs (a count reads no rows), never whole tables into
        memory first."""
        import duckdb
        from dlt.common.libs.deltalake import get_delta_tables

        named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql))
        tables = self.present(t for t in self.schema().data_table_names() if t in named)
        connection = duckdb.connect()
        try:
            for name, delta in (get_delta_tables(self.pipeline, *tables) if tables else {}).items():
                connection.register(name, delta.to_pyarrow_dataset())
            return connection.sql(sql).df()
        finally:
            connection.close()

    def table_names(self) -> list[str]:
        """The synced tables here (Lightspeed's names: Item, Sale, SaleLine, ...)."""
        if self.path is not None:
            connection = self._open_duckdb(False)
            try:
                rows = connection.execute("select table_name from information_schema.tables where table_schema = ? "
                                          "order by table_name", [self.dataset]).fetchall()
            finally:
                connection.close()
            return [name for (name,) in rows if not name.startswith(("_dlt", "_ls_"))]  # bookkeeping, not data
        try:
            self.prepare()
            return sorted(self.present(self.schema().data_table_names()))
        except SyncError:
            raise
        except Exception:  # noqa: BLE001 - no schema yet: nothing was ever loaded
            return []

    def table(self, table: str):
        """The current rows of ``table``, without dlt's bookkeeping columns; ``ConfigurationError`` naming the tables
        there for one that is not (misspelt, or never synced)."""
        if not isinstance(table, str) or not table:
            raise ConfigurationError(f"Name a synced table to read, e.g. conn.read('Item'), not {table!r}.")
        present = self.table_names()
        if table not in present:
            raise ConfigurationError(explain.no_such_table(table, present, self.label))
        if self.path is not None:
            frame = self._query_duckdb(f'select * from "{self.dataset}"."{table}"', False)
        else:
            frame = self.query(f"select * from {self.qualified(table)}")
        return frame.drop(columns=[c for c in _BOOKKEEPING if c in frame.columns])

    # -- what the sync asks of the tables (through dlt's own client) ----------------------------------------------
    def _query(self, sql: str):
        if self.path is not None:  # a local file: opened directly (dlt's client resolves its configuration each time)
            return self._query_duckdb(sql, False)
        try:
            if self.files:
                return self._query_files(sql)
            with self.pipeline.sql_client() as client:
                return reading.frame(client, sql)
        except SyncError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SyncError(f"Reading {self.label} failed: {self._explain(exc)}") from None

    def keys(self, table: str, key: str, where: str = "") -> set[str]:
        if not self.has_table(table):
            return set()
        frame = self._query(f"select {self.quoted(key)} from {self.qualified(table)} {where}")
        return {str(value) for value in frame.iloc[:, 0].tolist()} if len(frame.columns) else set()

    def pairs(self, table: str, key: str, parent_key: str, parents: list[str]) -> set[tuple[str, str]]:
        """(key, parent key) of the rows of ``table`` whose parent is one of ``parents``."""
        found: set[tuple[str, str]] = set()
        for start in range(0, len(parents), 500):  # a bounded IN list per query
            listed = ", ".join("'" + p.replace("'", "''") + "'" for p in parents[start:start + 500])
            frame = self._query(f"select {self.quoted(key)}, {self.quoted(parent_key)} from {self.qualified(table)} "
                                f"where {self.quoted(parent_key)} in ({listed})")
            found.update((str(k), str(p)) for k, p in frame.itertuples(index=False))
        return found

    def counts(self, tables) -> dict[str, int]:
        """Rows in each of ``tables`` (0 for one not synced yet), in one query: each query opens a connection."""
        present = self.present(tables)
        found = dict.fromkeys(tables, 0)
        if present:
            # Each count named apart: PostgreSQL calls them all "count", and a DataFrame keeps one column per name.
            row = self._query("select " + ", ".join(f"(select count(*) from {self.qualified(t)}) as n{i}"
                                                    for i, t in enumerate(present)))
            found.update({table: int(value) for table, value in zip(present, row.iloc[0].tolist())})
        return found

    def count(self, table: str) -> int:
        if not self.has_table(table):
            return 0
        return int(self._query(f"select count(*) as n from {self.qualified(table)}").iloc[0, 0])

    def has_table(self, table: str) -> bool:
        return bool(self.present([table]))

    def schema(self):
        """dlt's schema of the tables here (its error when nothing was ever loaded)."""
        if self._schema is None:
            self._schema = self.pipeline.default_schema
        return self._schema

    def present(self, tables: Iterable[str]) -> list[str]:
        """Those of ``tables`` dlt has loaded here."""
        try:
            schema = self.schema()
        except SyncError:
            raise
        except Exception:  # noqa: BLE001 - no schema yet: nothing was ever loaded
            return []
        return [table for table in tables if table in schema.tables and bool(schema.tables[table].get("columns"))]

    def qualified(self, table: str) -> str:
        if self.files:
            return self.quoted(table)
        if self.path is not None:  # DuckDB's own quoting: no dlt client (which resolves its configuration) to ask
            return f"{self.quoted(self.dataset)}.{self.quoted(table)}"
        if table not in self._names:  # a name is spelt the same every time: one client opened for it, not one a query
            with self.pipeline.sql_client() as client:
                self._names[table] = client.make_qualified_table_name(table)
        return self._names[table]

    def quoted(self, column: str) -> str:
        if self.files or self.path is not None:  # DuckDB's quoting (a DuckDB file, or the in-memory query over files)
            return '"' + column.replace('"', '""') + '"'
        if ("column", column) not in self._names:
            with self.pipeline.sql_client() as client:
                self._names[("column", column)] = client.escape_column_name(column)
        return self._names[("column", column)]

    def _explain(self, exc: BaseException) -> str:
        """dlt's explanation, or DuckDB's for a local file (never dlt's advice about credentials and the internet,
        which a file on this disk does not need)."""
        if self.path is not None:
            return explain.duckdb_problem(self.path, explain.root(exc), bare=True)
        return explain.root_message(exc)


def tables_in_the_way(old_name: str, new_name: str) -> None:
    """``ConfigurationError`` when renaming ``old_name`` to ``new_name`` would land its synced tables on another
    file (synced tables left under the new name): checked before the rename moves anything."""
    old, new = default_path(old_name), default_path(new_name)
    if new.exists() and not (old.exists() and os.path.samefile(old, new)):
        raise ConfigurationError(f"Synced tables for the name {new_name!r} already exist ({new}): delete that file "
                                 "(or move it away), then rename this connection again.")


def move_default_tables(old_name: str, new_name: str) -> None:
    """A renamed connection keeps its synced tables: its DuckDB file follows the name (the sync state is inside
    it, so the next sync carries on incrementally)."""
    old, new = default_path(old_name), default_path(new_name)
    if old == new or not old.exists():
        return
    leftover = Target(old_name)
    if leftover.working_folder().is_dir():
        try:
            leftover.prepare()  # a load a killed sync left behind lands in the old file before it moves
        except SyncError:
            pass  # the file moves anyway: the next sync says what is wrong with it
    for suffix in ("", ".wal"):
        source = Path(str(old) + suffix)
        if source.exists():
            os.replace(source, Path(str(new) + suffix))
    shutil.rmtree(leftover.working_folder(), ignore_errors=True)  # the state is in the file: the new one restores it
