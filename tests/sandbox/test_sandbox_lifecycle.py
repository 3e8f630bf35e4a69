"""Starting and stopping: the command line, start()/stop(), the environment, connection(), and the dataset."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from ls_widget import OAuthClient, sandbox
from ls_widget.profiles import V3
from ls_widget.sandbox.config import DataOptions
from ls_widget.sandbox.data import AccountData

from .consistency import check_sale

REPO = Path(__file__).resolve().parents[2]
SMALL = dict(items=50, customers=20, sales=100)


def test_command_line_prints_its_url_first_and_serves(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "ls_widget.sandbox", "--port", "0", "--items", "30",
                                "--sales", "40", "--customers", "10", "--bucket-size", "500"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
                               # As from a terminal: a suite started in the background by a script (`.ci/run &`)
                               # passes SIGINT on ignored, and a Python started so never turns Ctrl+C into
                               # KeyboardInterrupt.
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first), first
        info = httpx.get(first + "/_sandbox", timeout=30).json()
        assert info["url"] == first
        assert httpx.get(first + "/.well-known/jwks", timeout=30).json()["keys"][0]["kid"] == "RT_OAUTH2_2024_07_08"
        assert process.stdout.readline().startswith("accounts: ")
        assert "demo client (v3): id " in process.stdout.readline()
        process.send_signal(signal.SIGINT)
        # communicate(), not wait(): it drains both pipes while waiting, so a child with more to say on stderr than a
        # pipe holds cannot block on its write and look hung (Popen.wait's documented deadlock). The timeout bounds
        # a hang only.
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_command_line_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "ls_widget.sandbox", "--help"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=30)
    assert result.returncode == 0
    for option in ("--port", "--items", "--sales", "--bucket-size", "--drip-rate", "--consent-coop", "--end-date"):
        assert option in result.stdout


@pytest.mark.parametrize("arguments, message", [
    (["--port", "99999"], "argument --port: 99999 is not a port"),
    (["--port", "-1"], "argument --port: -1 is not a port"),
    (["--port", "eighty"], "argument --port: 'eighty' is not a whole number"),
    (["--items", "-5"], "--items cannot be negative"),
    (["--bucket-size", "0"], "--bucket-size must be positive"),
    (["--drip-rate", "nan"], "argument --drip-rate: 'nan' is not a number"),
    (["--end-date", "2026-13-01"], "argument --end-date: '2026-13-01' is not a date"),
    (["--itemz", "3"], "unrecognized arguments: --itemz 3"),
])
def test_command_line_mistakes_are_one_line_and_exit_2(arguments, message):
    result = subprocess.run([sys.executable, "-m", "ls_widget.sandbox", *arguments], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=30)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""  # no URL: nothing was served, on that port or another
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m ls_widget.sandbox: error: ") and message in lines[0]


def test_command_line_on_a_port_in_use_says_so_in_one_line():
    with sandbox.start(configure_environment=False, **SMALL) as box:
        port = box.url.rsplit(":", 1)[1]
        result = subprocess.run([sys.executable, "-m", "ls_widget.sandbox", "--port", port, "--items", "10",
                                 "--sales", "5"], capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"--port {port}: cannot listen" in result.stderr


@pytest.mark.parametrize("port", [99999, -1, 65536, "8765", True])
def test_start_refuses_a_port_that_is_not_one(port):
    with pytest.raises(ValueError, match="port must be"):
        sandbox.start(port=port, configure_environment=False, **SMALL)


def test_start_sets_and_stop_restores_the_environment(monkeypatch):
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", "https://proxy.example")
    box = sandbox.start(**SMALL)
    try:
        assert os.environ["LS_WIDGET_AUTH_URL"] == os.environ["LS_WIDGET_API_URL"] == box.url
        assert os.environ["LS_WIDGET_V2_CLIENT_ID"] == box.v2_client.client_id
        assert os.environ["LS_WIDGET_V2_CLIENT_SECRET"] == box.v2_client.client_secret
        assert V3.token_endpoint == box.url + "/auth/oauth/token"
        assert V3.auth_host_is_loopback
    finally:
        box.stop()
    assert os.environ["LS_WIDGET_AUTH_URL"] == "https://proxy.example"
    for name in ("LS_WIDGET_API_URL", "LS_WIDGET_V2_CLIENT_ID", "LS_WIDGET_V2_CLIENT_SECRET"):
        assert name not in os.environ


def test_environment_can_be_left_alone():
    with sandbox.start(configure_environment=False, **SMALL):
        assert "LS_WIDGET_AUTH_URL" not in os.environ


def test_context_manager_stops_the_server():
    with sandbox.start(**SMALL) as box:
        assert box.running and "running" in repr(box)
        url = box.url
        assert httpx.get(url + "/.well-known/jwks").status_code == 200
    assert not box.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/.well-known/jwks", timeout=2)
    assert "LS_WIDGET_AUTH_URL" not in os.environ


def test_fixed_port_and_unknown_options():
    with pytest.raises(TypeError):
        sandbox.start(itemz=3)
    with sandbox.start(configure_environment=False, **SMALL) as box:
        port = int(box.url.rsplit(":", 1)[1])
        with pytest.raises(OSError):
            sandbox.start(port=port, configure_environment=False, **SMALL)


def test_demo_client_is_a_confidential_oauth_client():
    with sandbox.start(configure_environment=False, **SMALL) as box:
        client = box.client
        assert isinstance(client, OAuthClient) and client.has_secret
        assert box.state.registry.demo.confidential
        with sandbox.start(configure_environment=False, **SMALL) as twin:  # the same seed, the same demo client
            assert twin.client == client


def test_connection_is_pointed_at_the_sandbox():
    with sandbox.start(**SMALL) as box:
        conn = box.connection()
        assert conn.api_type == "v3" and conn.oauth_client == box.client.name
        assert "employee:inventory_read" in conn.scopes
        assert OAuthClient.load(box.client.name) == box.client  # passing the object stored it
        assert conn.profile.authorize_endpoint == box.url + "/auth/oauth/authorize"
        assert conn.validation_errors() == {}
        conn.redirect_uri = "http://localhost:8888/ls-widget/oauth/callback"
        assert box.redirect_uri(box.client.client_id) == "http://localhost:8888/ls-widget/oauth/callback"
        conn.redirect_uri = "http://not-loopback.example/cb"  # Lightspeed would refuse it too: kept the old one
        assert box.redirect_uri(box.client.client_id) == "http://localhost:8888/ls-widget/oauth/callback"
        legacy = box.connection(api_type="v2", name="Legacy")
        assert legacy.validation_errors() == {}
        legacy.redirect_uri = "https://localhost/v2"
        assert box.redirect_uri(box.v2_client.client_id) == "https://localhost/v2"


def test_clock_only_moves_forward():
    with sandbox.start(configure_environment=False, **SMALL) as box:
        before = box.clock.monotonic()  # (the monotonic scale: the wall clock may be stepped back meanwhile)
        assert box.advance_clock(100) == 100
        assert box.clock.monotonic() - before >= 100
        with pytest.raises(ValueError):
            box.advance_clock(-1)


# -- the dataset --------------------------------------------------------------------------------------------------
def test_data_is_deterministic_and_seeded():
    a, b = AccountData(DataOptions(**SMALL), 0), AccountData(DataOptions(**SMALL), 0)
    c = AccountData(DataOptions(seed=2, **SMALL), 0)
    for name in ("Item", "Customer", "Sale", "SaleLine", "Category", "Employee"):
        assert a.table(name).records == b.table(name).records
    assert a.table("Item").records != c.table("Item").records


def test_default_dataset_has_its_documented_size():
    # How long building it takes is measured by benchmarks/sandbox_data.py: tests assert behaviour, not time.
    data = AccountData(DataOptions(), 0)
    assert len(data.table("Sale").records) == 10000 and len(data.table("Item").records) == 2000
    assert len(data.table("Customer").records) == 500


def test_records_look_like_lightspeeds():
    data = AccountData(DataOptions(**SMALL), 0)
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
    for name in ("Shop", "Register", "Employee", "Category", "Item", "Customer", "Sale", "SaleLine"):
        for record in data.table(name).records:
            for key, value in record.items():
                assert isinstance(value, (str, dict)), (name, key)
                if key in ("timeStamp", "createTime", "completeTime"):
                    assert stamp.fullmatch(value)
            assert record.get("archived", "false") in ("true", "false")
    end = datetime(2026, 10, 31, 23, 59, 59).timestamp()
    times = [datetime.fromisoformat(s["createTime"]).timestamp() for s in data.table("Sale").records]
    assert max(times) <= end + 86400 and min(times) >= end - 366 * 86400


def test_sales_are_consistent_with_their_lines():
    data = AccountData(DataOptions(**SMALL), 0)
    items, customers = data.table("Item").by_id, data.table("Customer").by_id
    for sale in data.table("Sale").records:
        lines = data.sale_lines(sale)
        assert 1 <= len(lines) <= 5
        check_sale(sale, lines, data.sale_payments(sale))
        for line in lines:
            item = items[line["itemID"]]
            assert item["createTime"] <= sale["createTime"] or item["itemID"] == "1"
        assert sale["customerID"] == "0" or sale["customerID"] in customers
    walk_ins = sum(1 for s in data.table("Sale").records if s["customerID"] == "0")
    assert 0 < walk_ins < len(data.table("Sale").records)


def test_without_a_home_set_the_sandbox_keeps_its_own_store_and_deletes_it(monkeypatch, tmp_path):
    """A client saved for the sandbox (named like the analyst's real one) never replaces a real client."""
    monkeypatch.delenv("LS_WIDGET_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where platformdirs would put the real store
    box = sandbox.start(**SMALL)
    try:
        own = Path(os.environ["LS_WIDGET_HOME"])
        assert own.is_dir() and not own.is_relative_to(tmp_path)
        OAuthClient("Reporting notebook", box.client.client_id, box.client.client_secret).save()
        box.sign_in(box.connection(oauth_client="Reporting notebook")).get("Item", 1)
        assert (own / "clients").is_dir() and any((own / "tokens").iterdir())
    finally:
        box.stop()
    assert "LS_WIDGET_HOME" not in os.environ
    assert not own.exists()
    assert not (tmp_path / "data").exists()


def test_a_home_already_set_is_used_and_kept(ls_home):
    box = sandbox.start(**SMALL)
    try:
        assert os.environ["LS_WIDGET_HOME"] == str(ls_home)
        session = box.sign_in(box.connection())
        assert session.account_id == box.account_id
    finally:
        box.stop()
    assert os.environ["LS_WIDGET_HOME"] == str(ls_home)
    assert any((ls_home / "tokens").iterdir())


def test_answers_are_dated_by_the_sandboxs_own_clock():
    """Lightspeed's Date and its records' timeStamps share one clock; moving the sandbox's clock moves its Date."""
    from email.utils import parsedate_to_datetime

    import httpx

    from ls_widget import sandbox

    with sandbox.start(items=5, customers=2, sales=2, employees=2, categories=2) as box:
        before = parsedate_to_datetime(httpx.get(box.url + "/API/V3/Account.json").headers["Date"])
        box.advance_clock(86400)
        after = parsedate_to_datetime(httpx.get(box.url + "/API/V3/Account.json").headers["Date"])
    assert 86400 <= (after - before).total_seconds() < 86400 + 60
