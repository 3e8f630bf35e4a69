"""Fixtures for the real-browser tests: one JupyterLab 4 server per session, Debian's Chromium through Playwright,
and a fresh notebook (and kernel) per test. The helpers themselves live in ``lab_harness.py`` so that
``scripts/readme_screenshot.py`` can use them too.

Loading JupyterLab in a browser costs seconds of CPU, so the JupyterLab tests share one loaded app: each test opens
its own new notebook in it (``docmanager:open``) and the teardown closes it and shuts its kernel down. The app is
loaded afresh (``&reset``) for the first test, after a failed test, and whenever a test leaves anything behind
(an open JupyterLab dialog, the dark theme). Notebook 7 tests get a page of their own. Kernels take seconds to
start, so each test also starts the next test's kernel session (by notebook path) for it to find ready.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_harness import (
    notebook_name,
    CHROMIUM,
    CHROMIUM_ARGS,
    PANEL_CELL,
    bundle_problem,
    execute_command,
    open_notebook,
    panel,
    panel_notebook,
    panel_output_area,
    python_value,
    run_all,
    run_python,
    start_lab_server,
    theme_is_light,
    wait_kernel_idle,
    wait_python,
)

# JupyterLab on two busy cores can take more than Playwright's default 5 s to react; conditions, never sleeps.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} not found: apt-get install -y chromium (Playwright cannot download browsers here)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1000}}


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, _require_chromium):
    problem = bundle_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    server = start_lab_server(tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screens_dir(pytestconfig) -> Path:
    """Screenshots for humans (never asserted). pytest-playwright empties --output when a session starts."""
    path = Path(pytestconfig.getoption("--output")).absolute() / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def next_notebook(item) -> str | None:
    """The notebook the next test will open, if it opens one."""
    items = item.session.items
    index = items.index(item) if item in items else -1
    if 0 <= index < len(items) - 1 and "make_lab" in getattr(items[index + 1], "fixturenames", ()):
        return notebook_name(items[index + 1])
    return None


class Lab:
    """A test's page with its notebook open, and ways to ask Python."""

    def __init__(self, page, server, name: str, screens: Path):
        self.page, self.server, self.name = page, server, name
        self._screens = screens
        self.console: list[str] = []

    @property
    def panel(self):
        return panel(self.page)

    def run_all(self) -> "Lab":
        run_all(self.page)
        expect(self.panel).to_be_visible()
        return self

    def py(self, code: str) -> str:
        return run_python(self.page, code)

    def value(self, expression: str):
        return python_value(self.page, expression)

    def wait_value(self, expression: str, expected, timeout: float = 10.0):
        return wait_python(self.page, expression, expected, timeout=timeout)

    def shoot(self, label: str, *, whole_page: bool = False) -> None:
        path = self._screens / f"{Path(self.name).stem}--{label}.png"
        try:
            if whole_page:
                self.page.screenshot(path=path)
            else:
                panel_output_area(self.page).screenshot(path=path, timeout=5_000)
        except Exception as exc:  # screenshots are for humans; never fail a test over one
            print(f"screenshot {label} failed: {exc}")


class SharedLab:
    """The JupyterLab page the tests share (see the module docstring)."""

    def __init__(self, context, server):
        self.context, self.server = context, server
        self.page = None

    def open(self, name: str):
        if self.page is not None and not self.page.is_closed():
            self.server.start_session(name)
            execute_command(self.page, "docmanager:open", {"path": name})
            wait_kernel_idle(self.page, name)
            return self.page
        self.page = self.context.new_page()
        open_notebook(self.page, self.server, name)
        return self.page

    def close_notebooks(self) -> bool:
        """Close every document without prompts; False when the page is not fit for the next test."""
        page = self.page
        if page is None or page.is_closed():
            return False
        try:
            clean = page.evaluate(
                """() => {
                  const app = window.jupyterapp;
                  for (const widget of Array.from(app.shell.widgets('main'))) {
                    if (widget.context && widget.context.model) widget.context.model.dirty = false;
                    widget.dispose();
                  }
                  return document.querySelector('.jp-Dialog') === null && !document.querySelector('dialog[open]');
                }"""
            )
            return bool(clean) and theme_is_light(page)
        except Exception:
            return False

    def discard(self) -> None:
        if self.page is not None and not self.page.is_closed():
            self.page.close()
        self.page = None


@pytest.fixture(scope="session")
def lab_context(browser, browser_context_args):
    context = browser.new_context(**browser_context_args)
    yield context
    context.close()


@pytest.fixture(scope="session")
def shared_lab(lab_context, lab_server):
    shared = SharedLab(lab_context, lab_server)
    yield shared
    shared.discard()


@pytest.fixture
def make_lab(shared_lab, lab_context, lab_server, screens_dir, request):
    """``make_lab(panel_cell=PANEL_CELL, app="lab"|"notebook7", run=True, source=None)``: write this test's notebook
    (the panel cell, then two more cells; or a copy of the notebook ``source``) and open it; with ``run``, run all
    cells and wait for the panel."""
    opened: list[tuple[Lab, bool]] = []

    def factory(panel_cell: str = PANEL_CELL, *, app: str = "lab", run: bool = True, source: Path | None = None) -> Lab:
        name = notebook_name(request.node)
        if source is not None:
            shutil.copyfile(source, lab_server.root_dir / name)
        else:
            panel_notebook(lab_server.root_dir, name, panel_cell)
        if app == "lab":
            page = shared_lab.open(name)
        else:
            page = lab_context.new_page()
            open_notebook(page, lab_server, name, app=app)
        # A kernel takes seconds to start: start the next test's now, it boots while this test runs.
        upcoming = next_notebook(request.node)
        if upcoming and upcoming != name:
            lab_server.start_session(upcoming)
        lab = Lab(page, lab_server, name, screens_dir)
        lab._on_console = lambda msg: msg.type == "error" and lab.console.append(f"{msg.type}: {msg.text}")
        lab._on_error = lambda exc: lab.console.append(f"pageerror: {exc}")
        page.on("console", lab._on_console)
        page.on("pageerror", lab._on_error)
        opened.append((lab, app == "lab"))
        if run:
            lab.run_all()
        return lab

    yield factory

    report = getattr(request.node, "_report_call", None)
    failed = report is None or report.failed
    for lab, shared in opened:
        if failed:
            lab.shoot("FAILED", whole_page=True)
            if lab.console:
                print("Browser console errors:\n" + "\n".join(lab.console[-40:]))
            print("JupyterLab log (tail):\n" + lab_server.log_tail(30))
        lab.page.remove_listener("console", lab._on_console)
        lab.page.remove_listener("pageerror", lab._on_error)
        if shared:
            if failed or not shared_lab.close_notebooks():
                shared_lab.discard()
        else:
            lab.page.close()
        lab_server.shutdown_kernels_of(lab.name)
    lab_context.clear_permissions()


@pytest.fixture
def lab(make_lab) -> Lab:
    """This test's notebook, ``conn = LightspeedConnection(); conn`` run and the panel visible."""
    return make_lab()
