"""Reading the tables while this process writes them: the panel's sync runs on a thread of the kernel the analyst
keeps using. DuckDB refuses a read-only and a read-write connection to one file within one process, so reads share
the sync's configuration, in a read-only transaction."""

from __future__ import annotations

import duckdb
import pytest

from ls_widget.errors import SyncError
from ls_widget.sync.target import default_path


def test_read_sql_and_tables_while_a_writer_holds_the_file(conn):
    conn.sync(["Item"], progress=False)
    writer = duckdb.connect(str(default_path("Downtown")))  # as a sync holds it during a load
    try:
        assert len(conn.read("Item")) == 420
        assert int(conn.sql("select count(*) as n from Item")["n"][0]) == 420
        assert {row["table"]: row["rows"] for row in conn.tables()}["Item"] == 420
        with pytest.raises(SyncError, match="read-only: pass write=True"):
            conn.sql("delete from Item")
        assert int(conn.sql("select count(*) as n from Item")["n"][0]) == 420
    finally:
        writer.close()


def test_a_sync_runs_while_a_reader_of_this_process_is_open(box, conn):
    conn.sync(["Item"], progress=False)
    from ls_widget.sync.target import Target

    reader = Target("Downtown")._open_duckdb(False)  # conn.sql's connection, open as the sync starts a load
    try:
        box.advance_clock(3600)
        box.day_of_changes(edits=3, adds=2, archives=0, deletes=0, resources=("Item",), seed=2)
        again = conn.sync(["Item"], progress=False)
        assert again.tables["Item"].inserted == 2
    finally:
        reader.close()
