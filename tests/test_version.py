"""One version: pyproject.toml declares it, the installed metadata carries it to ``ls_widget.__version__`` and, through
``ls_widget.capture``, to jupyter_server (``jupyter server extension list``)."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import textwrap

import ls_widget
import ls_widget.capture


def installed_version() -> str:
    return importlib.metadata.version("ls-widget")


def test_version_is_the_installed_metadata_version():
    assert ls_widget.__version__ == installed_version()
    assert ls_widget.__version__ != "0+unknown"


def test_the_server_extension_reports_the_same_version():
    from jupyter_server.extension.manager import ExtensionPackage

    package = ExtensionPackage(name="ls_widget.capture", enabled=True)
    assert package.validate()
    assert package.version == installed_version()


def test_jupyter_server_extension_list_shows_the_version():
    listing = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                             capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    output = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)  # no colours
    lines = [line.strip() for line in output.splitlines() if re.match(r"\s*ls_widget\.capture \S+ OK$", line)]
    assert lines, f"no validated ls_widget.capture line in:\n{output}"
    assert all(line == f"ls_widget.capture {installed_version()} OK" for line in lines), lines


def test_a_source_tree_that_was_never_installed_says_so():
    script = textwrap.dedent("""
        import importlib.metadata

        def not_installed(name):
            raise importlib.metadata.PackageNotFoundError(name)

        importlib.metadata.version = not_installed
        import ls_widget, ls_widget.capture
        print(ls_widget.__version__, ls_widget.capture.__version__)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0+unknown", "0+unknown"]
