"""Any warehouse: the same sync into a real PostgreSQL and into Parquet files (Delta tables), with dlt's own
configuration, next to the default DuckDB file."""

from __future__ import annotations

import dlt
import pytest

from .conftest import assert_tables_equal_source
from .postgres_server import PostgresServer


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


def sync_twice(box, conn, destination):
    first = conn.sync(["Item", "Sale"], destination=destination, progress=False)
    assert first.tables["Item"].inserted == 420 and first.tables["Sale"].inserted == 350
    box.advance_clock(3600)
    changes = box.day_of_changes(edits=7, adds=4, archives=2, deletes=0, resources=("Item",), seed=5)
    second = conn.sync(["Item", "Sale"], destination=destination, progress=False)
    assert second.tables["Item"].inserted == 4 and second.tables["Item"].updated == 9
    assert second.pages == 2
    # Rows per table as the destination counts them (on PostgreSQL every count(*) was named "count", and a Sale's
    # three tables read as one: SaleLine and SalePayment reported 0 rows).
    for table in ("Item", "Sale", "SaleLine", "SalePayment"):
        counted = conn.sql(f'select count(*) as n from "{table}"', destination=destination)
        assert second.tables[table].rows == int(counted["n"][0]) > 0, table
    return changes


def test_postgres_by_name_with_dlts_credentials_config(box, conn, postgres, monkeypatch):
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", postgres.url)
    sync_twice(box, conn, "postgres")
    items = conn.read("Item", destination="postgres")
    assert len(items) == 424 and items["itemID"].is_unique
    from ls_widget import SyncError

    with pytest.raises(SyncError, match="read-only: pass write=True"):  # conn.sql reads, unless asked to write
        conn.sql('drop table lightspeed_downtown."Item"', destination="postgres")
    count = conn.sql('select count(*) as n from lightspeed_downtown."SaleLine"', destination="postgres")
    assert int(count["n"][0]) > 350
    import psycopg2

    with psycopg2.connect(postgres.url) as db, db.cursor() as cursor:  # what a colleague's BI tool would see
        cursor.execute('select count(*), count(distinct "itemID") from lightspeed_downtown."Item"')
        assert cursor.fetchone() == (424, 424)


def test_parquet_files(box, conn, tmp_path):
    files = dlt.destinations.filesystem(f"file://{tmp_path}")
    sync_twice(box, conn, files)
    assert any(tmp_path.rglob("*.parquet"))
    items = conn.read("Item", destination=files)
    assert len(items) == 424 and items["itemID"].is_unique
    lines = conn.sql("select count(distinct saleID) as n from SaleLine", destination=files)
    assert int(lines["n"][0]) == 350


def test_two_connections_share_a_warehouse_without_colliding(box, conn, postgres, monkeypatch):
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", postgres.url)
    other = box.connection(name="Uptown store", scopes=["employee:all"])
    other.complete_authorization(box.approve(other.authorization_url()))
    conn.sync(["Customer"], destination="postgres", progress=False)
    other.sync(["Customer"], destination="postgres", progress=False)
    assert len(other.read("Customer", destination="postgres")) == 130
    assert int(conn.sql('select count(*) as n from lightspeed_uptown_store."Customer"',
                        destination="postgres")["n"][0]) == 130


def test_the_default_duckdb_file_is_private_and_per_connection(conn, ls_home):
    conn.sync(["Customer"], progress=False)
    files = sorted(p.name for p in (ls_home / "sync").glob("*.duckdb"))
    assert files == ["Downtown.duckdb"]
    assert oct((ls_home / "sync").stat().st_mode & 0o777) == "0o700"
    assert_tables_equal_source(conn, ("Customer",))


def test_a_destination_that_refuses_is_a_sync_error(conn, monkeypatch):
    from ls_widget import SyncError

    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", "postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(SyncError, match="postgres"):
        conn.sync(["Customer"], destination="postgres", progress=False)


def test_a_duckdb_file_the_analyst_names(conn, tmp_path):
    path = tmp_path / "shops" / "downtown.duckdb"
    path.parent.mkdir()
    conn.sync(["Customer"], destination=str(path), progress=False)
    assert path.exists() and len(conn.read("Customer", destination=str(path))) == 130
    import duckdb

    with duckdb.connect(str(path), read_only=True) as db:  # any DuckDB client reads it: tables named as resources
        assert db.execute('select count(*) from lightspeed."Customer"').fetchall() == [(130,)]


def test_parquet_files_are_not_read_again_for_every_chunk(box, conn, tmp_path, monkeypatch):
    """Queries of a Delta destination read files: a sync queries it a fixed number of times, not once a chunk, and
    opens tables lazily, never whole into memory."""
    from ls_widget.sync import fetch
    from ls_widget.sync.target import Target

    monkeypatch.setattr(fetch, "COMMIT_SECONDS", 0.0)  # a chunk every 5 pages: 420 items make 1 chunk, so Sales too
    queries, real = [], Target._query  # the sync's own queries (conn.sql's go through Target.query)
    monkeypatch.setattr(Target, "_query", lambda self, sql: queries.append(sql) or real(self, sql))
    import deltalake

    monkeypatch.setattr(deltalake.DeltaTable, "to_pyarrow_table",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("a whole table read into memory")))
    files = dlt.destinations.filesystem(f"file://{tmp_path}")
    result = conn.sync(["Item", "Sale"], destination=files, progress=False)
    assert result.pages == 5 + 4 and result.tables["Item"].rows == 420
    assert len(queries) <= 4  # the counts before and after each resource: the same for 1 chunk or 100
