"""ls_widget.sandbox needs the `sandbox` extra (tornado, joserfc); without it the import says how to get it."""

from __future__ import annotations

import subprocess
import sys

import pytest

HINT = "pip install 'ls-widget[sandbox]'"


@pytest.mark.parametrize("module", ["tornado", "joserfc"])
def test_importing_the_sandbox_without_the_extra_names_it(module):
    # None in sys.modules makes `import <module>` fail as if it were not installed.
    script = f"import sys; sys.modules[{module!r}] = None\nimport ls_widget.sandbox"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ls_widget.sandbox needs"), run.stderr
    assert module in last and HINT in last, last


def test_no_core_module_needs_tornado_or_joserfc():
    # Both come with the `sandbox` extra only (joserfc signs its JWTs); no core module may import them.
    script = """if True:
        import importlib, pkgutil, sys
        sys.modules["tornado"] = None
        sys.modules["joserfc"] = None
        import ls_widget
        skip = ("ls_widget.sandbox", "ls_widget.capture.route")  # the sandbox; the route runs inside jupyter_server
        for found in pkgutil.walk_packages(ls_widget.__path__, "ls_widget."):
            if not found.name.startswith(skip):
                importlib.import_module(found.name)
                print(found.name)
    """
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert {"ls_widget.panel", "ls_widget.session", "ls_widget.token_endpoint", "ls_widget.capture"} <= set(
        run.stdout.split())
