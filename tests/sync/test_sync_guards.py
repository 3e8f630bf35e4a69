"""What goes wrong around a sync, met the way an analyst meets it (conn.sync / conn.read / conn.sql / ls-widget): two
accounts in one file, a shop's clock in the future, tables dropped or rows deleted by hand, a rename, reading back what
is not there or what another process holds, a folder that does not exist, two syncs at once, and the command line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from ls_widget import ConfigurationError, LightspeedError, SyncError, sandbox

from .conftest import DATA, FAST, Requests, assert_tables_equal_source
from .test_sync_all_and_cli import cli, signed_in


def signed_in_to(box, name: str, account: str):
    connection = box.connection(name=name, scopes=["employee:all"])
    connection.complete_authorization(box.approve(connection.authorization_url(), account=account))
    return connection


def stamp_in_the_future(box, resource: str, stamp: str = "2999-01-01T00:00:00+00:00") -> str:
    """One record stamped by a shop whose clock is wrong; returns its ID."""
    from ls_widget.sandbox.changes import TableEdit

    box.day_of_changes(edits=0, adds=0, archives=0, deletes=0, resources=(resource,))  # the account, editable
    state = box.state
    with state.lock:
        table = state.ledger.accounts[box.account_id].table(resource)
        record = dict(table.records[7])
        record["timeStamp"] = stamp
        edit = TableEdit(table, state.ledger, box.account_id)
        edit.replace(record)
        edit.commit()
    return record[table.id_field]


# -- two accounts, one file ---------------------------------------------------------------------------------------
def test_two_accounts_in_one_duckdb_file_are_refused_however_the_file_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with sandbox.start(**DATA, **FAST, accounts=2) as box:
        first, second = box.state.account_ids
        downtown = signed_in_to(box, "Downtown", first)
        uptown = signed_in_to(box, "Uptown", second)
        downtown.sync(["Item"], destination="shops.duckdb", progress=False)
        before = downtown.read("Item", destination="shops.duckdb")
        for spelling in ("shops.duckdb", str(tmp_path / "shops.duckdb"), "./sub/../shops.duckdb"):
            for resources in (["Item"], ["Customer"]):  # the same table, or another one beside it
                with pytest.raises(SyncError, match=rf"account {first}'s tables \(Item, synced by the connection "
                                                    rf"'Downtown'\).*account {second}"):
                    uptown.sync(resources, destination=spelling, progress=False)
        after = downtown.read("Item", destination=str(tmp_path / "shops.duckdb"))
        assert after.equals(before)  # not one row of the other account's
        assert downtown.sql("select count(*) as n from information_schema.tables where table_name = 'Customer'",
                            destination="shops.duckdb")["n"][0] == 0
        assert uptown.sync(["Item"], destination="uptown.duckdb", progress=False).tables["Item"].rows == 420


# -- a clock in the future ----------------------------------------------------------------------------------------
def test_a_record_from_the_future_is_loaded_and_reported_and_later_changes_still_arrive(box, conn):
    future_id = stamp_in_the_future(box, "Item")
    first = conn.sync(["Item"], progress=False)
    assert first.tables["Item"].rows == 420 and first.tables["Item"].future == 1
    assert any("2999-01-01" in note and future_id in note for note in first.notes)
    assert "2999-01-01" in repr(first)
    stored = conn.read("Item").set_index("itemID")
    assert str(stored.loc[int(future_id), "timeStamp"]).startswith("2999-01-01")  # loaded all the same
    box.advance_clock(3600)
    changes = box.day_of_changes(edits=7, adds=4, archives=0, deletes=0, resources=("Item",), seed=6)
    second = conn.sync(["Item"], progress=False)
    assert second.tables["Item"].inserted == 4 and second.tables["Item"].updated == 7, second
    assert second.tables["Item"].future == 1  # still there, still said
    assert_tables_equal_source(conn, ("Item",))
    assert len(changes["Item"]["edited"]) == 7


# -- tables dropped, damaged, rows deleted by hand ----------------------------------------------------------------
def test_conn_sql_is_read_only_unless_asked(conn):
    conn.sync(["Customer"], progress=False)
    with pytest.raises(SyncError, match="read-only: pass write=True"):
        conn.sql("drop table Customer")
    with pytest.raises(SyncError, match="read-only"):
        conn.sql("delete from Customer")
    assert len(conn.read("Customer")) == 130
    conn.connection.sql("delete from Customer where customerID = 1", write=True)
    assert len(conn.read("Customer")) == 129


def test_a_dropped_table_is_rebuilt_by_the_next_sync(conn):
    conn.sync(["Item", "Sale"], progress=False)
    conn.connection.sql("drop table Item", write=True)
    conn.connection.sql("drop table SaleLine", write=True)
    result = conn.sync(["Item", "Sale"], progress=False)
    assert result.tables["Item"].rebuilt and result.tables["Item"].rows == 420
    assert result.tables["SaleLine"].rebuilt and not result.tables["Sale"].rebuilt
    assert any("Item was missing or damaged" in note for note in result.notes)
    assert_tables_equal_source(conn, ("Item", "Sale"))
    again = conn.sync(["Item", "Sale"], progress=False)  # incremental again, nothing left to rebuild
    assert again.pages == 2 and not again.notes and again.tables["Item"].inserted == 0


def test_a_deleted_duckdb_file_is_made_anew_by_the_next_sync(conn):
    """The analyst deletes the file (the working folder with dlt's state stays): every table comes back whole."""
    from ls_widget.sync.target import default_path

    conn.sync(["Customer", "Shop"], progress=False)
    path = default_path(conn.name)
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    result = conn.sync(["Customer", "Shop"], progress=False)
    assert result.tables["Customer"].rows == 130 and result.tables["Customer"].inserted == 130
    assert_tables_equal_source(conn, ("Customer",))
    assert len(conn.read("Shop")) == result.tables["Shop"].rows > 0


def test_a_damaged_table_is_rebuilt_by_a_full_sync_too(conn):
    conn.sync(["Customer"], progress=False)
    conn.connection.sql("alter table Customer drop column firstName", write=True)
    result = conn.sync(["Customer"], full=True, progress=False)
    assert result.tables["Customer"].rebuilt and result.tables["Customer"].rows == 130
    assert conn.read("Customer")["firstName"].notna().all()


def test_rows_deleted_by_hand_come_back_with_full(conn):
    conn.sync(["Customer"], progress=False)
    conn.connection.sql("delete from Customer where customerID::int <= 10", write=True)
    assert conn.sync(["Customer"], progress=False).tables["Customer"].rows == 120  # incremental: as documented
    restored = conn.sync(["Customer"], full=True, progress=False)
    assert restored.tables["Customer"].rows == 130 and restored.tables["Customer"].inserted == 10


# -- rename ---------------------------------------------------------------------------------------------------------
def test_a_renamed_connection_keeps_its_tables_and_carries_on(conn, ls_home):
    conn.save()
    conn.sync(["Item"], progress=False)
    conn.rename("Downtown store")
    assert len(conn.read("Item")) == 420
    assert sorted(p.name for p in (ls_home / "sync").glob("*.duckdb")) == ["Downtown store.duckdb"]
    requests = Requests(conn.session)
    again = conn.sync(["Item"], progress=False)
    assert len(requests) == 1 and again.tables["Item"].inserted == 0  # incremental, not from scratch


# -- reading back ---------------------------------------------------------------------------------------------------
def test_reading_a_table_that_is_not_there_names_the_ones_that_are(conn):
    with pytest.raises(ConfigurationError, match="Nothing is synced"):
        conn.read("Item")
    conn.sync(["Item", "Customer"], progress=False)
    with pytest.raises(ConfigurationError, match=r"No table 'item'.*Customer, Item, customers, items\. Did you mean 'Item'\?"):
        conn.read("item")
    with pytest.raises(ConfigurationError, match=r"No table 'Sale'.*conn.sync\(\['Sale'\]\)"):
        conn.read("Sale")
    with pytest.raises(ConfigurationError, match="no such file"):
        conn.read("Item", destination="elsewhere.duckdb")


def test_reading_works_on_a_read_only_home(conn, ls_home, monkeypatch):
    conn.sync(["Customer"], progress=False)
    from ls_widget import store
    from ls_widget.errors import StoreError

    def refuse(*parts):
        raise StoreError(f"{store.home()} is read-only", store.home())

    monkeypatch.setattr(store, "private_dir", refuse)  # every write to LS_WIDGET_HOME fails, as on a read-only one
    before = sorted((p, p.stat().st_mtime_ns) for p in ls_home.rglob("*") if p.is_file())
    assert len(conn.read("Customer")) == 130
    assert int(conn.sql("select count(*) as n from Customer")["n"][0]) == 130
    assert sorted((p, p.stat().st_mtime_ns) for p in ls_home.rglob("*") if p.is_file()) == before


HOLD = textwrap.dedent("""
    import sys, time, duckdb
    db = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
    print("open", flush=True)
    sys.stdin.read()  # held until the test closes our stdin or kills us: no time limit to outlast
""")


def holding(path, mode: str) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path), mode], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "open"
    return child


def test_reading_a_file_another_process_holds(conn, ls_home):
    conn.sync(["Customer"], progress=False)
    path = ls_home / "sync" / "Downtown.duckdb"
    reader = holding(path, "read")
    try:
        assert len(conn.read("Customer")) == 130  # DuckDB's read-only mode: readers share the file
    finally:
        reader.kill()
        reader.wait()
    writer = holding(path, "write")
    try:
        with pytest.raises(SyncError, match=rf"in use by another process \(python.*, PID {writer.pid}\)"):
            conn.read("Customer")
        with pytest.raises(SyncError, match=rf"PID {writer.pid}") as raised:
            conn.sync(["Customer"], progress=False)
        assert "credentials" not in str(raised.value) and "internet" not in str(raised.value)
    finally:
        writer.kill()
        writer.wait()
    assert conn.sync(["Customer"], progress=False).tables["Customer"].rows == 130


# -- destinations -----------------------------------------------------------------------------------------------------
def test_a_duckdb_file_in_a_folder_that_does_not_exist_yet(conn, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = conn.sync(["Customer"], destination="~/shops/downtown.duckdb", progress=False)
    assert (tmp_path / "shops" / "downtown.duckdb").is_file() and result.tables["Customer"].rows == 130
    assert len(conn.read("Customer", destination="~/shops/downtown.duckdb")) == 130


def test_a_destination_that_is_not_one_is_refused_before_any_request(conn):
    requests = Requests(conn.session)
    with pytest.raises(ConfigurationError, match=r"destination='garbage' is neither a DuckDB file"):
        conn.sync(["Item"], destination="garbage", progress=False)
    assert len(requests) == 0


def test_a_second_sync_of_one_connection_at_once_is_refused_and_the_first_finishes(conn):
    # The first sync's first request waits at a gate until the second sync has been tried: the first is surely
    # running then (every request of a sync is sent while it holds its tables), however busy the machine.
    in_flight, release = threading.Event(), threading.Event()
    main = threading.main_thread()

    def gate(request) -> None:
        if threading.current_thread() is not main and not in_flight.is_set():
            in_flight.set()
            release.wait()

    conn.session.event_hooks["request"].append(gate)
    outcome: dict = {}
    first = threading.Thread(target=lambda: outcome.update(result=conn.sync(["Item"], progress=False)))
    first.start()
    try:
        assert in_flight.wait(60), "the first sync sent no request"
        with pytest.raises(SyncError, match="Another sync is using this connection's tables") as raised:
            conn.sync(["Item"], progress=False)
        assert "credentials" not in str(raised.value)
    finally:
        release.set()
        first.join(60)
    assert outcome["result"].tables["Item"].rows == 420


# -- the command line -------------------------------------------------------------------------------------------------
def test_cli_errors_are_one_line_whatever_went_wrong(box, ls_home):
    signed_in(box, "Downtown")
    for args in (["--destination", "garbage"], ["--destination", "postgres"]):
        done = cli("sync", "Downtown", "Item", "--quiet", *args)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith("ls-widget: ")
    assert isinstance(SyncError("x"), LightspeedError)
