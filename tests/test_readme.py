"""The README's examples can run as written: no placeholder in code, and the runner that runs them points at the
README's own lines.

The run itself, every ```python block in order against the sandbox its first block starts, is in
``tests/release/test_dist.py`` (``test_the_readme_runs_as_written_on_the_wheel_with_the_extras_it_names``): it runs
on the wheel installed with the extras the README names, in a fresh environment and home of its own, which is how an
analyst meets it. Running it a second time from the checkout proved nothing more and cost a minute of every run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.readme_runner import python_blocks

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


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
