"""Hosts that cannot be run here (VS Code, Colab), simulated in JupyterLab by their two constraints:

- no Jupyter route: the page carries no Jupyter config (``#jupyter-config-data`` is removed once JupyterLab has
  booted and before the panel renders, as in VS Code's and Colab's notebook pages), or paste mode is chosen in Python;
  either way the redirect URI is ``https://localhost`` and the sign-in ends with a paste;
- ``window.open`` returns null (an embedder that blocks popups; replaced by an init script before the notebook loads).

"Save and authorize" then says the window was blocked and shows Lightspeed's authorization address as a link. The
analyst follows it (a new page), approves on the sandbox's consent page, lands on https://localhost (nothing listens
there) and pastes that address: Python ends up connected.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import expect

from .lab_harness import open_notebook, panel, panel_notebook, python_value, run_all, run_python, wait_python
from .test_sign_in import (
    APPROVE,
    BLOCKED_TEXT,
    LINK_TEXT,
    SIGN_IN_PASTE_TEXT,
    connected_text,
    consent_button,
    facts,
    query_of,
    sandbox_cell,
    status_region,
)

pytestmark = pytest.mark.browser

PASTE_URI = "https://localhost"
# js/redirect.js: describePlan() off a Jupyter page.
NOT_JUPYTER_HINT = "Picked automatically: this page is not served by a Jupyter server."

# Every window.open of the page returns null, and is counted.
NULL_WINDOW_OPEN_JS = """
window.__lsOpenCalls = [];
window.open = function (...args) { window.__lsOpenCalls.push(args); return null; };
"""
# What VS Code's and Colab's pages lack; JupyterLab has read it by the time its kernel is idle.
DROP_JUPYTER_CONFIG_JS = "() => { const el = document.getElementById('jupyter-config-data'); el && el.remove(); return !!el; }"

PASTE_CELL = sandbox_cell().replace("conn = demo.connection()\n", 'conn = demo.connection()\nconn.capture_mode = "paste"\n')


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("no_jupyter_page", id="no-jupyter-page-auto"),
        pytest.param("paste_chosen", id="paste-chosen-in-python"),
    ],
)
def test_popup_returns_null_offers_the_authorization_link_then_paste(host, lab_server, browser, browser_context_args,
                                                                     screens_dir):
    name = f"restricted_{host}.ipynb"
    panel_notebook(lab_server.root_dir, name, sandbox_cell() if host == "no_jupyter_page" else PASTE_CELL)
    context = browser.new_context(**browser_context_args)
    context.add_init_script(NULL_WINDOW_OPEN_JS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console.append(msg.text))
    try:
        open_notebook(page, lab_server, name)
        if host == "no_jupyter_page":
            assert page.evaluate(DROP_JUPYTER_CONFIG_JS)
        run_all(page)
        root = panel(page)
        expect(root).to_be_visible()
        known = facts(page)

        redirect = root.get_by_role("textbox", name="Redirect URI", exact=True)
        expect(redirect).to_have_value(PASTE_URI)
        if host == "no_jupyter_page":
            expect(redirect).to_have_accessible_description(re.compile(re.escape(NOT_JUPYTER_HINT)))
            assert python_value(page, "conn.capture_mode") == "auto"
        else:
            expect(root.get_by_role("combobox", name="Redirect capture", exact=True)).to_have_value("paste")
        wait_python(page, "conn.redirect_uri", PASTE_URI)
        wait_python(page, "demo.redirect_uri(demo.client.client_id)", PASTE_URI)  # the demo client follows

        # window.open gives null: no window, a plain statement and Lightspeed's address as a link.
        root.get_by_role("button", name="Save and authorize", exact=True).click()
        status = status_region(root)
        expect(status).to_contain_text(BLOCKED_TEXT)
        link = root.get_by_role("link", name=LINK_TEXT, exact=True)
        expect(link).to_be_visible()
        assert page.evaluate("() => window.__lsOpenCalls.length") == 1
        assert len(context.pages) == 1
        href = link.get_attribute("href")
        assert href.startswith(known["url"] + "/auth/oauth/authorize?"), href
        authorize_query = query_of(href)
        # (no redirect_uri in it: Lightspeed sends the code to the URI registered with the client)
        assert authorize_query["client_id"] == known["client_id"]
        assert authorize_query["response_type"] == "code" and authorize_query["state"]
        assert link.get_attribute("target") == "_blank"
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / f"restricted_{host}--link.png")

        # Following the link reaches the sandbox's consent page; approving lands on https://localhost.
        with context.expect_page() as opened:
            link.click()
        signin = opened.value
        expect(status).to_contain_text(SIGN_IN_PASTE_TEXT)  # paste mode: the box is the next step
        expect(signin.get_by_role("heading", level=1)).to_have_text(f"Authorize {known['client']}")
        approve = consent_button(signin, APPROVE)
        with signin.expect_request(lambda request: request.url.startswith(PASTE_URI + "/")) as landed:
            approve.click()
        redirected = landed.value.url
        assert set(query_of(redirected)) >= {"code", "state"}, redirected
        assert query_of(redirected)["state"] == authorize_query["state"]
        signin.close()

        # Paste it: the countdown runs from the link's click.
        pasted = root.get_by_role("textbox", name="Redirected URL", exact=True)
        expect(pasted).to_be_visible()
        expect(root.get_by_role("timer")).to_contain_text("Paste within")
        pasted.fill(redirected)
        root.get_by_role("button", name="Complete authorization", exact=True).click()
        expect(status).to_contain_text(connected_text(known))
        expect(link).to_be_hidden()
        expect(pasted).to_be_hidden()
        wait_python(page, "conn.status", "connected")
        assert python_value(page, "conn.session.count('Customer', archived='true')") == 20
        code = query_of(redirected)["code"]
        assert code not in page.content()
        with contextlib.suppress(Exception):
            root.screenshot(path=screens_dir / f"restricted_{host}--connected.png")
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=screens_dir / f"restricted_{host}--FAILED.png")
        print("Browser console errors:\n" + "\n".join(console[-40:]))
        print("JupyterLab log (tail):\n" + lab_server.log_tail(30))
        raise
    finally:
        with contextlib.suppress(Exception):
            run_python(page, "demo.stop()")
        context.close()
        lab_server.shutdown_kernels_of(name)
