"""The release check: build the sdist and the wheel from this checkout, install each in a fresh venv with Node.js out
of reach, and check what an analyst's environment gets.

The sdist ships the built panel (ls_widget/static), so building its wheel must not need Node.js (skip-if-exists in
pyproject.toml); the wheel must carry the bundle, the LICENSE and the server extension's config. Needs the bundle
built in the checkout (scripts/setup.sh or `npm run build`), `build` (the `test` extra) and pip's index or cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.readme_runner import python_blocks

try:
    import tomllib
except ImportError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ("ls_widget/static/widget.js", "ls_widget/static/widget.css")
NODE_TOOLS = ("node", "nodejs", "npm", "npx", "yarn", "pnpm", "corepack")
# All that the hidden-Node PATH offers besides the venv's own bin: pip, venv and the build backends run through the
# interpreter's absolute path and need no other program.
SHELL_TOOLS = ("sh", "env")
# Variables that would let a build skip npm on purpose, or point Python somewhere else.
DROPPED_ENV = ("HATCH_JUPYTER_BUILDER_SKIP_NPM", "SKIP_JUPYTER_BUILDER", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
NOT_IN_SDIST = {"node_modules", ".venv", "test-results", ".hypothesis", ".pytest_cache", "__pycache__", ".git"}
SANDBOX_HINT = "pip install 'ls-widget[sandbox]'"
# pip as a user runs it, less the bytecode it writes ahead for every file of every dependency (a third of the time of
# installing the extras): Python compiles what it imports anyway, so nothing these tests run is any different.
PIP_INSTALL = ("-q", "--no-compile")

PROBE = textwrap.dedent("""
    import importlib.metadata, importlib.resources, json, shutil, sys
    from pathlib import Path

    import ls_widget

    dist = importlib.metadata.distribution("ls-widget")
    static = importlib.resources.files("ls_widget") / "static"
    licenses = [f for f in dist.files if f.name == "LICENSE" and ".dist-info" in str(f)]
    config = Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "ls_widget.json")
    print(json.dumps({
        "version": ls_widget.__version__,
        "metadata_version": dist.version,
        "bundle": {name: (static / name).is_file() and len((static / name).read_bytes()) for name in
                   ("widget.js", "widget.css")},
        "licenses": {str(f): Path(f.locate()).read_text(encoding="utf-8") for f in licenses},
        "server_config": json.loads(config.read_text(encoding="utf-8")) if config.is_file() else None,
        "requires": dist.requires or [],
        "node": {tool: shutil.which(tool) for tool in %r},
    }))
""" % (NODE_TOOLS,))


def run(command: list, env: dict, timeout: float = 600, cwd: Path | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout[-4000:]}\n"
                    f"{done.stderr[-4000:]}", pytrace=False)
    return done


def bin_dir(prefix: Path) -> Path:
    return prefix / ("Scripts" if os.name == "nt" else "bin")


def assert_no_node(python: Path | str, env: dict) -> None:
    probe = f"import json, shutil; print(json.dumps({{t: shutil.which(t) for t in {NODE_TOOLS!r}}}))"
    reachable = {tool: path for tool, path in json.loads(run([python, "-c", probe], env).stdout).items() if path}
    assert not reachable, f"Node.js tools are still on the PATH: {reachable}"


@pytest.fixture(scope="module")
def no_node_env(tmp_path_factory) -> dict:
    """This process's environment with a PATH holding no Node.js tool (only sh and env, as symlinks)."""
    tools = tmp_path_factory.mktemp("bin-without-node")
    for tool in SHELL_TOOLS:
        found = shutil.which(tool)
        if found is None:
            pytest.fail(f"'{tool}' is not on the PATH", pytrace=False)
        (tools / tool).symlink_to(found)
    env = {name: value for name, value in os.environ.items() if name not in DROPPED_ENV}
    env["PATH"] = str(tools)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    assert_no_node(sys.executable, env)
    return env


@pytest.fixture(scope="module")
def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def dists(tmp_path_factory, no_node_env) -> dict[str, Path]:
    """`python -m build`: the sdist from the checkout, then the wheel from that sdist (as a release does)."""
    missing = [target for target in BUNDLE if not (ROOT / target).is_file()]
    if missing:
        pytest.fail(f"the checkout has no built panel ({', '.join(missing)}): run scripts/setup.sh or "
                    "`npm ci && npm run build` first", pytrace=False)
    if subprocess.run([sys.executable, "-c", "import build"], capture_output=True).returncode != 0:
        pytest.fail(f"`build` is not installed in {sys.executable}: pip install -e '.[test]'", pytrace=False)
    out = tmp_path_factory.mktemp("dist")
    # The checkout is shared (and others may be running its tests): take its bundle as it is rather than running
    # npm in it. The wheel is built from the sdist, whose PKG-INFO makes skip-if-exists apply anyway.
    env = dict(no_node_env, HATCH_JUPYTER_BUILDER_SKIP_NPM="1")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], env)
    sdists, wheels = list(out.glob("*.tar.gz")), list(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return {"sdist": sdists[0], "wheel": wheels[0]}


@dataclass
class Installed:
    kind: str
    prefix: Path
    env: dict
    facts: dict

    @property
    def python(self) -> Path:
        return bin_dir(self.prefix) / "python"


@pytest.fixture(scope="module", params=["wheel", "sdist"])
def installed(request, dists, no_node_env, tmp_path_factory) -> Installed:
    """A fresh venv with only the core package, installed from the wheel or the sdist without Node.js."""
    kind = request.param
    prefix = tmp_path_factory.mktemp(f"venv-{kind}")
    run([sys.executable, "-m", "venv", prefix], no_node_env)
    python = bin_dir(prefix) / "python"
    if not python.exists():
        pytest.fail(f"`python -m venv` made no {python} (Debian: apt-get install python3-venv)", pytrace=False)
    env = dict(no_node_env, PATH=os.pathsep.join([str(bin_dir(prefix)), no_node_env["PATH"]]),
               VIRTUAL_ENV=str(prefix))
    assert_no_node(python, env)
    # From the sdist, pip builds the wheel first (isolated, with hatchling and hatch-jupyter-builder): with Node.js
    # out of reach that succeeds only if the build hook skips npm.
    run([python, "-m", "pip", "install", *PIP_INSTALL, dists[kind]], env)
    facts = json.loads(run([python, "-c", PROBE], env).stdout)
    return Installed(kind, prefix, env, facts)


def test_the_sdist_ships_the_bundle_and_the_license_and_no_local_debris(dists, pyproject_version):
    with tarfile.open(dists["sdist"]) as sdist:
        names = sdist.getnames()
    root = f"ls_widget-{pyproject_version}/"
    assert all(name.startswith(root) or name == root.rstrip("/") for name in names), names[:5]
    files = {name[len(root):] for name in names if name.startswith(root)}
    for wanted in (*BUNDLE, "LICENSE", "PKG-INFO", "pyproject.toml", "jupyter-config/server-config/ls_widget.json",
                   "package.json", "package-lock.json", "js/index.js"):
        assert wanted in files, f"{wanted} is not in {dists['sdist'].name}"
    debris = sorted(name for name in files if NOT_IN_SDIST & set(Path(name).parts))
    assert not debris, debris[:20]


def test_installed_version_is_pyprojects(installed, pyproject_version):
    assert installed.facts["version"] == installed.facts["metadata_version"] == pyproject_version


def test_the_panels_bundle_is_installed(installed):
    bundle = installed.facts["bundle"]
    assert bundle["widget.js"] and bundle["widget.css"], bundle  # present and not empty


def test_the_license_is_in_the_dist_info(installed):
    licenses = installed.facts["licenses"]
    assert len(licenses) == 1, licenses
    (path, text), = licenses.items()
    assert path.endswith(".dist-info/licenses/LICENSE"), path
    assert text.startswith("MIT License") and "the ls_widget authors" in text


def test_the_server_extension_is_enabled_by_the_installed_config(installed):
    assert installed.facts["server_config"] == {"ServerApp": {"jpserver_extensions": {"ls_widget.capture": True}}}


def test_the_command_line_runs(installed, pyproject_version):
    done = run([bin_dir(installed.prefix) / "ls-widget", "--help"], installed.env, timeout=60)
    assert done.stdout.startswith("usage: ls-widget"), done.stdout[:200]
    done = run([bin_dir(installed.prefix) / "ls-widget", "--version"], installed.env, timeout=60)
    assert done.stdout.strip() == f"ls-widget {pyproject_version}"


def test_the_core_needs_neither_tornado_nor_joserfc(installed):
    core = [requirement for requirement in installed.facts["requires"] if "extra ==" not in requirement]
    assert not [r for r in core if r.startswith(("tornado", "joserfc"))], core


def test_the_sandbox_without_its_extra_says_how_to_get_it(installed):
    done = subprocess.run([str(installed.python), "-c", "import ls_widget.sandbox"], env=installed.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0, "ls_widget.sandbox imported in a core-only install"
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ls_widget.sandbox needs tornado and joserfc"), done.stderr[-2000:]
    assert SANDBOX_HINT in last, last


def test_the_readme_runs_as_written_on_the_wheel_with_the_extras_it_names(dists, no_node_env, tmp_path):
    """What a new user does: `pip install 'ls-widget[sandbox,sync]'` (as the README says) into a fresh environment,
    then run the README's examples in order, away from this checkout and with no store of their own yet."""
    prefix = tmp_path / "venv"
    run([sys.executable, "-m", "venv", prefix], no_node_env)
    python = bin_dir(prefix) / "python"
    env = dict(no_node_env, PATH=os.pathsep.join([str(bin_dir(prefix)), no_node_env["PATH"]]),
               VIRTUAL_ENV=str(prefix), HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home" / "data"),
               MPLBACKEND="Agg")
    env = {name: value for name, value in env.items() if not name.startswith("LS_WIDGET_")}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install 'ls-widget[sandbox,sync]'" in readme  # the extras this test installs are the README's
    run([python, "-m", "pip", "install", *PIP_INSTALL, f"{dists['wheel']}[sandbox,sync]"], env)
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "home").mkdir()
    shutil.copy(ROOT / "tests" / "readme_runner.py", work)
    shutil.copy(ROOT / "README.md", work)
    done = run([python, work / "readme_runner.py", "README.md"], env, timeout=900, cwd=work)
    assert done.stdout.rstrip().endswith(f"{len(python_blocks(readme))} blocks ran"), done.stdout[-2000:]
    # The panel example needed the analyst's click, played by the documented demo.sign_in.
    assert "played the click" in done.stdout, done.stdout[-2000:]
    origin = run([python, "-c", "import ls_widget; print(ls_widget.__file__)"], env, cwd=work).stdout.strip()
    assert origin.startswith(str(prefix)), origin  # the installed wheel ran, not the checkout
    assert not any((tmp_path / "home").rglob("*")), "the README's sandbox wrote into the user's own store"


def test_the_pypi_description_is_the_readme_with_every_image_and_link_absolute(dists):
    """PyPI shows the description away from the repository: a relative `docs/panel.png` would be a broken image."""
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = wheel.read(name).decode("utf-8")
    headers, _, description = metadata.partition("\n\n")
    assert "Description-Content-Type: text/markdown" in headers
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert description.splitlines()[0] == readme.splitlines()[0]  # the README itself, from its first line
    targets = re.findall(r"\]\(([^)\s]+)\)", description)
    assert targets, "no links found: the pattern no longer matches the README"
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert not relative, relative
    assert "](https://raw.githubusercontent.com/ls-widget/ls-widget/main/docs/panel.png)" in description
    for local in re.findall(r"\]\((?!https?://|#)([^)\s]+)\)", readme):  # each one made absolute points at a file
        assert (ROOT / local).exists(), local
