"""A panel saved with its notebook and shown again with no Python behind it: what a shared .ipynb or a static HTML
export carries (the chosen client only, none of the other clients stored on the author's machine), and what the
panel does there (disabled, saying to open the notebook in Jupyter, no empty sign-in window).

JupyterLab saves the widget state into the notebook's metadata (the harness turns ``saveState`` on), and draws a
reopened notebook's widgets from that state when its (fresh) kernel has none: the same situation as a static HTML
export, where the page has the state and no kernel at all. ``nbconvert --to html`` embeds that same state; rendering
the export needs @jupyter-widgets/html-manager from a CDN, out of reach offline (and on these machines), so such a
page shows the second output the panel prints below itself instead: one line, "Saved copy: connected to X when it
was saved", kept up to date by Python and hidden by the panel's CSS wherever the panel itself loads. The export is
opened in Chromium with every network request refused, as a reader offline opens it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .lab_harness import execute_command

pytestmark = pytest.mark.browser

OFFLINE = "Open this notebook in Jupyter to connect"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


PANEL_CELL = "from ls_widget import LightspeedConnection\nconn = LightspeedConnection(name='Saved copy store')\nconn"
RECORD_WINDOW_OPEN_JS = """() => {
  window.__lsOpenCalls = [];
  const open = window.open.bind(window);
  window.open = (...args) => { window.__lsOpenCalls.push(String(args[0])); return open(...args); };
}"""


def test_a_saved_panel_keeps_only_the_chosen_client_and_is_inert_without_its_kernel(make_lab, shared_lab, tmp_path):
    lab = make_lab(PANEL_CELL)
    tag = secrets.token_hex(3)
    others = [(f"Unrelated project {tag} {i}", f"unrelated-id-{tag}-{i}") for i in range(2)]
    chosen, chosen_id = f"Saved copy client {tag}", f"chosen-id-{tag}"
    lab.py(
        "from ls_widget import OAuthClient\n"
        + "".join(f"OAuthClient({n!r}, {c!r}, 'secret-{i}').save()\n" for i, (n, c) in enumerate(others))
        + f"OAuthClient({chosen!r}, {chosen_id!r}, 'chosen-secret').save()\n"
        + f"conn.oauth_client = {chosen!r}\n"
    )
    panel = lab.panel
    client_box = panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)
    expect(client_box).to_have_value(chosen)
    # While the kernel is live the panel does list the other stored clients (by request, for this view only).
    client_box.focus()
    expect(client_box.get_by_role("option", name=others[0][0], exact=True)).to_have_count(1)

    # Every client stored on this machine (other tests' too) except the chosen one must stay out of what is saved.
    stored = lab.value("[[c['name'], c['client_id']] for c in __import__('ls_widget').clients.read_client_summaries()[0]]")
    foreign = [text for name, client_id in stored if name != chosen for text in (name, client_id)]
    assert {others[0][0], others[1][1]} <= set(foreign)

    path = lab.server.root_dir / lab.name
    execute_command(lab.page, "docmanager:save")
    text = path.read_text()
    leaked = [value for value in foreign if value in text]
    assert not leaked, leaked
    notebook = json.loads(text)
    states = [m["state"] for m in notebook["metadata"]["widgets"][WIDGET_STATE]["state"].values()]
    [ours] = [state for state in states if state.get("name") == "Saved copy store"]
    assert ours["_client"] == {"name": chosen, "client_id": chosen_id, "has_secret": True}
    assert "_clients" not in ours
    # Where widgets cannot render (a notebook viewer), the output's text/plain says what it is (as of display time);
    # the second output is the line for a reader of a saved copy (see the module docstring).
    output, fallback = notebook["cells"][0]["outputs"]
    assert "".join(output["data"]["text/plain"]) == (
        "Lightspeed connection panel 'Saved copy store' (v3, not connected yet): "
        "open this notebook in Jupyter to use it"
    )
    assert "".join(fallback["data"]["text/plain"]) == (
        "Saved copy: not connected when it was saved (Lightspeed connection 'Saved copy store', v3). To connect, "
        "open the notebook in Jupyter and run this cell."
    )

    # The static HTML export embeds that widget state: it holds the chosen client and none of the others.
    saved = tmp_path / "saved.ipynb"
    saved.write_text(text)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(saved), "--output-dir", str(tmp_path)],
        check=True, capture_output=True,
    )
    html = (tmp_path / "saved.html").read_text()
    assert WIDGET_STATE in html and chosen_id in html
    leaked = [value for value in foreign if value in html]
    assert not leaked, leaked

    # Reopened without running it: a fresh kernel with no Python object behind the panel drawn from saved state.
    assert shared_lab.close_notebooks()
    lab.server.shutdown_kernels_of(lab.name)
    reopened = make_lab(source=saved, run=False)
    panel = reopened.panel
    expect(panel).to_be_visible()
    status = panel.get_by_role("status")
    expect(status).to_contain_text(OFFLINE)
    name_box = panel.get_by_role("textbox", name="Name your connection", exact=True)
    expect(name_box).to_have_value("Saved copy store")
    client_box = panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)
    expect(client_box).to_have_value(chosen)
    expect(client_box.get_by_role("option")).to_have_count(2)  # "Choose a client…" and the chosen one
    authorize = panel.get_by_role("button", name="Save and authorize", exact=True)
    controls = [
        name_box,
        panel.get_by_role("combobox", name="API type", exact=True),
        panel.get_by_role("button", name="Edit scopes", exact=True),
        client_box,
        panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True),
        panel.get_by_role("button", name="Edit OAuth 2.0 client", exact=True),
        panel.get_by_role("button", name="Copy redirect URI", exact=True),
        authorize,
    ]
    for control in controls:
        expect(control).to_be_disabled()
    # The saved-copy line came back with the notebook, and stays hidden: the panel itself loaded.
    expect(reopened.page.locator(".ls-saved-copy")).to_have_count(1)
    expect(reopened.page.locator(".ls-saved-copy")).to_be_hidden()
    reopened.shoot("saved-copy-no-kernel")
    leaked = [value for value in foreign if value in panel.inner_html()]
    assert not leaked, leaked

    # "Save and authorize" opens nothing, even if a click reaches it (a real click cannot: the control is disabled).
    # The panel opens its sign-in window inside the click or never (when the kernel link settles "live", which the
    # offline status above says it did not): record every window.open, and read the record once the click ran.
    pages = len(reopened.page.context.pages)
    reopened.page.evaluate(RECORD_WINDOW_OPEN_JS)
    authorize.dispatch_event("click")  # dispatchEvent runs the click's listeners before it returns
    assert reopened.page.evaluate("() => window.__lsOpenCalls.length") == 0
    assert len(reopened.page.context.pages) == pages
    expect(status).to_contain_text(OFFLINE)


CONNECTED_CELL = (
    "from ls_widget import sandbox\n"
    "demo = sandbox.start(items=5, customers=3, sales=4)\n"
    "conn = demo.connection(name='Offline export store')\n"
    "conn"
)
SAVED_CONNECTED = "Saved copy: connected to {name} ({id}) when it was saved"


def test_an_html_export_of_a_connected_panel_says_so_offline_and_jupyterlab_hides_that_line(make_lab, browser,
                                                                                            tmp_path):
    lab = make_lab(CONNECTED_CELL)
    try:
        lab.py("demo.sign_in(conn)")  # both clicks, after the panel was shown: the line must follow
        expect(lab.panel.get_by_role("status")).to_contain_text("Connected to")
        name, account_id, access, refresh, secret = lab.value(
            "[conn.account_name, conn.account_id, conn.connection.token().access_token, "
            "conn.connection.token().refresh_token, demo.client.client_secret]")
        expected = SAVED_CONNECTED.format(name=name, id=account_id)

        # In JupyterLab the panel loaded, so its CSS hides the line (and the output area around it).
        line = lab.page.locator(".ls-saved-copy")
        expect(line).to_have_count(1)
        expect(line).to_be_hidden()
        expect(lab.page.get_by_text("Saved copy:", exact=False)).to_have_count(1)  # that same hidden line
        expect(lab.page.get_by_text("Saved copy:", exact=False)).not_to_be_visible()
        expect(lab.page.locator(".jp-OutputArea-child").filter(has=line)).to_be_hidden()

        execute_command(lab.page, "docmanager:save")
        text = (lab.server.root_dir / lab.name).read_text()
        output, fallback = json.loads(text)["cells"][0]["outputs"]
        assert "application/vnd.jupyter.widget-view+json" in output["data"]
        assert "".join(fallback["data"]["text/plain"]).startswith(expected)
        for value in (access, refresh, secret):
            assert value not in text

        saved = tmp_path / "connected.ipynb"
        saved.write_text(text)
        subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(saved), "--output-dir",
             str(tmp_path)],
            check=True, capture_output=True,
        )
        exported = tmp_path / "connected.html"
        html = exported.read_text()
        for value in (access, refresh, secret):
            assert value not in html
    finally:
        with contextlib.suppress(Exception):
            lab.py("demo.stop()")

    # Opened offline: every request off the page (the widget manager's CDN above all) is refused.
    context = browser.new_context()
    try:
        refused = []
        context.route("http*://**/*", lambda route: (refused.append(route.request.url), route.abort()))
        page = context.new_page()
        page.goto(exported.as_uri())
        expect(page.get_by_text(expected, exact=False)).to_be_visible()
        expect(page.locator(".ls-widget")).to_have_count(0)  # no panel drew: the line is all there is
        assert refused, "the export asked for nothing off the page: the test did not block what it meant to"
    finally:
        context.close()
