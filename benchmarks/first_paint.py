"""Cold first paint: the panel against a trivial anywidget, in JupyterLab 4, side by side in one run.

What an analyst waits for: from running the cell ``from ls_widget import LightspeedConnection;
LightspeedConnection()`` in a fresh kernel to the panel being visible in the page, against the same for an anywidget
whose ``render`` writes "hi". Each run opens a new notebook (a new kernel session) in a new browser context (no
page, module or HTTP cache from earlier runs), waits until the kernel is idle, then starts the clock and runs the
cell; the clock stops when Playwright sees the widget's element visible (the panel's ``.ls-widget``, the trivial
widget's text). The two alternate, so drift on a shared machine hits both alike; each figure is a median.

    python benchmarks/first_paint.py --repeat 5

Target: panel <= 1.5 x the trivial anywidget. The JupyterLab server (tests/browser/lab_harness.py) is started once
and thrown away at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.lab_harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    CURRENT_NOTEBOOK,
    PANEL_SELECTOR,
    bundle_problem,
    open_notebook,
    start_lab_server,
    write_notebook,
)

TRIVIAL = "trivial anywidget"
PANEL = "LightspeedConnection()"
CELLS = {
    TRIVIAL: (
        "import anywidget, traitlets\n"
        "class W(anywidget.AnyWidget):\n"
        "    _esm = \"export default { render({ el }) { el.textContent = 'hi'; } }\"\n"
        "W()"
    ),
    PANEL: "from ls_widget import LightspeedConnection; LightspeedConnection()",
}
SELECTORS = {
    TRIVIAL: f"{CURRENT_NOTEBOOK} .jp-OutputArea-output >> text=\"hi\"",
    PANEL: f"{CURRENT_NOTEBOOK} {PANEL_SELECTOR}",
}
# Start the run without waiting for it: the clock stops on the paint, not on the execute reply.
_RUN_ALL_JS = "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"


def first_paint(browser, server, kind: str, index: int) -> float:
    name = f"first_paint_{index:02d}_{'panel' if kind == PANEL else 'trivial'}.ipynb"
    write_notebook(server.root_dir, name, [CELLS[kind]])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        open_notebook(page, server, name)  # a new session: a fresh kernel, idle before the clock starts
        start = time.perf_counter()
        page.evaluate(_RUN_ALL_JS)
        page.wait_for_selector(SELECTORS[kind], state="visible", timeout=60_000)
        return time.perf_counter() - start
    finally:
        context.close()
        server.shutdown_kernels_of(name)


def run(repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    problem = bundle_problem()
    if problem:
        sys.exit(problem)
    samples: dict[str, list[float]] = {TRIVIAL: [], PANEL: []}
    with tempfile.TemporaryDirectory(prefix="first_paint-") as tmp:
        server = start_lab_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    first_paint(browser, server, TRIVIAL, 0)  # warm-up, not counted: the server's first page load
                    for i in range(1, repeat + 1):
                        order = (TRIVIAL, PANEL) if i % 2 else (PANEL, TRIVIAL)  # alternate who goes first
                        for kind in order:
                            samples[kind].append(first_paint(browser, server, kind, i))
                            print(f"  run {i} {kind:25} {samples[kind][-1]:.3f} s", file=sys.stderr)
                finally:
                    browser.close()
        finally:
            server.stop()
    base = statistics.median(samples[TRIVIAL])
    print(f"{'what':25} {'median s':>9} {'min s':>7} {'max s':>7} {'x trivial':>10}")
    for kind, values in samples.items():
        median = statistics.median(values)
        print(f"{kind:25} {median:9.3f} {min(values):7.3f} {max(values):7.3f} {median / base:10.2f}")
    ratio = statistics.median(samples[PANEL]) / base
    print(f"panel / trivial = {ratio:.2f} (target <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    run(parser.parse_args().repeat)
