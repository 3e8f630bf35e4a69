"""The quickstart notebook (``notebooks/quickstart.ipynb``, what the README's demo opens) in JupyterLab 4, run with
Run All: nothing red, the panel renders, the chart appears.

Under Run All the panel cannot be clicked before the next cell runs (and the panel's first message waits behind the
queued cells), so the notebook's "headless" cell lets the sandbox approve: that is the expected path here. The
popup path itself is covered by ``test_sign_in.py``.

Slow by nature: the notebook pulls a year of sandbox sales at the default rate limit (about a minute).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .lab_harness import CURRENT_NOTEBOOK, REPO_ROOT

pytestmark = pytest.mark.browser

QUICKSTART = REPO_ROOT / "notebooks" / "quickstart.ipynb"

_OUTPUTS_JS = """
() => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb.content.widgets
    .filter((cell) => cell.model.type === 'code')
    .map((cell) => ({
      source: cell.model.sharedModel.getSource(),
      count: cell.model.executionCount,
      outputs: cell.model.outputs.toJSON(),
    }));
}
"""


def test_quickstart_runs_all_cells_in_jupyterlab(make_lab):
    lab = make_lab(source=QUICKSTART)  # copies it into the server's root, opens it, runs all cells
    page = lab.page

    cells = page.evaluate(_OUTPUTS_JS)
    assert cells and all(cell["count"] for cell in cells), [(c["source"][:40], c["count"]) for c in cells]
    for cell in cells:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", (cell["source"], output)
            assert output.get("name") != "stderr", (cell["source"], output.get("text"))
    notebook = page.locator(CURRENT_NOTEBOOK)
    expect(notebook.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).to_have_count(0)

    # The panel rendered, and ended connected (the sandbox approved in the headless cell).
    account = lab.value("[session.account_name, session.account_id]")
    expect(lab.panel.get_by_role("status")).to_contain_text(f"Connected to {account[0]} ({account[1]})")
    printed = "".join(
        output.get("text", "") for cell in cells for output in cell["outputs"] if output.get("name") == "stdout"
    )
    assert f"Connected to {account[0]} ({account[1]}), API v3" in printed

    # The two charts (revenue by day from a pull, revenue by shop from the daily_sales model) are images that decoded.
    charts = notebook.locator('.jp-OutputArea-output[data-mime-type="image/png"] img')
    expect(charts).to_have_count(2)
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        assert chart.evaluate("(img) => img.complete && img.naturalWidth > 300 && img.naturalHeight > 100")
    # The models' analysis ran on the models: the top items by margin and the stock value of each of the three shops.
    analysis = [c for c in cells if "from sale_lines" in c["source"] or "from stock group by shop" in c["source"]]
    assert len(analysis) == 2 and all(c["outputs"] for c in analysis), analysis
    assert int(lab.value("len(conn.read('stock').shop.unique())")) == 3
    lab.shoot("quickstart", whole_page=True)
    assert lab.value("demo.running") is False  # its last cell stopped the sandbox
