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
