"""The README runs as written: every ```python block, in order, against the sandbox its first block starts.

It runs in a fresh Python process the way an analyst would meet it: no ``LS_WIDGET_HOME`` set and a home directory
of its own, so the check that the sandbox kept everything it made out of the analyst's real store is real too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.readme_runner import python_blocks

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_every_python_block_of_the_readme_runs_in_order(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LS_WIDGET_")}
    # matplotlib (the README's chart) keeps its font cache in a folder of its own: not ours to check.
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home" / "data"), MPLBACKEND="Agg",
               MPLCONFIGDIR=str(tmp_path / "matplotlib"), PYTHONPATH=str(ROOT))
    (tmp_path / "home").mkdir()
    ran = subprocess.run([sys.executable, str(ROOT / "tests" / "readme_runner.py"), "README.md"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    report = [line for line in ran.stdout.splitlines() if line.startswith("README.md:") or "blocks ran" in line]
    assert ran.returncode == 0, "\n".join(report) + "\n" + ran.stderr[-6000:]
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert f"{len(blocks)} blocks ran" in ran.stdout
    # The panel example needed the analyst's click, played by the documented demo.sign_in.
    assert any("played the click" in line for line in report), report
    # Nothing made for the sandbox (the client saved as "Reporting notebook", the connection, its tokens, the synced
    # tables) landed in the analyst's own store.
    assert not any((tmp_path / "home").rglob("*")), sorted(map(str, (tmp_path / "home").rglob("*")))


def test_the_readme_uses_no_placeholder_where_code_runs():
    """A block with an ellipsis in a string (a made-up ID, a URL with "…") cannot run as written."""
    for first_line, source in python_blocks(README.read_text(encoding="utf-8")):
        code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
        assert "…" not in code, f"README.md:{first_line} has a placeholder in code"


def test_the_runner_reports_the_readme_line_that_fails(tmp_path):
    """A failing block is reported at its own line of the Markdown file, so a broken example is found at once."""
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nx = 1\n```\n\nmore\n\n```python\ny = x + 1\nz = y / 0\n```\n", "utf-8")
    ran = subprocess.run([sys.executable, str(ROOT / "tests" / "readme_runner.py"), str(page)], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1
    assert f'File "{page}", line 11' in ran.stderr
    assert "ZeroDivisionError" in ran.stderr
    assert f"{page}:4: ok" in ran.stdout and f"{page}:10: FAILED" in ran.stdout
