"""lightspeed_source in a team's own dlt pipeline: DuckDB and PostgreSQL, incremental state across runs."""

from __future__ import annotations

import dlt
import pytest

from ls_widget import ConfigurationError, SyncError
from ls_widget.sync import lightspeed_source

from .conftest import Requests, source_lines, source_rows
from .postgres_server import PostgresServer


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


def tables(pipeline, table: str, key: str) -> dict[str, str]:
    with pipeline.sql_client() as client:
        with client.execute_query(f'select "{key}", "timeStamp" from {client.make_qualified_table_name(table)}') as c:
            return {str(k): str(t) for k, t in c.fetchall()}


def assert_equal_to_the_source(pipeline, conn) -> None:
    for resource, key in (("Item", "itemID"), ("Sale", "saleID")):
        stored = tables(pipeline, resource, key)
        source = source_rows(conn.session, resource, key)
        assert set(stored) == set(source), resource
        for record_key, record in source.items():
            assert stored[record_key][:19].replace(" ", "T") == record["timeStamp"][:19]
    with pipeline.sql_client() as client:
        with client.execute_query(f'select "saleLineID", "saleID" from {client.make_qualified_table_name("SaleLine")}') as c:
            assert {(str(a), str(b)) for a, b in c.fetchall()} == source_lines(conn.session)


def run_twice(box, conn, pipeline):
    conn.save()
    first = pipeline.run(lightspeed_source("Downtown", ["Item", "Sale", "Shop"]))
    assert not first.has_failed_jobs
    assert_equal_to_the_source(pipeline, conn)
    box.advance_clock(3600)
    box.day_of_changes(edits=7, adds=4, archives=2, deletes=0, resources=("Item", "Sale"), seed=5)
    pipeline.run(lightspeed_source(conn, ["Item", "Sale", "Shop"]))  # the panel works as well as a saved name
    assert_equal_to_the_source(pipeline, conn)


def test_a_plain_dlt_pipeline_on_duckdb_carries_on_incrementally(box, conn, tmp_path):
    pipeline = dlt.pipeline("team_pipeline", destination=dlt.destinations.duckdb(str(tmp_path / "team.duckdb")),
                            dataset_name="downtown", pipelines_dir=str(tmp_path / "pipelines"))
    run_twice(box, conn, pipeline)
    state = pipeline.state["sources"]["lightspeed"]["resources"]
    assert state["Item"]["last"] and state["Sale"]["last"] and "last" not in state["Shop"]
    with pipeline.sql_client() as client:
        with client.execute_query(f"select count(*) from {client.make_qualified_table_name('Shop')}") as c:
            assert c.fetchall() == [(2,)]  # read whole and replaced, never doubled


def test_a_plain_dlt_pipeline_on_postgres(box, conn, postgres, tmp_path):
    pipeline = dlt.pipeline("team_pipeline_pg", destination=dlt.destinations.postgres(postgres.url),
                            dataset_name="downtown", pipelines_dir=str(tmp_path / "pipelines"))
    run_twice(box, conn, pipeline)


def test_the_second_run_fetches_only_what_changed(box, conn, tmp_path):
    conn.save()
    pipeline = dlt.pipeline("team_pipeline_2", destination=dlt.destinations.duckdb(str(tmp_path / "t.duckdb")),
                            dataset_name="downtown", pipelines_dir=str(tmp_path / "pipelines"))
    pipeline.run(lightspeed_source(conn, ["Item"]))
    requests = Requests(conn.session)
    pipeline.run(lightspeed_source(conn, ["Item"]))
    assert len(requests) == 1  # one page: the lookback's few records


def test_another_accounts_tables_are_refused_and_so_is_what_is_no_connection(tmp_path):
    from ls_widget import sandbox

    with sandbox.start(accounts=2, items=30, customers=10, sales=10, employees=2, categories=4, bucket_size=1e6,
                       drip_rate=1e6, burst_limit=10**6) as two:
        first, second = (two.connection(name=f"Shop {n}", scopes=["employee:all"]) for n in (1, 2))
        first.complete_authorization(two.approve(first.authorization_url(), account=two.state.account_ids[0]))
        second.complete_authorization(two.approve(second.authorization_url(), account=two.state.account_ids[1]))
        pipeline = dlt.pipeline("team_pipeline_3", destination=dlt.destinations.duckdb(str(tmp_path / "t.duckdb")),
                                dataset_name="shops", pipelines_dir=str(tmp_path / "pipelines"))
        pipeline.run(lightspeed_source(first, ["Customer"]))
        with pytest.raises(Exception) as caught:  # dlt wraps what a resource raises in its own step error
            pipeline.run(lightspeed_source(second, ["Customer"]))
        assert two.state.account_ids[0] in str(caught.value) and "another dataset_name" in str(caught.value)
    with pytest.raises(ConfigurationError):
        lightspeed_source(42, ["Item"])
    assert issubclass(SyncError, Exception)
