"""Reading synced tables back: a DuckDB file opened so that it never blocks (nor is blocked by) a sync, and dlt's
SQL client's rows as a DataFrame."""

from __future__ import annotations

from pathlib import Path


def reader(path: Path):
    """A connection that reads ``path`` and cannot change it.

    In this process it is opened as the sync opens it, in a read-only transaction: DuckDB refuses a read-only and a
    read-write connection to one file within one process ("a different configuration than existing connections"), so
    a read-only one would fail while the panel's sync runs in the background, and would make the sync fail while it is
    open. Where the file cannot be opened for writing (another process holds it, a read-only home), it is opened
    read-only, which also shares it with other readers."""
    import duckdb

    try:
        connection = duckdb.connect(str(path))
    except duckdb.Error:
        return duckdb.connect(str(path), read_only=True)
    try:
        connection.execute("BEGIN TRANSACTION READ ONLY")
    except duckdb.Error:
        connection.close()
        raise
    return connection


def frame(client, sql: str):
    """The rows of ``sql`` as a DataFrame, through dlt's client (its Arrow conversion types the columns). Where that
    conversion gives up (PostgreSQL's jsonb arrives as Python objects, and dlt cannot encode some of them: a
    Customer's Contact), the rows are read again as they are, JSON columns written back as JSON text, the form the
    same column takes from DuckDB."""
    import json

    import pandas as pd

    with client.execute_query(sql) as cursor:
        try:
            return cursor.df()
        except Exception as exc:  # noqa: BLE001 - dlt's PyToArrowConversionException, not exported by name
            if "Conversion to arrow failed" not in str(exc):
                raise
    with client.execute_query(sql) as cursor:
        native = cursor.native_cursor
        names = [column[0] for column in native.description]
        rows = [[json.dumps(v) if isinstance(v, (dict, list)) else v for v in row] for row in native.fetchall()]
    return pd.DataFrame.from_records(rows, columns=names)


def no_rows():
    import pandas as pd

    return pd.DataFrame()
