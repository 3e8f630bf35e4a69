"""The README's first cells as an analyst without an account runs them in JupyterLab: "Try it without an account"
(the sandbox, its client saved as "Reporting notebook"), then "Connect" (a plain ``LightspeedConnection`` with that
client, not the sandbox's ready-made ``demo.connection()``), then the clicks the README asks for, then its first
pull. The cells are taken from README.md itself, so the README cannot drift from what works in a notebook.

The sandbox's client was registered with ``https://localhost``; in JupyterLab the panel catches the code by the
Jupyter route, so the sandbox registers the redirect URI the panel shows when the sign-in reaches its authorize endpoint, as an analyst does
once on Lightspeed's client page. Without that the popup would land on ``https://localhost`` and the panel wait for
ever.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.readme_runner import python_blocks

from .lab_harness import run_python
from .test_sign_in import (
    answer_consent,
    callback_url,
    click_authorize,
    connected_text,
    facts,
    status_region,
    stop_sandbox,
)

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"
# An analyst who never set LS_WIDGET_HOME (the browser tests' server sets one for every kernel).
AS_A_NEW_USER = "import os\nos.environ.pop('LS_WIDGET_HOME', None)\n"


def readme_block(containing: str) -> str:
    return next(source for _, source in python_blocks(README.read_text(encoding="utf-8")) if containing in source)


def test_the_readmes_first_cells_sign_in_and_pull_in_jupyterlab(make_lab):
    prelude, connect = readme_block("sandbox.start("), readme_block("LightspeedConnection(")
    first_pull = readme_block("conn.session")
    assert "demo.connection(" not in connect  # the README's own panel, as a user with an account writes it
    lab = make_lab(AS_A_NEW_USER + prelude + "\n" + connect)
    try:
        page, server, root = lab.page, lab.server, lab.panel
        known = facts(page)
        assert known["client"] == "Sandbox demo" and lab.value("conn.oauth_client") == "Reporting notebook"
        lab.wait_value("conn.redirect_uri", callback_url(server))
        home = lab.value("os.environ['LS_WIDGET_HOME']")
        assert "ls-widget-sandbox-" in home  # the sandbox's own temporary store

        redirected = answer_consent(click_authorize(root))
        assert redirected.startswith(callback_url(server) + "?"), redirected
        expect(status_region(root)).to_contain_text(connected_text(known))
        lab.wait_value("conn.status", "connected")
        assert lab.value("demo.redirect_uri(demo.client.client_id)") == callback_url(server)

        run_python(page, first_pull)
        assert lab.value("len(sales) > 1000 and set(sales.columns) >= {'saleID', 'completeTime', 'total'}") is True
        run_python(page, "demo.stop()")
        assert lab.value(f"os.path.exists({home!r})") is False
    finally:
        stop_sandbox(lab.page)
