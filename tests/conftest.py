"""Fixtures shared by every test layer."""

from __future__ import annotations

import pytest

_ENV = ("LS_WIDGET_AUTH_URL", "LS_WIDGET_API_URL", "LS_WIDGET_V2_CLIENT_ID", "LS_WIDGET_V2_CLIENT_SECRET")


@pytest.fixture(autouse=True)
def ls_home(tmp_path_factory, monkeypatch):
    """Every test gets its own empty store and the real Lightspeed hosts, whatever the developer's shell has set."""
    home = tmp_path_factory.mktemp("ls_home")
    monkeypatch.setenv("LS_WIDGET_HOME", str(home))
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    return home


def pytest_configure(config):
    """Under pytest-xdist each worker keeps its browser artefacts in a folder of its own: pytest-playwright empties
    ``--output`` when a session starts, and a worker's session starts while the other's tests are writing there."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker and config.pluginmanager.hasplugin("playwright"):
        config.option.output = str(config.rootpath / "test-results" / worker)


# Browser tests that start servers of their own (marimo, Voila, JupyterLab set up otherwise) or wait most of their
# time on the sandbox's rate limits (the quickstart notebook): a group of their own, on another worker than the rest
# of the browser tests, which then share one loaded JupyterLab (tests/browser/conftest.py).
_BROWSER_APART = {"test_quickstart.py", "test_marimo.py", "test_voila.py", "test_https_base_url.py",
                  "test_route_probe.py", "test_restricted_hosts.py"}


def pytest_collection_modifyitems(config, items):
    """``--dist loadgroup`` (scripts/test.sh's full run) keeps a file's tests on one worker, so its module fixtures
    (a sandbox, a synced world, a PostgreSQL server) are built once; and the browser tests in two groups, each on
    one worker (each group's session loads JupyterLab once)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        path = item.path.relative_to(config.rootpath)
        if path.parts[:2] == ("tests", "browser"):
            group = "browser-apart" if path.name in _BROWSER_APART else "browser"
        else:
            group = path.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))
