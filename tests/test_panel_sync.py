"""The panel's Sync part, Python half: ``sync_start`` runs the sync on a thread (the handler returns at once), progress
and the outcome arrive in the ``_sync`` trait (throttled), ``sync_cancel`` keeps what was committed, one sync at a
time, Disconnect cancels, and the trait holds nothing a shared notebook should not."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("dlt", reason="the sync extra (dlt) is part of the test install")

from ls_widget import LightspeedConnection, sandbox  # noqa: E402
from ls_widget.models import MODEL_INPUTS  # noqa: E402
from ls_widget.sync import fetch  # noqa: E402

FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)


def message(widget, content):
    widget._handle_custom_msg(content, [])


@pytest.fixture
def sent(monkeypatch):
    outbox = []
    monkeypatch.setattr(LightspeedConnection, "send", lambda self, content, buffers=None: outbox.append(content))
    return outbox


def connect(box, sent, **kwargs) -> LightspeedConnection:
    panel = box.connection(**kwargs)
    message(panel, {"type": "authorize", "id": "flow-1"})
    message(panel, {"type": "complete", "url": box.approve(sent[-1]["url"])})
    assert panel.status == "connected"
    return panel


def start(panel, sent, resources, full=False, id_="view-1"):
    before = len(sent)
    message(panel, {"type": "sync_start", "id": id_, "resources": resources, "full": full})
    replies = [m for m in sent[before:] if m.get("id") == id_]
    assert len(replies) == 1, sent[before:]
    return replies[0]


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def box():
    with sandbox.start(items=60, customers=20, sales=80, employees=2, categories=3, **FAST) as running:
        yield running


@pytest.fixture
def slow():
    """Two pages a second: a sync of 2,000 items takes about 10 s."""
    with sandbox.start(items=2000, customers=5, sales=5, employees=2, categories=2, bucket_size=2, drip_rate=2,
                       burst_limit=10) as running:
        yield running


def test_the_resources_offered_are_those_the_scopes_read_with_the_models_inputs_ticked(box, sent):
    panel = connect(box, sent, scopes=["employee:inventory_read"])
    offered = {r["name"]: r for r in panel._sync["resources"]}
    assert "Item" in offered and "Sale" not in offered and "Customer" not in offered  # no scope for those
    models = {getattr(entry, "name", entry) for entry in MODEL_INPUTS}
    assert {name for name, r in offered.items() if r["selected"]} == models & set(offered)
    assert all(r["summary"] for r in offered.values())
    wait_for(lambda: panel._sync_part.wait(0) and panel._sync["tables"] == [])


def test_sync_now_runs_on_a_thread_and_reports_the_tables(box, sent):
    panel = connect(box, sent, scopes=["employee:all"])
    updates = []
    panel.observe(lambda change: updates.append(change["new"]), "_sync")
    # The sync's first request is held until the handler has answered: a handler that synced on the kernel's own
    # thread would be caught here, holding itself (and the kernel) instead of replying.
    held, release, askers = threading.Event(), threading.Event(), []

    def hold(request):
        if not held.is_set():
            askers.append(threading.current_thread())
            held.set()
            assert release.wait(60), "never released"

    panel.connection.session.event_hooks["request"].append(hold)
    ticked = [r["name"] for r in panel._sync["resources"] if r["selected"]]  # the models' inputs
    reply = start(panel, sent, ticked)
    assert reply == {"type": "sync_start_reply", "id": "view-1", "ok": True}
    assert held.wait(60) and askers[0] is not threading.current_thread()  # the sync runs on a thread of its own
    assert panel._sync["running"] is True
    release.set()
    assert panel._sync_part.wait(120)
    state = panel._sync
    assert state["running"] is False and state["error"] == "" and state["progress"] is None
    assert state["result"].startswith("Synced ")
    tables = {t["table"]: t for t in state["tables"]}
    assert tables["Item"]["rows"] == 60 and tables["Sale"]["rows"] == 80 and tables["Item"]["kind"] == "raw"
    assert tables["Item"]["updated"]  # when the sync committed to it
    assert {"items", "stock", "daily_sales"} <= {t["table"] for t in state["tables"] if t["kind"] == "model"}
    assert "Models refreshed" in state["result"]
    # Progress came while it ran, growing.
    progress = [u["progress"] for u in updates if u.get("progress")]
    assert progress and [p["all_records"] for p in progress] == sorted(p["all_records"] for p in progress)
    # What was synced stays ticked for next time.
    assert [r["name"] for r in state["resources"] if r["selected"]] == ticked
    assert panel._last_sync["resources"]


def test_progress_is_throttled_to_the_latest_a_few_times_a_second():
    """Pages can arrive hundreds a second: the panel shows at most one progress update per interval, the latest one
    (held back until the interval is up), on a clock and a timer stepped by hand."""
    from types import SimpleNamespace

    from ls_widget.panel_sync import PanelSync

    now = [100.0]
    timers = []

    class Timer:
        daemon = False

        def __init__(self, wait, action):
            self.wait, self.action, self.cancelled = wait, action, False
            timers.append(self)

        def start(self):
            pass

        def cancel(self):
            self.cancelled = True

    shown = []
    part = PanelSync(object(), lambda state: shown.append(state["progress"]), interval=0.25,
                     clock=lambda: now[0], timer=Timer)

    def page(pages: int) -> None:
        part._progress(SimpleNamespace(resource="Item", phase="fetching", pages=pages, records=100 * pages,
                                       total_pages=10, seconds_left=None, resources_done=0, resources_total=1,
                                       all_pages=pages, all_records=100 * pages))

    part._update(running=True)  # the sync starts: shown at once
    now[0] = 100.05
    page(1)
    now[0] = 100.10
    page(2)
    assert shown == [None] and len(timers) == 1 and timers[0].wait == pytest.approx(0.20)
    now[0] = 100.25
    timers[0].action()  # the interval is up: the latest page, never the one it replaced
    assert [p["pages"] for p in shown[1:]] == [2]
    now[0] = 100.30
    page(3)  # too soon again: held
    now[0] = 100.60
    page(4)  # a newer one before the timer fired: the held one goes, this one shows now (the interval is up)
    assert [p["pages"] for p in shown[1:]] == [2, 4] and timers[1].cancelled
    part._update(running=False, progress=None)  # the end shows at once, whatever the interval
    assert shown[-1] is None and len(shown) == 4


def test_one_sync_at_a_time_and_cancel_keeps_what_was_committed(slow, sent, monkeypatch):
    monkeypatch.setattr(fetch, "COMMIT_SECONDS", 0.0)  # a commit every 5 pages
    panel = connect(slow, sent, scopes=["employee:all"])
    assert start(panel, sent, ["Item"])["ok"] is True
    again = start(panel, sent, ["Item"], id_="view-2")
    assert again["ok"] is False and "already running" in again["error"]
    wait_for(lambda: (panel._sync.get("progress") or {}).get("pages", 0) >= 6)
    message(panel, {"type": "sync_cancel"})
    assert panel._sync["cancelling"] is True
    assert panel._sync_part.wait(60)
    state = panel._sync
    assert state["running"] is False and state["error"] == ""
    assert state["result"].startswith("Cancelled after") and "next sync carries on" in state["result"]
    kept = {t["table"]: t["rows"] for t in state["tables"]}["Item"]
    assert 0 < kept < 2000
    assert int(panel.sql("select count(*) as n from Item")["n"][0]) == kept


def test_disconnect_while_syncing_cancels(slow, sent):
    panel = connect(slow, sent, scopes=["employee:all"])
    start(panel, sent, ["Item"])
    wait_for(lambda: (panel._sync.get("progress") or {}).get("pages", 0) >= 2)
    message(panel, {"type": "disconnect"})
    assert panel.status == "draft"
    assert panel._sync_part.wait(60)
    assert panel._sync["running"] is False
    assert panel._sync["error"] == "" and panel._sync["result"].startswith("Cancelled")


@pytest.mark.parametrize("resources, why", [
    ([], "Choose at least one resource"),
    (["Nope"], "not among the resources"),
    ("Item", "no list of resources"),
])
def test_a_bad_request_is_refused_saying_what_to_do(box, sent, resources, why):
    panel = connect(box, sent, scopes=["employee:inventory_read"])
    reply = start(panel, sent, resources)
    assert reply["ok"] is False and why in reply["error"]
    assert panel._sync["running"] is False


def test_not_connected_is_refused(box, sent):
    panel = box.connection()
    panel._sync_part.offer(None)  # offered as if connected, to reach the check
    reply = start(panel, sent, ["Item"])
    assert reply["ok"] is False and "Sign in first" in reply["error"]


def test_an_error_says_what_to_do(box, sent, monkeypatch):
    from ls_widget.errors import SyncError

    panel = connect(box, sent, scopes=["employee:all"])

    def refuse(*args, **kwargs):
        raise SyncError(f"Another sync is using this connection's tables ({Path.home()}/x.duckdb): run it again "
                        "once the first is done.")

    monkeypatch.setattr(type(panel.connection), "sync", refuse)
    start(panel, sent, ["Item"])
    assert panel._sync_part.wait(30)
    error = panel._sync["error"]
    assert error.startswith("Another sync is using") and str(Path.home()) not in error and "~/x.duckdb" in error


def test_the_browser_cannot_set_the_sync_state(box, sent):
    panel = connect(box, sent, scopes=["employee:all"])
    before = dict(panel._sync)
    panel._handle_msg({"content": {"data": {"method": "update", "state": {"_sync": {"running": True}},
                                            "buffer_paths": []}}, "buffers": []})
    assert panel._sync == before


def test_the_saved_state_holds_nothing_secret(box, sent, ls_home):
    panel = connect(box, sent, scopes=["employee:all"])
    start(panel, sent, ["Item"])
    assert panel._sync_part.wait(60)
    state = json.dumps(panel.get_state()["_sync"])
    token = panel.connection.token()
    assert token.access_token not in state and (token.refresh_token or "@@") not in state
    assert str(ls_home) not in state and ".duckdb" not in state


def test_a_sync_in_a_cell_updates_the_tables(box, sent):
    panel = connect(box, sent, scopes=["employee:all"])
    panel.sync(["Shop"], progress=False)
    wait_for(lambda: any(t["table"] == "Shop" for t in panel._sync["tables"]))



EXITS_DURING_A_TABLE_READ = """
from ls_widget import sandbox

with sandbox.start(items=30, customers=10, sales=40, bucket_size=1e6, drip_rate=1e6, burst_limit=10**6) as box:
    panel = box.connection(name="Exit", scopes=["employee:all"])
    panel.complete_authorization(box.approve(panel.authorization_url()))
    panel.sync(["Shop", "Item"], progress=False)  # the panel then reads the tables on a thread of its own
    {action}
"""


@pytest.mark.parametrize("action", ["pass", "panel._sync_part.start(['Item', 'Sale'], True)"],
                         ids=["tables being read", "a sync running"])
def test_a_script_ends_cleanly_while_the_panel_reads_or_syncs(action, tmp_path):
    """A script (or a kernel shutting down) that ends while one of the panel's threads is inside DuckDB must not abort
    the process ("terminate called ... FATAL: exception not rethrown", exit status 134): it cancels and waits."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LS_WIDGET_HOME": str(tmp_path / "home")}
    ended = subprocess.run([sys.executable, "-c", EXITS_DURING_A_TABLE_READ.format(action=action)], env=env,
                           capture_output=True, text=True, timeout=300)
    assert ended.returncode == 0, ended.stderr[-3000:]
    assert "terminate called" not in ended.stderr and "FATAL" not in ended.stderr, ended.stderr[-3000:]
