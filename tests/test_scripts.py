"""scripts/setup.sh, test.sh and demo.sh, each run on a temporary copy of the files it reads, with fake ``node``,
``npm``, ``apt-get`` and ``.venv/bin/python`` that record how they were called: no network, nothing installed, and
the checkout itself never touched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QUICKSTART = "notebooks/quickstart.ipynb"
# What the scripts read; the copy gets these and nothing else of the checkout.
COPIED = ["scripts/setup.sh", "scripts/test.sh", "scripts/demo.sh", "package.json", "package-lock.json",
          "pyproject.toml"]


def node_wanted() -> str:
    return json.loads((REPO / "package.json").read_text())["engines"]["node"]


def fake(path: Path, body: str) -> Path:
    """An executable sh script that appends its name and arguments to $CALLS, then runs ``body``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "{path.name} $*" >> "$CALLS"\n{body}\n')
    path.chmod(0o755)
    return path


class Copy:
    """A temporary copy of the scripts and what they read, a bin directory of fakes ahead of the real PATH, and the
    calls the fakes recorded."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path / "repo"
        self.bin = tmp_path / "bin"
        self.calls_file = tmp_path / "calls.log"
        long_ago = time.time() - 1000  # older than anything a run writes, so a bundle built now is up to date
        for name in COPIED:
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / name, target)
            os.utime(target, (long_ago, long_ago))
        (self.root / "js").mkdir()
        (self.root / "js" / "index.js").write_text("export default {};\n")
        os.utime(self.root / "js" / "index.js", (long_ago, long_ago))
        self.bin.mkdir()
        for tool in ("apt-get", "sudo"):  # should --test think Chromium or PostgreSQL missing on this machine
            fake(self.bin / tool, "exit 0")

    def files(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*")}

    def calls(self) -> list[str]:
        """The recorded calls since the last look."""
        if not self.calls_file.exists():
            return []
        lines = self.calls_file.read_text().splitlines()
        self.calls_file.unlink()
        return lines

    def run(self, script: str, *args: str, **env_vars: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "LS_WIDGET_TEST_WORKERS")} | env_vars
        env["PATH"] = f"{self.bin}{os.pathsep}{env['PATH']}"
        env["CALLS"] = str(self.calls_file)
        return subprocess.run(["bash", str(self.root / "scripts" / script), *args], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=60)


@pytest.fixture
def copy(tmp_path) -> Copy:
    return Copy(tmp_path)


# --------------------------------------------------------------------------------------------------------------
# setup.sh: prerequisites
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("found", ["v18.19.0", "v20.18.1", "v21.7.3", "v22.11.0"])
def test_setup_with_an_old_node_stops_before_doing_anything(copy, found):
    fake(copy.bin / "node", f"echo {found}")
    fake(copy.bin / "npm", "exit 0")
    before = copy.files()

    result = copy.run("setup.sh", "--test")

    assert result.returncode != 0
    assert f"Node.js {found} found, but this checkout needs Node.js {node_wanted()}" in result.stderr
    assert "nvm" in result.stderr and "nodesource" in result.stderr.lower()
    # Only `node --version` ran: no npm, no apt-get, no venv, no file written.
    assert copy.calls() == ["node --version"]
    assert copy.files() == before


def test_setup_without_node_says_what_is_needed(copy):
    # A PATH of links to the few real tools needed up to the check, python3 among them but no node.
    for tool in ("bash", "dirname", "cat"):
        (copy.bin / tool).symlink_to(shutil.which(tool))
    (copy.bin / "python3").symlink_to(os.path.realpath(sys.executable))
    result = subprocess.run(["bash", str(copy.root / "scripts" / "setup.sh")], cwd=copy.root, capture_output=True,
                            text=True, env={**os.environ, "PATH": str(copy.bin)})
    assert result.returncode != 0
    assert f"'node' not found: this checkout needs Node.js {node_wanted()}" in result.stderr
    assert not (copy.root / ".venv").exists() and not (copy.root / "node_modules").exists()


@pytest.mark.parametrize("found", ["v20.19.0", "v22.12.0", "v24.4.1"])
def test_setup_check_accepts_a_node_in_the_range(copy, found):
    fake(copy.bin / "node", f"echo {found}")
    fake(copy.bin / "npm", "exit 0")
    result = copy.run("setup.sh", "--check")
    assert result.returncode == 0, result.stderr
    assert f"Node.js {found} (needs {node_wanted()})" in result.stdout


def test_setup_check_passes_with_this_machines_node(copy):
    if not shutil.which("node"):
        pytest.skip("no node on PATH")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    before = copy.files()
    result = copy.run("setup.sh", "--check")
    assert result.returncode == 0, result.stderr
    assert f"Node.js {node} (needs {node_wanted()})" in result.stdout
    assert copy.files() == before


def test_setup_with_an_old_python_stops(copy):
    fake(copy.bin / "python3", "echo 3.9.18; echo '>=20'; echo ok")
    result = copy.run("setup.sh")
    assert result.returncode != 0
    assert "Python 3.10 or newer is required; python3 is 3.9.18" in result.stderr


def test_node_range_covers_every_locked_package():
    """package.json's "engines" admits no Node.js older than some package in the lock file needs: each package's
    lowest accepted version (over its ``||`` alternatives) is at most ours."""

    def lowest(spec: str) -> tuple[int, ...]:
        bounds = []
        for alternative in spec.split("||"):
            m = re.search(r"(>=|\^|~|>|=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", alternative)
            assert m, spec
            version = tuple(int(part or 0) for part in m.groups()[1:])
            bounds.append((version[0] + 1, 0, 0) if m.group(1) == ">" else version)
        return min(bounds)

    ours = lowest(node_wanted())
    lock = json.loads((REPO / "package-lock.json").read_text())
    needs = {path: pkg["engines"]["node"] for path, pkg in lock["packages"].items()
             if path and isinstance(pkg.get("engines"), dict) and "node" in pkg["engines"]}
    assert needs, "no engines in package-lock.json?"
    too_low = {path: spec for path, spec in needs.items() if lowest(spec) > ours}
    assert not too_low, f"package.json engines.node {node_wanted()!r} admits Node.js too old for {too_low}"


# --------------------------------------------------------------------------------------------------------------
# setup.sh: steps already done are skipped
# --------------------------------------------------------------------------------------------------------------
NPM_THAT_INSTALLS = """
case "$1" in
  ci) mkdir -p node_modules/.bin && for t in esbuild vitest; do printf '#!/bin/sh\\n' > node_modules/.bin/$t;
      chmod +x node_modules/.bin/$t; done ;;
  run) mkdir -p ls_widget/static && : > ls_widget/static/widget.js && : > ls_widget/static/widget.css ;;
esac"""


def test_setup_skips_what_is_done_and_redoes_what_changed(copy):
    fake(copy.bin / "node", "echo v22.12.0")
    fake(copy.bin / "npm", NPM_THAT_INSTALLS)
    fake(copy.root / ".venv" / "bin" / "python", "exit 0")  # every module found, every install succeeds
    build = "npm run --silent build -- --log-level=warning"
    pip_demo = "python -m pip install -q -e .[demo]"

    def setup(*args, **env_vars):
        result = copy.run("setup.sh", *args, **env_vars)
        assert result.returncode == 0, result.stderr
        # Leave out the checks (node --version, the venv's module probe) and apt (should this machine lack Chromium).
        return [c for c in copy.calls() if not c.startswith(("node ", "python - ", "apt-get ", "sudo "))]

    # First run: everything.
    assert setup() == ["npm ci --no-audit --no-fund --loglevel=error", build,
                       "python -m pip install -q --upgrade pip", pip_demo]
    # Nothing changed: nothing to do.
    assert setup() == []
    # A JavaScript source changed, within the same second as the last build: only the bundle (by content, not date).
    index = copy.root / "js" / "index.js"
    built = (copy.root / "ls_widget" / "static" / "widget.js").stat().st_mtime
    with open(index, "a") as f:
        f.write("\n")
    os.utime(index, (built, built))
    assert setup() == [build]
    # Touched, not changed: nothing to do.
    os.utime(index)
    assert setup() == []
    assert setup() == []
    # The lock file changed: npm ci and the bundle, not pip.
    with open(copy.root / "package-lock.json", "a") as f:
        f.write("\n")
    assert setup()[:2] == ["npm ci --no-audit --no-fund --loglevel=error", build]
    # pyproject.toml changed: pip only.
    with open(copy.root / "pyproject.toml", "a") as f:
        f.write("\n")
    assert setup() == ["python -m pip install -q --upgrade pip", pip_demo]
    # The tests need more extras than the demo's; the demo is content with the test set.
    assert "python -m pip install -q -e .[demo,test]" in setup("--test")
    assert setup() == []
    assert setup("--test") == []
    # node_modules gone: npm ci again.
    shutil.rmtree(copy.root / "node_modules")
    assert "npm ci --no-audit --no-fund --loglevel=error" in setup()
    # CI: everything, whatever the stamps say.
    calls = setup(CI="true")
    for call in ("npm ci --no-audit --no-fund --loglevel=error", build, pip_demo):
        assert call in calls


# --------------------------------------------------------------------------------------------------------------
# test.sh: which tests run
# --------------------------------------------------------------------------------------------------------------
@pytest.fixture
def test_copy(copy) -> Copy:
    """A copy whose setup.sh, npm and .venv/bin/python only record (and npm test fails when $NPM_TEST_FAILS)."""
    fake(copy.root / "scripts" / "setup.sh", "exit 0")
    fake(copy.bin / "npm", '[ -z "${NPM_TEST_FAILS:-}" ]')
    fake(copy.root / ".venv" / "bin" / "python", "exit 0")
    return copy


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # The whole suite spreads over every core; a chosen part runs as asked.
        ([], ["setup.sh --test", "npm test", "python -m pytest -n auto --dist loadfile --no-loadscope-reorder"]),
        (["--js"], ["setup.sh --test", "npm test"]),
        (["--py"], ["setup.sh --test", "python -m pytest -n auto --dist loadfile --no-loadscope-reorder"]),
        (["--py", "-k", "panel"], ["setup.sh --test", "python -m pytest -k panel"]),
        (["tests/test_panel.py", "-x"], ["setup.sh --test", "python -m pytest tests/test_panel.py -x"]),
        (["-x"], ["setup.sh --test", "python -m pytest -x"]),
    ],
)
def test_test_sh_runs_what_was_asked(test_copy, args, expected):
    result = test_copy.run("test.sh", *args)
    assert result.returncode == 0, result.stderr
    assert test_copy.calls() == expected


def test_test_sh_takes_the_number_of_workers_from_the_environment(test_copy):
    result = test_copy.run("test.sh", "--py", LS_WIDGET_TEST_WORKERS="0")
    assert result.returncode == 0, result.stderr
    assert test_copy.calls() == ["setup.sh --test", "python -m pytest -n 0 --dist loadfile --no-loadscope-reorder"]


def test_test_sh_help_runs_nothing(test_copy):
    result = test_copy.run("test.sh", "--help")
    assert result.returncode == 0
    assert "--js" in result.stdout and "--py" in result.stdout
    assert test_copy.calls() == []


def test_test_sh_js_takes_no_pytest_arguments(test_copy):
    result = test_copy.run("test.sh", "--js", "tests/test_panel.py")
    assert result.returncode == 2
    assert test_copy.calls() == []


def test_test_sh_stops_when_the_javascript_tests_fail(test_copy):
    result = test_copy.run("test.sh", NPM_TEST_FAILS="1")
    assert result.returncode != 0
    assert test_copy.calls() == ["setup.sh --test", "npm test"]


# --------------------------------------------------------------------------------------------------------------
# demo.sh: JupyterLab lands on the quickstart notebook
# --------------------------------------------------------------------------------------------------------------
def test_demo_opens_the_quickstart_notebook(copy):
    fake(copy.root / "scripts" / "setup.sh", "exit 0")
    fake(copy.root / ".venv" / "bin" / "python", "exit 0")

    result = copy.run("demo.sh", "--no-browser", "--port=8899")

    assert result.returncode == 0, result.stderr
    setup, lab = copy.calls()
    assert setup == "setup.sh "
    args = lab.split()
    assert args[:3] == ["python", "-m", "jupyterlab"]
    # default_url is the URL JupyterLab prints (with the token) and the one it opens; the server's root is the
    # checkout (demo.sh runs there and passes no notebook, which would make the notebook's folder the root).
    assert f"--LabApp.default_url=/lab/tree/{QUICKSTART}" in args
    assert (REPO / QUICKSTART).is_file()
    assert not any(a.endswith(".ipynb") for a in args if not a.startswith("-"))
    assert ("--allow-root" in args) == (os.geteuid() == 0)
    assert args[-2:] == ["--no-browser", "--port=8899"]  # last, so they can override
