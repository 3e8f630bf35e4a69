"""The shipped notebooks: committed without outputs, and each run top to bottom in JupyterLab by a browser test."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"strip the outputs of {path.name}"
    assert "widgets" not in notebook["metadata"], f"{path.name} carries saved widget state"


def test_every_notebook_is_run_in_jupyterlab_by_a_browser_test():
    """Each shipped notebook runs top to bottom in JupyterLab in a browser test (the quickstart's is
    tests/browser/test_quickstart.py: every cell ran, no error and nothing on stderr, the panel connected, the charts
    drawn). That replaced running them headless too, which checked a part of the same on the same notebook."""
    browser = Path(__file__).parent / "browser"
    browser_tests = "".join(path.read_text(encoding="utf-8") for path in browser.glob("test_*.py"))
    untested = [path.name for path in NOTEBOOKS if f'"notebooks" / "{path.name}"' not in browser_tests]
    assert NOTEBOOKS and not untested, f"no browser test runs {untested}: add one like tests/browser/test_quickstart.py"
