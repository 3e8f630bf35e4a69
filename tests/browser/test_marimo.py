"""The panel in marimo (``mo.ui.anywidget``): it renders, talks to Python (custom messages both ways), syncs the name
trait both ways, and its two dialogs open centred in the viewport (marimo's CSS reset zeroes <dialog> margins, which
pinned them to the top-left corner), close on Escape and give focus back.

One ``marimo run`` server per module (``tests/browser/marimo_app.py``, ``LS_WIDGET_HOME`` in a temp dir with one
stored client); every page load is a fresh marimo session, so each test gets its own kernel.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_harness import REPO_ROOT, _SCRUBBED_ENV, doc_shots, _package_installed, bundle_problem, free_port, secret_input

if importlib.util.find_spec("marimo") is None:
    # In CI a missing marimo fails the run, as a missing Chromium does (conftest.py); locally it skips.
    message = "marimo is not installed: it is in the test extra (pip install -e '.[test]')"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

pytestmark = pytest.mark.browser

APP = Path(__file__).with_name("marimo_app.py")
STORED_CLIENT = ("Stored client", "stored-client-id")
CENTRE_TOLERANCE_PX = 3


class MarimoServer:
    def __init__(self, url: str, ls_home: Path, log_path: Path, proc: subprocess.Popen):
        self.url, self.ls_home, self.log_path, self.proc = url, ls_home, log_path, proc

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def marimo_server(tmp_path_factory, _require_chromium):
    problem = bundle_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    tmp = tmp_path_factory.mktemp("marimo")
    ls_home = tmp / "ls_home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LS_WIDGET_HOME", str(ls_home))
        from ls_widget import OAuthClient

        OAuthClient(*STORED_CLIENT, "stored-secret").save()

    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    # HOME: marimo's user config and caches stay in the temp dir.
    env.update(LS_WIDGET_HOME=str(ls_home), PYTHONUNBUFFERED="1", MARIMO_SKIP_UPDATE_CHECK="1", HOME=str(tmp))
    if not _package_installed():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    port = free_port()
    log_path = tmp / "marimo.log"
    cmd = [
        sys.executable, "-m", "marimo", "run", str(APP),
        "--headless", "--host", "127.0.0.1", "--port", str(port), "--no-token", "--no-sandbox",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = MarimoServer(f"http://127.0.0.1:{port}/", ls_home, log_path, proc)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"marimo exited with {proc.returncode}:\n{server.log_tail()}", pytrace=False)
        try:
            with urllib.request.urlopen(server.url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"marimo did not answer in 60 s:\n{server.log_tail()}", pytrace=False)
        time.sleep(0.2)
    yield server
    server.stop()


@pytest.fixture
def app(marimo_server, page, request, screens_dir):
    """A fresh marimo session (its own kernel) with the panel drawn."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.goto(marimo_server.url)
    panel = page.locator(".ls-widget")
    expect(panel).to_be_visible(timeout=30_000)
    yield page
    report = getattr(request.node, "_report_call", None)
    if report is None or report.failed:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(screens_dir / f"marimo--{request.node.name}--FAILED.png"))
        if errors:
            print("Browser errors:\n" + "\n".join(errors[-20:]))
        print("marimo log (tail):\n" + marimo_server.log_tail())


def python_sees(page) -> dict:
    text = page.locator("pre.python-sees").inner_text()
    return json.loads(text.removeprefix("Python sees: "))


def wait_python_sees(page, key: str, expected, *, ask: bool = False, timeout: float = 10.0) -> None:
    """Wait until the app's "Python sees" cell shows ``key == expected``. A change the panel makes reruns that cell
    by itself (marimo's reactivity); a change Python made itself does not, so with ``ask`` the test presses
    "Ask Python" to rerun it."""
    deadline = time.monotonic() + timeout
    while True:
        if ask:
            page.get_by_role("button", name="Ask Python", exact=True).click()
        with contextlib.suppress(Exception):
            seen = python_sees(page)
            if seen.get(key) == expected:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"Python never saw {key} == {expected!r}; last: {python_sees(page)}")
        time.sleep(0.5 if ask else 0.1)


def ask_python(page) -> dict:
    """Press "Ask Python" and return what the cell shows once it has rerun for that click (a round trip through
    marimo's kernel: the runs it had queued before go first)."""
    asked = python_sees(page)["asked"]
    page.get_by_role("button", name="Ask Python", exact=True).click()
    expect(page.locator("pre.python-sees")).to_contain_text(f'"asked": {asked + 1},')
    return python_sees(page)


def assert_centred(page, dialog) -> dict:
    """The open dialog's box is centred horizontally in the viewport and clear of the top-left corner."""
    box = dialog.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    left_gap = box["x"]
    right_gap = viewport["width"] - (box["x"] + box["width"])
    top_gap = box["y"]
    bottom_gap = viewport["height"] - (box["y"] + box["height"])
    assert abs(left_gap - right_gap) <= CENTRE_TOLERANCE_PX, (box, viewport)
    assert abs(top_gap - bottom_gap) <= CENTRE_TOLERANCE_PX, (box, viewport)
    assert left_gap >= 15 and top_gap >= 15, (box, viewport)  # the 32 px and 48 px the CSS keeps free
    # Within the viewport, and not stretched over it by `inset: 0` (it is sized to its content, at most
    # the viewport's height less 48 px).
    assert box["height"] <= viewport["height"] - 47, (box, viewport)
    return box


def test_panel_renders_and_talks_to_python(app):
    page = app
    panel = page.locator(".ls-widget")
    # The stored client arrived by a custom message answered by Python: the panel is live, not "no kernel".
    client_box = panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)
    expect(client_box.get_by_role("option", name=STORED_CLIENT[0], exact=True)).to_have_count(1)
    expect(panel.get_by_role("status")).not_to_contain_text("Open this notebook in Jupyter")
    expect(panel.get_by_role("textbox", name="Name your connection", exact=True)).to_be_enabled()


def test_name_syncs_both_ways(app):
    page = app
    name_box = page.get_by_role("textbox", name="Name your connection", exact=True)
    # Panel -> Python: the reactive cell reruns with the new value.
    name_box.fill("Shop from the panel")
    name_box.press("Tab")
    wait_python_sees(page, "name", "Shop from the panel")
    # Python -> panel: a cell sets the trait.
    rename = page.get_by_role("textbox", name="Rename from Python")
    rename.fill("Shop from Python")
    rename.press("Enter")
    expect(name_box).to_have_value("Shop from Python")
    wait_python_sees(page, "name", "Shop from Python", ask=True)
    # A choice of OAuth client goes the same way.
    page.get_by_role("combobox", name="OAuth 2.0 client", exact=True).select_option(label=STORED_CLIENT[0])
    wait_python_sees(page, "oauth_client", STORED_CLIENT[0])
    assert python_sees(page)["name"] == "Shop from Python"
    # For the docs: the panel in marimo, with what Python sees below it.
    page.screenshot(path=str(doc_shots() / "marimo.png"))


def test_a_cell_reading_the_panel_follows_what_python_changes_by_itself(app):
    """In marimo a cell reruns only on an update from the browser; Python's own changes (a sign-in the panel's
    message started, a cell assigning a trait) reach `panel.value` readers because the panel acknowledges them."""
    page = app
    panel = page.locator(".ls-widget")
    name_box = panel.get_by_role("textbox", name="Name your connection", exact=True)
    name_box.fill("Marimo shop")
    name_box.press("Tab")
    panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True).select_option(label=STORED_CLIENT[0])
    panel.get_by_role("button", name="Edit scopes", exact=True).click()
    dialog = page.get_by_role("dialog", name="Choose scopes")
    dialog.get_by_role("button", name="Add all scopes", exact=True).click()
    dialog.get_by_role("button", name="Save scopes", exact=True).click()
    wait_python_sees(page, "oauth_client", STORED_CLIENT[0])
    assert python_sees(page)["status"] == "draft"
    # "Save and authorize": a custom message; Python answers it by starting the sign-in (status "authorizing").
    with page.context.expect_page() as popup:
        panel.get_by_role("button", name="Save and authorize", exact=True).click()
    popup.value.close()
    wait_python_sees(page, "status", "authorizing")  # no "Ask Python": the cell reran by itself
    # A cell assigning a trait (Python -> panel) is followed the same way.
    rename = page.get_by_role("textbox", name="Rename from Python")
    rename.fill("Renamed by a cell")
    rename.press("Enter")
    expect(name_box).to_have_value("Renamed by a cell")
    wait_python_sees(page, "name", "Renamed by a cell")
    # And the acknowledgements settle: every change Python made is acknowledged, and the reruns the acknowledgements
    # cause change nothing more in Python (a loop would count a new change of Python's on every lap).
    deadline = time.monotonic() + 10
    settled = ask_python(page)
    while settled["revision"] != settled["seen_revision"]:
        assert time.monotonic() < deadline, f"Python's changes were never all acknowledged: {settled}"
        settled = ask_python(page)
    assert ask_python(page) == {**settled, "asked": settled["asked"] + 1}


def test_scope_picker_is_centred_and_keyboard_driven(app):
    page = app
    panel = page.locator(".ls-widget")
    edit = panel.get_by_role("button", name="Edit scopes", exact=True)
    edit.focus()
    edit.press("Enter")
    picker = panel.get_by_role("dialog", name="Choose scopes")
    expect(picker).to_be_visible()
    expect(picker.get_by_role("textbox", name="Filter scopes", exact=True)).to_be_focused()
    assert_centred(page, picker)

    # Escape discards and gives focus back to the opener.
    picker.get_by_role("button", name="Add all scopes", exact=True).click()
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(edit).to_be_focused()
    assert python_sees(page)["scopes"] == []

    # Saving writes the trait, and Python sees it.
    edit.press("Enter")
    expect(picker).to_be_visible()
    picker.get_by_role("textbox", name="Filter scopes", exact=True).fill("inventory_read")
    picker.get_by_role("button", name="Add all scopes", exact=True).click()
    picker.get_by_role("button", name="Save scopes", exact=True).click()
    expect(picker).to_be_hidden()
    expect(edit).to_be_focused()
    wait_python_sees(page, "scopes", ["employee:inventory_read"])

    # In a short window the picker stays centred inside it, and its buttons stay reachable (the body scrolls).
    page.set_viewport_size({"width": 640, "height": 420})
    edit.press("Enter")
    expect(picker).to_be_visible()
    box = assert_centred(page, picker)
    expect(picker.get_by_role("button", name="Save scopes", exact=True)).to_be_in_viewport(ratio=1)
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()


def test_client_dialogs_are_centred_and_save_through_python(app, screens_dir):
    page = app
    panel = page.locator(".ls-widget")
    add = panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True)
    add.click()
    dialog = panel.get_by_role("dialog", name="Add OAuth 2.0 client")
    expect(dialog).to_be_visible()
    name_box = dialog.get_by_role("textbox", name="Client name", exact=True)
    expect(name_box).to_be_focused()
    assert_centred(page, dialog)
    page.screenshot(path=str(screens_dir / "marimo--client-dialog.png"))

    name_box.fill("Typed then dropped")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(add).to_be_focused()

    # Save goes to Python as a message and comes back as an answer; the new client is chosen.
    add.click()
    expect(name_box).to_have_value("")
    name_box.fill("Marimo client")
    dialog.get_by_role("textbox", name="Client ID", exact=True).fill("marimo-client-id")
    secret_input(dialog).fill("marimo-secret")
    dialog.get_by_role("button", name="Save client", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)).to_have_value("Marimo client")
    # Python chose it (the save handler sets the trait), so only "Ask Python" reruns the cell that shows it.
    wait_python_sees(page, "oauth_client", "Marimo client", ask=True)

    edit = panel.get_by_role("button", name="Edit OAuth 2.0 client", exact=True)
    edit.click()
    dialog = panel.get_by_role("dialog", name="Edit OAuth 2.0 client")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Client ID", exact=True)).to_have_value("marimo-client-id")
    assert_centred(page, dialog)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(edit).to_be_focused()
    assert "marimo-secret" not in json.dumps(python_sees(page))
