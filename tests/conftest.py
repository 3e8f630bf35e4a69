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


def pytest_collection_modifyitems(config, items):
    """``--dist loadgroup`` (scripts/test.sh's full run) keeps a file's tests on one worker, so its module fixtures
    (a sandbox, a synced world, a PostgreSQL server) are built once; and every browser test on one worker, so they
    share one loaded JupyterLab as tests/browser/conftest.py intends (two groups of browser tests, each with its own
    JupyterLab and Chromium, took 15.5 minutes on 2 cores against 12.4 for one)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        path = item.path.relative_to(config.rootpath)
        group = "browser" if path.parts[:2] == ("tests", "browser") else path.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))
