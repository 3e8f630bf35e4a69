"""Resumable: a sync killed at any point (SIGKILL mid-pull or mid-load, Interrupt) keeps what it committed, and the
next one fetches at most the pages left + 10; the tables never hold duplicates.

The sandbox here answers faster than any Lightspeed, so a whole pull would fit in one chunk's 2.5 s of fetching:
these tests commit every ``COMMIT_PAGES`` pages (``COMMIT_SECONDS`` = 0) to have chunk boundaries to kill at. The
time rule itself is tested in test_sync_fetch.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from ls_widget import sandbox
from ls_widget.sync import fetch
from ls_widget.sync.target import Target

from .conftest import FAST, Requests, assert_tables_equal_source

PAGES = 35
CHUNK = fetch.COMMIT_PAGES


@pytest.fixture(autouse=True)
def chunks_by_pages(monkeypatch):
    monkeypatch.setattr(fetch, "COMMIT_SECONDS", 0.0)


@pytest.fixture
def big():
    with sandbox.start(items=PAGES * 100, customers=10, sales=10, employees=2, categories=4, **FAST) as running:
        yield running


@pytest.fixture
def conn(big):
    connection = big.connection(name="Warehouse", scopes=["employee:all"])
    connection.complete_authorization(big.approve(connection.authorization_url()))
    connection.save()
    return connection


def killed_child(where: str) -> int:
    """Run a sync in another process that SIGKILLs itself at the third load (``where``: before it or inside it)."""
    script = textwrap.dedent(f"""
        import os, signal
        import dlt
        from ls_widget.connection import Connection
        from ls_widget.sync import fetch
        fetch.COMMIT_SECONDS = 0.0
        from ls_widget.sync.target import Target

        loads = []
        if {where!r} == "before":
            real = Target.load
            def load(self, resources):
                loads.append(1)
                if len(loads) == 3:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(self, resources)
            Target.load = load
        else:  # inside dlt's load step: the files are normalized, the database not yet committed
            real = dlt.Pipeline.load
            def load(self, *args, **kwargs):
                loads.append(1)
                if len(loads) == 3:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(self, *args, **kwargs)
            dlt.Pipeline.load = load
        Connection.load("Warehouse").sync(["Item"], progress=False)
    """)
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), capture_output=True, text=True,
                          timeout=120)
    return done.returncode


@pytest.mark.parametrize("where", ["before", "inside"])
def test_a_killed_sync_keeps_what_it_committed_and_the_next_one_finishes_it(conn, where):
    assert killed_child(where) == -9
    committed = int(conn.sql("select count(*) as n from Item")["n"][0])
    assert committed == 2 * CHUNK * 100  # two chunks made it, the third did not
    requests = Requests(conn.session)
    result = conn.sync(["Item"], progress=False)
    pages_left = PAGES - 2 * CHUNK
    assert len(requests) <= pages_left + 10
    assert result.tables["Item"].rows == PAGES * 100
    assert_tables_equal_source(conn, ("Item",))


def test_an_interrupt_keeps_what_was_committed(conn, monkeypatch):
    real, loads = Target.load, []

    def interrupted(self, resources):
        loads.append(1)
        if len(loads) == 2:
            raise KeyboardInterrupt
        return real(self, resources)

    monkeypatch.setattr(Target, "load", interrupted)
    with pytest.raises(KeyboardInterrupt):
        conn.sync(["Item"], progress=False)
    monkeypatch.setattr(Target, "load", real)
    assert int(conn.sql("select count(*) as n from Item")["n"][0]) == CHUNK * 100
    result = conn.sync(["Item"], progress=False)
    assert result.pages <= PAGES - CHUNK + 10
    assert_tables_equal_source(conn, ("Item",))


def test_the_sync_state_travels_with_the_data(conn, ls_home):
    """The local pipeline folder lost (a new machine, a cleaned cache): the state comes back from the tables."""
    import shutil

    conn.sync(["Item"], progress=False)
    shutil.rmtree(ls_home / "sync" / "pipelines")
    requests = Requests(conn.session)
    result = conn.sync(["Item"], progress=False)
    assert len(requests) == 1 and result.tables["Item"].inserted == 0
