"""Automatic capture mode on a Jupyter server that does not serve ls_widget's callback route.

JupyterLab is started here with the package's server extension switched off (a user-level
``jupyter_server_config.json`` setting ``ServerApp.jpserver_extensions["ls_widget.capture"] = False``, which wins over
the config file the package installs), as an administrator might run it. The sandbox's authorization host is a
loopback address, so the panel would pick the Jupyter route; its probe of ``<base_url>ls-widget/oauth/callback``
finds no route (404), so the panel uses paste mode, says why next to the redirect URI, and a sign-in completes by
pasting. Choosing the Jupyter route explicitly on such a server shows a warning instead of switching silently.

The server started with the extension on (``test_sign_in.py``) shows the other answer: the probe finds the route.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .lab_harness import bundle_problem, open_notebook, panel, panel_notebook, python_value, run_all, run_python
from .lab_harness import start_lab_server, wait_python
from .test_sign_in import (
    APPROVE,
    CALLBACK_PATH,
    connected_text,
    consent_button,
    facts,
    sandbox_cell,
    status_region,
)

pytestmark = pytest.mark.browser

PASTE_URI = "https://localhost"
# js/redirect.js
NO_ROUTE_TEXT = (
    "This Jupyter server does not serve ls_widget's sign-in page, so you'll paste the address instead: "
    "register https://localhost."
)
ROUTE_MISSING_WARNING = "This Jupyter server does not serve ls_widget's sign-in page at this address"
PROBE_QUERY = "probe=1"


@pytest.fixture(scope="module")
def lab_without_route(tmp_path_factory, _require_chromium):
    problem = bundle_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    tmp = tmp_path_factory.mktemp("lab-without-route")
    config_dir = tmp / "config"  # start_lab_server's JUPYTER_CONFIG_DIR: the user level, above sys.prefix's
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"ls_widget.capture": False}}})
    )
    server = start_lab_server(tmp)
    yield server
    server.stop()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def paste_sign_in(root) -> str:
    """Approve on the sandbox's consent page, which sends the window to https://localhost (nothing listens there),
    and paste that address into the panel; returns it."""
    with root.page.context.expect_page() as opened:
        root.get_by_role("button", name="Save and authorize", exact=True).click()
    popup = opened.value
    approve = consent_button(popup, APPROVE)
    with popup.expect_request(lambda request: request.url.startswith(PASTE_URI + "/")) as landed:
        approve.click()
    redirected = landed.value.url
    popup.close()
    pasted = root.get_by_role("textbox", name="Redirected URL", exact=True)
    expect(pasted).to_be_visible()  # the paste box itself, not the route's folded-away fallback
    expect(root.get_by_role("timer")).to_contain_text("Paste within")
    pasted.fill(redirected)
    root.get_by_role("button", name="Complete authorization", exact=True).click()
    return redirected


def test_without_the_server_extension_auto_mode_pastes_and_says_why(lab_without_route, browser,
                                                                   browser_context_args, request, screens_dir):
    server = lab_without_route
    route = f"{server.url}{CALLBACK_PATH}"
    assert status_of(f"{route}?{PROBE_QUERY}") == 404  # the extension really is off on this server
    assert "ls_widget: Lightspeed OAuth callback served" not in server.log_tail(400)

    name = "no_route.ipynb"
    panel_notebook(server.root_dir, name, sandbox_cell())
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    probes: list[str] = []
    page.on("request", lambda r: CALLBACK_PATH in r.url and probes.append(r.url))
    try:
        open_notebook(page, server, name)
        run_all(page)
        root = panel(page)
        expect(root).to_be_visible()
        known = facts(page)
        redirect = root.get_by_role("textbox", name="Redirect URI", exact=True)

        # Paste mode, with the reason right under the URI (part of the textbox's description).
        expect(redirect).to_have_value(PASTE_URI)
        expect(redirect).to_have_accessible_description(re.compile(re.escape(NO_ROUTE_TEXT)))
        wait_python(page, "conn.redirect_uri", PASTE_URI)
        wait_python(page, "demo.redirect_uri(demo.client.client_id)", PASTE_URI)  # the demo client follows
        assert python_value(page, "conn.capture_mode") == "auto"
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / "no_route--paste-explained.png")

        # The Jupyter route chosen explicitly: kept, with a clear warning rather than a silent switch.
        run_python(page, 'conn.capture_mode = "jupyter"')
        expect(redirect).to_have_value(route)
        expect(root.get_by_text(ROUTE_MISSING_WARNING)).to_be_visible()
        expect(redirect).to_have_accessible_description(re.compile(re.escape(ROUTE_MISSING_WARNING)))
        wait_python(page, "conn.redirect_uri", route)
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / "no_route--jupyter-chosen-warning.png")
        run_python(page, 'conn.capture_mode = "auto"')
        expect(redirect).to_have_value(PASTE_URI)
        expect(root.get_by_text(ROUTE_MISSING_WARNING)).to_be_hidden()
        wait_python(page, "demo.redirect_uri(demo.client.client_id)", PASTE_URI)

        # A whole sign-in by paste.
        redirected = paste_sign_in(root)
        assert "code=" in redirected
        expect(status_region(root)).to_contain_text(connected_text(known))
        wait_python(page, "conn.status", "connected")
        assert python_value(page, "conn.session.count('Customer', archived='true')") == 20

        # One probe for the page, however many times the mode changed.
        assert [url for url in probes if PROBE_QUERY in url] == [f"{route}?{PROBE_QUERY}"], probes
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=screens_dir / "no_route--FAILED.png")
        print("JupyterLab log (tail):\n" + server.log_tail(30))
        raise
    finally:
        with contextlib.suppress(Exception):
            run_python(page, "demo.stop()")
        context.close()
        server.shutdown_kernels_of(name)
