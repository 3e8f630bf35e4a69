"""Many stores at once (sync_all), the command line (ls-widget sync / connections / login), and the progress bar."""

from __future__ import annotations

import os
import subprocess
import sys

import ls_widget
from ls_widget import LightspeedConnection, NotConnectedError, SyncError

RESOURCES = ["Item", "Customer"]


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ls_widget.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))


def signed_in(box, name: str) -> LightspeedConnection:
    conn = box.connection(name=name, scopes=["employee:all"])
    conn.complete_authorization(box.approve(conn.authorization_url()))
    return conn.save()


def test_sync_all_runs_every_store_and_one_failure_stops_none(box):
    for name in ("Downtown", "Uptown", "Airport"):
        signed_in(box, name)
    LightspeedConnection(name="Closed store").save()  # saved, never signed in
    from ls_widget import multi_sync as sync_all_module

    real, workers = subprocess.run, []

    def run(args, *rest, **kwargs):
        if args[1:] == ["-m", "ls_widget.multi_sync_worker"]:
            workers.append(args)
        return real(args, *rest, **kwargs)

    sync_all_module.subprocess.run = run
    try:
        results = ls_widget.sync_all(["Downtown", "Uptown", "Airport", "Closed store"], RESOURCES, progress=False)
    finally:
        sync_all_module.subprocess.run = real
    assert len(workers) == 4  # one process per store: their loads never queue for one GIL
    assert [name for name, r in results.items() if not isinstance(r, Exception)] == ["Downtown", "Uptown", "Airport"]
    assert set(results.failed) == {"Closed store"} and not results.ok
    assert isinstance(results["Closed store"], NotConnectedError)  # the error crosses processes with its type
    assert "Closed store: FAILED" in repr(results)
    for name in ("Downtown", "Uptown", "Airport"):
        assert results[name].tables["Item"].rows == 420
        assert len(LightspeedConnection.load(name).read("Customer")) == 130


def test_a_store_whose_process_dies_is_a_sync_error_and_the_others_finish(box, monkeypatch):
    signed_in(box, "Downtown")
    signed_in(box, "Uptown")
    from ls_widget import multi_sync as sync_all_module

    real = subprocess.run

    def run(args, *rest, **kwargs):
        if args[1:] == ["-m", "ls_widget.multi_sync_worker"] and b"Uptown" in kwargs["input"]:
            return real([sys.executable, "-c", "import sys; sys.exit('killed by the OOM killer')"], *rest, **kwargs)
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(sync_all_module.subprocess, "run", run)
    results = ls_widget.sync_all(["Downtown", "Uptown"], ["Customer"], progress=False)
    assert results["Downtown"].tables["Customer"].rows == 130
    assert isinstance(results["Uptown"], SyncError) and "killed by the OOM killer" in str(results["Uptown"])


def test_cli_sync_then_connections_shows_the_last_sync(box):
    signed_in(box, "Downtown store")
    done = cli("sync", "Downtown store", "Item", "Customer", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Item (incremental): 420 inserted" in done.stdout and "Customer (incremental): 130 inserted" in done.stdout
    again = cli("sync", "Downtown store", "Item", "--quiet")
    assert again.returncode == 0 and "Item (incremental): 0 inserted, 0 updated" in again.stdout
    listing = cli("connections")
    assert listing.returncode == 0
    line = next(line for line in listing.stdout.splitlines() if line.startswith("Downtown store"))
    assert "v3" in line and "yes" in line and "(Item)" in line


def test_cli_lists_the_resources_and_syncs_all_of_them(box):
    listing = cli("resources")
    assert listing.returncode == 0 and listing.stdout.split()[:5] == ["resource", "key", "sync", "sortable", "scopes"]
    assert any(line.split()[:3] == ["Register", "registerID", "full"] for line in listing.stdout.splitlines())
    signed_in(box, "Everything")
    done = cli("sync", "Everything", "all", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Register (full): " in done.stdout and "SalePayment (with Sale): " in done.stdout


def test_cli_errors_are_one_line_and_exit_1(box):
    done = cli("sync", "Nowhere", "Item")
    assert done.returncode == 1 and done.stderr.startswith("ls-widget: No saved connection named 'Nowhere'")
    assert "Traceback" not in done.stderr
    LightspeedConnection(name="Draft").save()
    done = cli("sync", "Draft", "Item")
    assert done.returncode == 1 and "ls-widget login Draft" in done.stderr
    assert cli("sync", "Draft", "../etc").returncode == 1
    assert cli().returncode == 2


def test_cli_login_prints_the_address_and_reads_the_pasted_one(box):
    box.client.save()
    child = subprocess.Popen([sys.executable, "-m", "ls_widget.cli", "login", "Headless", "--client", box.client.name,
                              "--scope", "employee:all"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    url = ""
    while not url:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        url = line.strip() if line.strip().startswith("http") else ""
    out, err = child.communicate(box.approve(url) + "\n", timeout=60)
    assert child.returncode == 0, err
    assert "Signed in" in out and LightspeedConnection.load("Headless").status == "connected"


def test_the_progress_bar_shows_pages_and_records(conn, capsys):
    conn.sync(["Item"], progress=True)
    drawn = capsys.readouterr().err
    assert "Downtown · Item" in drawn and "5 pages" in drawn and "records=420" in drawn


def test_a_resource_name_that_is_not_one_is_refused_before_any_request(conn):
    import pytest

    from ls_widget import ConfigurationError

    for bad in ("../Item", "Item.json", "", "item?x=1"):
        with pytest.raises(ConfigurationError):
            conn.sync([bad], progress=False)
    assert isinstance(SyncError("x"), ls_widget.LightspeedError)
