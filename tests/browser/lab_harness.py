"""A JupyterLab 4 server and a Playwright page driven the way an analyst drives them.

Shared by ``tests/browser/conftest.py`` and ``scripts/readme_screenshot.py``. The reasons behind every choice here
(Debian's Chromium and its flags, the server's options and user settings, waiting on ``window.jupyterapp`` instead of
the toolbar indicator) are in ``tests/browser/README.md``.

Python's side is checked by running code in the notebook's own kernel (the same kernel and namespace as the cells)
and reading what it prints: :func:`run_python`. It goes through the kernel connection the page already holds, so the
shell channel orders it after every message the panel sent before it, and it leaves the notebook's cells, active cell
and scroll position alone (the keyboard tests compare the active cell index before and after).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC_SHOTS_ENV = "LS_WIDGET_DOC_SHOTS"


def doc_shots(*parts: str) -> Path:
    """Where the pictures for docs/ go: test-results/docs/ on an ordinary run, so running the tests never modifies
    committed files; docs/ itself when LS_WIDGET_DOC_SHOTS=1 (retaking the documentation's pictures)."""
    base = REPO_ROOT / "docs" if os.environ.get(DOC_SHOTS_ENV) else REPO_ROOT / "test-results" / "docs"
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A base_url other than "/" (as under JupyterHub), so URLs the panel builds from it are really checked.
BASE_URL = "/ls-test/"
PANEL_SELECTOR = ".ls-widget"
PANEL_CELL = "from ls_widget import LightspeedConnection\nconn = LightspeedConnection()\nconn"

# Environment that would change what the panel offers; the tests choose these explicitly.
_SCRUBBED_ENV = (
    "LS_WIDGET_AUTH_URL",
    "LS_WIDGET_API_URL",
    "LS_WIDGET_V2_CLIENT_ID",
    "LS_WIDGET_V2_CLIENT_SECRET",
    "JUPYTER_CONFIG_PATH",
    "JUPYTER_PATH",
    "JUPYTER_NO_CONFIG",
    "JUPYTER_TOKEN",
)

USER_SETTINGS = {
    # The news/update toast otherwise covers the page.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Every cell in the DOM, so locators never miss a virtualised one.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/themes": {"theme": "JupyterLab Light", "adaptive-theme": False},
    # Saving a notebook stores the widget state too: the "no secret in a saved notebook" test covers it.
    "@jupyter-widgets/jupyterlab-manager/plugin": {"saveState": True},
}


# --------------------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------------------
@dataclass
class LabServer:
    origin: str  # e.g. http://127.0.0.1:PORT
    base_url: str  # e.g. /ls-test/
    token: str
    root_dir: Path
    ls_home: Path  # LS_WIDGET_HOME of the server and its kernels
    log_path: Path
    proc: subprocess.Popen = field(repr=False)
    # HTTPS servers (start_lab_server's ``certfile``): trusts that certificate for the harness's own requests.
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The server's root URL, ending in '/'."""
        return self.origin + self.base_url

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}lab/tree/{urllib.parse.quote(notebook)}?token={self.token}&reset"

    def notebook7_url(self, notebook: str) -> str:
        return f"{self.url}notebooks/{urllib.parse.quote(notebook)}?token={self.token}"

    def api(self, method: str, path: str, body: object | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path.lstrip("/"),
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10, context=self.ssl_context) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def start_session(self, notebook: str, kernel: str = "python3") -> dict:
        """Start a kernel session for a notebook path (what opening the notebook does)."""
        return self.api(
            "POST", "api/sessions", {"path": notebook, "name": notebook, "type": "notebook", "kernel": {"name": kernel}}
        )

    def shutdown_kernels_of(self, notebook: str) -> None:
        """Stop the kernel(s) a test's notebook started, so they do not pile up across the session."""
        with contextlib.suppress(OSError, ValueError):
            for session in self.api("GET", "api/sessions") or []:
                if session.get("path") == notebook:
                    with contextlib.suppress(OSError, ValueError):
                        self.api("DELETE", f"api/sessions/{session['id']}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (the server then shuts its kernels down) and wait; SIGKILL only if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _package_installed() -> bool:
    try:
        metadata.distribution("ls-widget")
    except metadata.PackageNotFoundError:
        return False
    return True


def write_user_settings(settings_dir: Path, overrides: dict | None = None) -> None:
    for plugin, values in {**USER_SETTINGS, **(overrides or {})}.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


def start_lab_server(tmp: Path, *, base_url: str = BASE_URL, env: dict | None = None, timeout: float = 90,
                     certfile: Path | None = None, keyfile: Path | None = None) -> LabServer:
    """Start ``python -m jupyterlab`` on a free port with everything it writes kept under ``tmp``.

    With ``certfile``/``keyfile`` the server speaks HTTPS (``origin`` is ``https://...``) and the harness trusts
    that certificate; the browser must be told to accept it (``ignore_https_errors``).

    ``JUPYTER_CONFIG_DIR``/``DATA_DIR``/``RUNTIME_DIR`` replace only the *user* directories, so ``sys.prefix``'s
    ``etc/jupyter`` (where the package enables its server extension) and ``share/jupyter`` (lab extensions) stay on
    Jupyter's search paths.
    """
    tmp = Path(tmp)
    config_dir, data_dir, runtime_dir = tmp / "config", tmp / "data", tmp / "runtime"
    root_dir, ls_home, ipython_dir = tmp / "root", tmp / "ls_home", tmp / "ipython"
    settings_dir = config_dir / "lab" / "user-settings"  # the default place, so Notebook 7 reads the same settings
    workspaces_dir = config_dir / "lab" / "workspaces"
    for directory in (config_dir, data_dir, runtime_dir, root_dir, ipython_dir, workspaces_dir):
        directory.mkdir(parents=True, exist_ok=True)
    write_user_settings(settings_dir)

    server_env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    server_env.update(
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_DATA_DIR=str(data_dir),
        JUPYTER_RUNTIME_DIR=str(runtime_dir),
        IPYTHONDIR=str(ipython_dir),
        LS_WIDGET_HOME=str(ls_home),
        PYTHONUNBUFFERED="1",
    )
    if not _package_installed():
        # Not pip-installed (yet): let the kernels import the working tree.
        server_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    server_env.update(env or {})

    port, token = free_port(), secrets.token_hex(16)
    log_path = tmp / "jupyterlab.log"
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.base_url={base_url}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        f"--LabApp.user_settings_dir={settings_dir}",
    ]
    # -- HTTPS (tests/browser/test_https_base_url.py) --
    ssl_context = None
    if certfile is not None:
        cmd += [f"--ServerApp.certfile={certfile}", f"--ServerApp.keyfile={keyfile}"]
        ssl_context = ssl.create_default_context(cafile=str(certfile))
    scheme = "https" if certfile is not None else "http"
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, env=server_env, cwd=root_dir, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()
    server = LabServer(f"{scheme}://127.0.0.1:{port}", base_url, token, root_dir, ls_home, log_path, proc, ssl_context)

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode} before answering:\n{server.log_tail()}")
        try:
            server.api("GET", "api/status")
            return server
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"JupyterLab did not answer /api/status in {timeout:.0f} s:\n{server.log_tail()}")
            time.sleep(0.2)


# --------------------------------------------------------------------------------------------------------------
# Notebooks on disk
# --------------------------------------------------------------------------------------------------------------
def write_notebook(root_dir: Path, name: str, cells: Sequence[str | tuple[str, str]]) -> Path:
    """Write an nbformat 4.5 notebook; a cell is code source, or ``("markdown", source)``."""
    nb_cells = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry = {"cell_type": kind, "id": uuid.uuid4().hex[:12], "metadata": {}, "source": source}
        if kind == "code":
            entry.update(execution_count=None, outputs=[])
        nb_cells.append(entry)
    notebook = {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = Path(root_dir) / name
    path.write_text(json.dumps(notebook, indent=1))
    return path


def panel_notebook(root_dir: Path, name: str, panel_cell: str = PANEL_CELL) -> Path:
    """The panel cell first, then two more cells: a cell selection that leaks arrow keys has somewhere to move."""
    return write_notebook(root_dir, name, [panel_cell, ("markdown", "Notes"), "# next step"])


# --------------------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------------------
_CURRENT_NOTEBOOK_JS = """
const app = window.jupyterapp;
const widget = app && app.shell && app.shell.currentWidget;
const nb = widget && widget.sessionContext && widget.content ? widget : null;
"""

_KERNEL_IDLE_JS = (
    "(path) => {"
    + _CURRENT_NOTEBOOK_JS
    + """
  if (!nb || (path && nb.context.path !== path)) return false;
  const sc = nb.sessionContext;
  if (!sc.isReady || sc.hasNoKernel || !sc.session || !sc.session.kernel) return false;
  const kernel = sc.session.kernel;
  return kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}"""
)

_RUN_PYTHON_JS = (
    "async (code) => {"
    + _CURRENT_NOTEBOOK_JS
    + """
  const kernel = nb.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false, stop_on_error: false});
  let stdout = '', stderr = '', error = null;
  future.onIOPub = (msg) => {
    const type = msg.header.msg_type;
    if (type === 'stream') {
      if (msg.content.name === 'stdout') stdout += msg.content.text; else stderr += msg.content.text;
    } else if (type === 'error') {
      error = msg.content.ename + ': ' + msg.content.evalue + '\\n' + (msg.content.traceback || []).join('\\n');
    }
  };
  await future.done;
  return {stdout, stderr, error};
}"""
)


class PythonError(AssertionError):
    pass


def open_notebook(page, server: LabServer, name: str, *, app: str = "lab", timeout: float = 60_000) -> None:
    """Open ``name`` (in JupyterLab with ``&reset``, or in Notebook 7) and wait until its kernel is idle.

    The notebook's session is created over the REST API first (the server answers at once and boots the kernel in
    the background); the page then finds the session by its path and connects to it, as when a notebook is
    reopened. The kernel and JupyterLab thus start side by side.
    """
    server.start_session(name)
    page.goto(server.lab_url(name) if app == "lab" else server.notebook7_url(name))
    wait_kernel_idle(page, name, timeout=timeout)
    # The kernel (started before the page) can be idle before the app has restored its layout and finished routing
    # the URL (``&reset``): a command run in that window races the app's own start-up.
    evaluate_held(page, "() => window.jupyterapp.restored", timeout=timeout)


def wait_kernel_idle(page, name: str | None = None, *, timeout: float = 60_000) -> None:
    page.wait_for_function(_KERNEL_IDLE_JS, arg=name, timeout=timeout, polling=100)


class PageChanged(AssertionError):
    """The page reloaded or navigated away while the harness waited on something running in it."""


# ``%s``: the function to call (composed here, not eval()ed in the page, which a content security policy may refuse).
_HOLD_JS = """
(arg) => {
  const held = window.__lsHeld || (window.__lsHeld = new Map());
  const key = (window.__lsHeldKey = (window.__lsHeldKey || 0) + 1);
  const record = {settled: false};
  held.set(key, record);
  const plain = (v) => (v === null || v === undefined || ['boolean', 'number', 'string'].includes(typeof v)
    || (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)) ? v : null;
  record.promise = Promise.resolve((%s)(arg)).then(
    (value) => Object.assign(record, {settled: true, value: plain(value)}),
    (error) => Object.assign(record, {settled: true, error: String((error && error.stack) || error)}));
  return key;
}
"""
_HELD_SETTLED_JS = """
(key) => {
  const record = window.__lsHeld && window.__lsHeld.get(key);
  if (!record) throw new Error('PAGE_CHANGED');
  return record.settled;
}
"""
_TAKE_HELD_JS = """
(key) => {
  const record = window.__lsHeld.get(key);
  window.__lsHeld.delete(key);
  return {value: record.value === undefined ? null : record.value, error: record.error || null};
}
"""


def evaluate_held(page, function_js: str, arg=None, *, timeout: float = 0):
    """Call ``function_js(arg)`` in the page and wait until the promise it returns settles; its value when that is
    plain JSON (a command such as ``docmanager:open`` resolves to a widget, which Playwright would spend seconds
    serialising), else None.

    Not ``page.evaluate()`` of that promise: Chromium tracks a promise it awaits for Playwright through a *weak*
    handle, so when nothing in the page holds the chain any more (or the page is being torn down) the promise is
    collected before it settles, and on a busy machine that fails a test now and then with "Resulting promise was
    garbage collected". Here the page's own ``window`` holds the promise and a record of how it settled, and the
    harness waits (``wait_for_function``, which survives a reload) for that record; a page that reloaded meanwhile
    is reported as such. ``timeout`` 0: no bound of its own (pytest-timeout's is the one for a hang).
    """
    key = page.evaluate(_HOLD_JS.replace("%s", function_js, 1), arg)
    try:
        page.wait_for_function(_HELD_SETTLED_JS, arg=key, timeout=timeout, polling=20)
        record = page.evaluate(_TAKE_HELD_JS, key)
    except Exception as exc:
        if "PAGE_CHANGED" in str(exc) or "Execution context was destroyed" in str(exc):
            raise PageChanged(f"the page reloaded or navigated while it ran: {function_js[:120]}") from exc
        raise
    if record["error"] is not None:
        raise AssertionError(f"in the page: {record['error']}")
    return record["value"]


def execute_command(page, command: str, args: dict | None = None, *, timeout: float = 0):
    """Run a JupyterLab command and wait for it; returns its result only when that is a plain value."""
    return evaluate_held(page, "([id, args]) => window.jupyterapp.commands.execute(id, args)",
                         [command, args or {}], timeout=timeout)


def run_all(page) -> None:
    """Run every cell; resolves when all of them ran (``notebook:run-all-cells`` awaits the executions)."""
    execute_command(page, "notebook:run-all-cells")


def run_python(page, code: str) -> str:
    """Run ``code`` in the notebook's kernel and return what it printed; a Python exception fails the test."""
    result = evaluate_held(page, _RUN_PYTHON_JS, code)
    if result["error"]:
        raise PythonError(f"Python raised while running:\n{code}\n{result['error']}")
    return result["stdout"]


def python_value(page, expression: str):
    """The JSON value of a Python expression evaluated in the notebook's kernel."""
    out = run_python(page, f"import json as _j\nprint(_j.dumps({expression}))")
    return json.loads(out.strip().splitlines()[-1])


def wait_python(page, expression: str, expected, *, timeout: float = 10.0):
    """Re-evaluate ``expression`` until it equals ``expected`` (the panel may sync on input or on change)."""
    deadline = time.monotonic() + timeout
    while True:
        value = python_value(page, expression)
        if value == expected:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Python: {expression} is {value!r}, expected {expected!r}")
        page.wait_for_timeout(100)


_ADD_CELL_JS = (
    "(code) => {"
    + _CURRENT_NOTEBOOK_JS
    + """
  const content = nb.content;
  content.activeCellIndex = content.widgets.length - 1;
  content.deselectAll();
  return window.jupyterapp.commands.execute('notebook:insert-cell-below').then(() => {
    const cell = content.activeCell;
    cell.model.sharedModel.setSource(code);
    return content.activeCellIndex;
  });
}"""
)


def add_and_run_cell(page, code: str) -> int:
    """Append a code cell with ``code`` at the end of the notebook on show and run it, as an analyst adding the
    next step does; returns its index once it ran (``notebook:run-cell`` resolves when the execution is done)."""
    index = evaluate_held(page, _ADD_CELL_JS, code)
    execute_command(page, "notebook:run-cell")
    return index


def notebook_state(page) -> dict:
    """Active cell index, cell count, number of selected cells and mode of the current notebook."""
    return page.evaluate(
        "() => {"
        + _CURRENT_NOTEBOOK_JS
        + "const cells = nb.content.widgets;"
        + "return {active: nb.content.activeCellIndex, count: cells.length, mode: nb.content.mode,"
        + " selected: cells.filter((c) => nb.content.isSelectedOrActive(c)).length};}"
    )


# The notebook on show (JupyterLab keeps other tabs in the DOM, hidden).
CURRENT_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def panel(page):
    """The panel in the notebook on show: the element the widget's ``render()`` receives has the class ``ls-widget``."""
    return page.locator(f"{CURRENT_NOTEBOOK} {PANEL_SELECTOR}").first


def panel_output_area(page):
    """The output area (of the cell) that holds the panel, for cropped screenshots."""
    return page.locator(f"{CURRENT_NOTEBOOK} .jp-OutputArea-output", has=page.locator(PANEL_SELECTOR)).first


def theme_is_light(page) -> bool:
    return page.evaluate("() => document.body.dataset.jpThemeLight") == "true"


def set_theme(page, theme: str, *, timeout: float = 30_000) -> None:
    execute_command(page, "apputils:change-theme", {"theme": theme})
    light = "false" if "Dark" in theme else "true"
    page.wait_for_function(
        "([name, light]) => document.body.dataset.jpThemeName === name && document.body.dataset.jpThemeLight === light",
        arg=[theme, light],
        timeout=timeout,
    )
    # The theme's stylesheet lands after the body attributes change: wait until its colours are in effect.
    page.wait_for_function(
        """(light) => {
          const probe = document.createElement('div');
          probe.style.background = 'var(--jp-layout-color0)';
          document.body.appendChild(probe);
          const m = getComputedStyle(probe).backgroundColor.match(/\\d+(\\.\\d+)?/g);
          probe.remove();
          if (!m) return false;
          const mean = (Number(m[0]) + Number(m[1]) + Number(m[2])) / 3;
          return light ? mean > 160 : mean < 96;
        }""",
        arg=light == "true",
        timeout=timeout,
    )


_COLOURS_JS = """
(el) => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0.5) { bg = c; break; }
    node = node.parentElement;
  }
  return {background: bg, color: parse(getComputedStyle(el).color)};
}
"""


def effective_colours(locator) -> dict:
    """The text colour of an element and the first (mostly) opaque background behind it, as {r,g,b,a}."""
    return locator.evaluate(_COLOURS_JS)


def relative_luminance(rgb: dict) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(rgb["r"]) + 0.7152 * channel(rgb["g"]) + 0.0722 * channel(rgb["b"])


def contrast_ratio(a: dict, b: dict) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def bundle_problem() -> str | None:
    """Why the panel's JS bundle cannot be what the tests need, or None."""
    import importlib.util

    spec = importlib.util.find_spec("ls_widget")
    static = Path(spec.origin).parent / "static" if spec and spec.origin else REPO_ROOT / "ls_widget" / "static"
    bundle = static / "widget.js"
    if not bundle.is_file() or bundle.stat().st_size < 1000:
        return f"{bundle} is missing or a placeholder: run `npm install && npm run build` (or `pip install -e .`)"
    return None


# --------------------------------------------------------------------------------------------------------------
# The panel, as a user meets it (roles and accessible names: tests/browser/README.md)
# --------------------------------------------------------------------------------------------------------------
def scope_picker(root):
    """The scope picker dialog, once "Edit scopes" opened it."""
    return root.get_by_role("dialog", name="Choose scopes")


def open_scope_picker(root):
    root.get_by_role("button", name="Edit scopes", exact=True).click()
    picker = scope_picker(root)
    picker.wait_for(state="visible")
    return picker


def option_names(listbox) -> list[str]:
    """The accessible names (scope ids) of a listbox's options, in order."""
    return listbox.get_by_role("option").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || e.textContent.trim())"
    )


def secret_input(dialog):
    """"Client secret" is an <input type=password>, which has no ARIA role: find it by its label."""
    return dialog.get_by_label("Client secret", exact=True)


def add_client(root, name: str, client_id: str, secret: str | None = None) -> None:
    """Add a stored OAuth 2.0 client through the panel's dialog and wait for it to close."""
    root.get_by_role("button", name="Add OAuth 2.0 client", exact=True).click()
    dialog = root.get_by_role("dialog", name="Add OAuth 2.0 client")
    dialog.get_by_role("textbox", name="Client name", exact=True).fill(name)
    dialog.get_by_role("textbox", name="Client ID", exact=True).fill(client_id)
    if secret is not None:
        secret_input(dialog).fill(secret)
    dialog.get_by_role("button", name="Save client", exact=True).click()
    dialog.wait_for(state="hidden")


def notebook_name(item) -> str:
    """A file name for the notebook of one pytest item (its test name, made safe)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", item.name).strip("_")[:80] + ".ipynb"
