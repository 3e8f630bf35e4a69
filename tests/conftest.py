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
    """The slowest files first (the release check, then the browser tests), the many quick ones after them: spread
    over workers in this order (scripts/test.sh passes --no-loadscope-reorder), the quick files fill in at the end
    and no worker is left running a long file alone. Within a file the order stays as written."""
    def weight(item) -> int:
        if item.get_closest_marker("packaging"):
            return 0
        return 1 if item.get_closest_marker("browser") else 2

    items.sort(key=weight)  # stable
