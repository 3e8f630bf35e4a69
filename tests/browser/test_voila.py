"""The panel in standalone Voila, which serves no server-extension routes.

``voila notebook.ipynb`` runs its own Jupyter server without the package's extension: ``ls-widget/oauth/callback``
is redirected to Voila's file handler, which answers ``403 File not allowlisted``. The page still carries Jupyter's
config (``baseUrl``) and the sandbox's authorization host is a loopback address, so without the probe the panel
would pick the Jupyter route and the sign-in would hang in "authorizing". With it, the panel renders, falls back to
paste mode saying why, and a sign-in completes by pasting.

Voila gives a test no kernel to run code in, so the notebook reports Python's side itself: it writes the
connection's state to a JSON file each time ``status`` or ``redirect_uri`` changes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_harness import _SCRUBBED_ENV, REPO_ROOT, PANEL_SELECTOR, _package_installed, bundle_problem, free_port
from .lab_harness import doc_shots, write_notebook
from .test_panel_edges import PASTE_CLOSED, PASTE_SIGN_IN, approve_to_localhost
from .test_route_probe import NO_ROUTE_TEXT, PASTE_URI, PROBE_QUERY, status_of
from .test_sign_in import CALLBACK_PATH, click_authorize, status_region

# A Voila page is for viewers: the hint says what to do, not what to register or enable on a server.
VIEWER_PASTE_TEXT = (
    "On this page you finish signing in by pasting: after you approve access, your browser opens https://localhost, "
    "which does not load. Copy that page's whole address into the panel within 60 seconds."
)

pytestmark = pytest.mark.browser

try:
    import voila  # noqa: F401
except ImportError:  # the test extra lists it; in CI a missing Voila fails the run instead of skipping it
    if os.environ.get("CI"):
        raise
    pytest.skip("pip install voila (the test extra lists it)", allow_module_level=True)

NOTEBOOK = "voila_panel.ipynb"
PANEL_CELL = """\
import json, pathlib
from ls_widget import sandbox
demo = sandbox.start(items=5, customers=3, sales=4)
conn = demo.connection()
_report_path = pathlib.Path({report!r})

def _report(change=None):
    _report_path.write_text(json.dumps({{
        "status": conn.status, "error": conn.error, "capture_mode": conn.capture_mode,
        "redirect_uri": conn.redirect_uri, "demo_redirect_uri": demo.redirect_uri(demo.client.client_id),
        "account_id": conn.account_id, "account_name": conn.account_name,
        "sandbox_account": [demo.account_id, demo.state.account(demo.account_id).name],
    }}))

conn.observe(_report, names=["status", "redirect_uri"])
_report()
conn
"""


@dataclass
class Voila:
    url: str
    report: Path
    log: Path
    proc: subprocess.Popen

    def read_report(self) -> dict:
        try:
            return json.loads(self.report.read_text())
        except (OSError, ValueError):
            return {}

    def wait_report(self, check, timeout: float = 20.0) -> dict:
        """Python's side, once ``check(report)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            report = self.read_report()
            if report and check(report):
                return report
            if time.monotonic() > deadline:
                raise AssertionError(f"the notebook's report never matched: {report}")
            time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"


@pytest.fixture(scope="module")
def voila(tmp_path_factory, _require_chromium):
    problem = bundle_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    tmp = tmp_path_factory.mktemp("voila")
    root = tmp / "root"
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython", "ls_home")}
    for directory in (root, *dirs.values()):
        directory.mkdir()
    report = tmp / "report.json"
    write_notebook(root, NOTEBOOK, [PANEL_CELL.format(report=str(report))])

    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        LS_WIDGET_HOME=str(dirs["ls_home"]),
        PYTHONUNBUFFERED="1",
    )
    if not _package_installed():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    port = free_port()
    log_path = tmp / "voila.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", NOTEBOOK, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = Voila(f"http://127.0.0.1:{port}/", report, log_path, proc)
    # Ready once it answers anything; the callback address does not start a kernel (only the notebook page does).
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"Voila exited with {proc.returncode}:\n{server.log_tail()}", pytrace=False)
        with contextlib.suppress(OSError):
            status_of(f"{server.url}{CALLBACK_PATH}?{PROBE_QUERY}")
            break
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"Voila did not answer in 60 s:\n{server.log_tail()}", pytrace=False)
        time.sleep(0.2)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def test_voila_renders_the_panel_falls_back_to_paste_and_signs_in(voila, browser, browser_context_args,
                                                                 screens_dir):
    route = f"{voila.url}{CALLBACK_PATH}"
    assert status_of(f"{route}?{PROBE_QUERY}") == 403  # Voila: "File not allowlisted"

    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    probes: list[str] = []
    page.on("request", lambda r: PROBE_QUERY in r.url and probes.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(voila.url, timeout=60_000)  # Voila answers once the notebook has run
        root = page.locator(PANEL_SELECTOR).first
        expect(root).to_be_visible()
        expect(root.get_by_role("heading", name="Lightspeed Retail connection")).to_be_visible()

        redirect = root.get_by_role("textbox", name="Redirect URI", exact=True)
        expect(redirect).to_have_value(PASTE_URI)
        expect(redirect).to_have_accessible_description(re.compile(re.escape(VIEWER_PASTE_TEXT)))
        hint = root.locator(".ls-field--redirect").inner_text()
        assert NO_ROUTE_TEXT not in hint and "register" not in hint and "extension" not in hint, hint
        known = voila.wait_report(lambda r: r["redirect_uri"] == PASTE_URI and r["demo_redirect_uri"] == PASTE_URI)
        assert known["capture_mode"] == "auto" and known["status"] == "draft"
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / "voila--paste-explained.png")

        # Paste mode: the box is announced with the sign-in; closing the window (to copy its address) leads to it.
        popup = click_authorize(root)
        status = status_region(root)
        expect(status).to_contain_text(PASTE_SIGN_IN)
        redirected = approve_to_localhost(popup)
        popup.close()
        expect(status).to_contain_text(PASTE_CLOSED)
        expect(status).not_to_contain_text("on its way")
        pasted = root.get_by_role("textbox", name="Redirected URL", exact=True)
        expect(root.get_by_role("timer")).to_contain_text("Paste within")
        pasted.fill(redirected)
        root.get_by_role("button", name="Complete authorization", exact=True).click()
        assert "code=" in redirected
        account_id, account_name = known["sandbox_account"]
        expect(status_region(root)).to_contain_text(f"Connected to {account_name} ({account_id})")
        done = voila.wait_report(lambda r: r["status"] == "connected")
        assert [done["account_id"], done["account_name"]] == [account_id, account_name]
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / "voila--connected.png")
        root.screenshot(path=doc_shots("hosts") / "voila.png")  # docs/hosts/: the panel as each host shows it

        assert probes == [f"{route}?{PROBE_QUERY}"], probes
        assert errors == [], errors
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=screens_dir / "voila--FAILED.png")
        print("Voila log (tail):\n" + voila.log_tail())
        raise
    finally:
        context.close()
