"""The sign-in flow in a real JupyterLab 4 and Chromium: "Save and authorize" opens a popup on the sandbox's consent
page (the sandbox runs in the notebook's own kernel), the popup goes to the Jupyter callback route, relays and closes,
and Python ends up connected. Also: deny, a consent page that cuts ``window.opener`` (COOP), a blocked popup, paste
mode, disconnect, and reopening a saved connection.

Because the sandbox's authorization host is a loopback address, the panel picks the Jupyter route by itself:
``redirect_uri`` is ``{origin}/ls-test/ls-widget/oauth/callback``, and the sandbox's demo client follows it.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .lab_harness import notebook_name
from .lab_harness import (
    CURRENT_NOTEBOOK,
    PANEL_SELECTOR,
    add_and_run_cell,
    execute_command,
    open_notebook,
    panel,
    panel_notebook,
    panel_output_area,
    python_value,
    run_all,
    run_python,
)

pytestmark = pytest.mark.browser

CALLBACK_PATH = "ls-widget/oauth/callback"
SANDBOX_CELL = (
    "from ls_widget import sandbox\n"
    "demo = sandbox.start(items=50, customers=20, sales=100{options})\n"
    "conn = demo.connection()\n"
    "conn"
)
# What the sandbox and the panel say (ls_widget/sandbox/authorize.py, js/sign_in.js, ls_widget/oauth.py).
APPROVE, DENY = "Authorize application", "Deny"
SIGN_IN_TEXT = "Sign in to Lightspeed and approve access in the window that opened."
SIGN_IN_PASTE_TEXT = ("Sign in to Lightspeed and approve access in the window that opened, then paste the address that "
                      "window lands on into Redirected URL below.")
BLOCKED_TEXT = "Your browser blocked the sign-in window."
LINK_TEXT = "Open the Lightspeed sign-in"
ACCESS_DENIED_TEXT = "Error: Access was denied in Lightspeed"
NO_CODE_TEXT = "That address has no authorization code"
# Chromium's transient user activation lasts 5 s; Playwright's own calls into the page grant one.
ACTIVATION_LIFESPAN_S = 5.0


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------
def sandbox_cell(**options) -> str:
    return SANDBOX_CELL.format(options="".join(f", {key}={value!r}" for key, value in options.items()))


def stop_sandbox(page) -> None:
    """``demo.stop()`` in the kernel; the kernel's shutdown would end it too, so never fail a teardown over it."""
    with contextlib.suppress(Exception):
        if not page.is_closed():
            run_python(page, "demo.stop()")


@pytest.fixture
def sandbox_lab(make_lab):
    """``sandbox_lab(**sandbox_options)``: this test's notebook with the sandbox started in its kernel and the
    panel ``conn = demo.connection()`` shown; the sandbox is stopped afterwards."""
    labs = []

    def factory(**options):
        lab = make_lab(sandbox_cell(**options))
        labs.append(lab)
        return lab

    yield factory
    for lab in labs:
        stop_sandbox(lab.page)


def facts(page) -> dict:
    """What the sandbox and the panel's Python half know: account, client, requested scopes."""
    return python_value(
        page,
        "{'account_id': demo.account_id, 'account_name': demo.state.account(demo.account_id).name,"
        " 'url': demo.url, 'client': demo.client.name, 'client_id': demo.client.client_id, 'scopes': list(conn.scopes)}",
    )


def callback_url(server) -> str:
    return f"{server.origin}{server.base_url}{CALLBACK_PATH}"


def connected_text(known: dict) -> str:
    return f"Connected to {known['account_name']} ({known['account_id']})"


def status_region(root):
    return root.get_by_role("status")


def click_authorize(root):
    """Click "Save and authorize" and return the sign-in window it opened."""
    with root.page.context.expect_page() as opened:
        root.get_by_role("button", name="Save and authorize", exact=True).click()
    return opened.value


def consent_button(popup, name: str):
    button = popup.get_by_role("button", name=name, exact=True)
    expect(button).to_be_visible()
    return button


def answer_consent(popup, decision: str = APPROVE) -> str:
    """Click ``decision`` on the sandbox's consent page; the window goes to the Jupyter route, which relays the
    result, and closes. Returns the address the sandbox redirected to (the callback page removes the code from its
    own address bar at once, so it is read from the request)."""
    button = consent_button(popup, decision)
    with popup.expect_event("close"), popup.expect_request(lambda r: CALLBACK_PATH in r.url) as callback:
        button.click()
    return callback.value.url


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def sign_in(lab) -> dict:
    """The whole happy path, for tests that need a connected panel first; returns facts() plus the redirect."""
    known = facts(lab.page)
    popup = click_authorize(lab.panel)
    known["redirected"] = answer_consent(popup)
    expect(status_region(lab.panel)).to_contain_text(connected_text(known))
    lab.wait_value("conn.status", "connected")
    return known


def expect_connected_summary(root, scopes: list[str]) -> None:
    summary = root.get_by_role("group", name="Sign-in")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("list", name="Granted scopes").get_by_role("listitem")).to_have_text(scopes)
    expect(summary.get_by_role("button", name="Disconnect", exact=True)).to_be_visible()


# --------------------------------------------------------------------------------------------------------------
# The flow through the Jupyter route
# --------------------------------------------------------------------------------------------------------------
def test_sign_in_through_the_popup_and_the_jupyter_route(sandbox_lab):
    lab = sandbox_lab()
    page, server, root = lab.page, lab.server, lab.panel
    known = facts(page)
    expect(root.get_by_role("textbox", name="Redirect URI", exact=True)).to_have_value(callback_url(server))
    lab.wait_value("conn.redirect_uri", callback_url(server))
    # The demo client's registered redirect URI follows the panel, as an analyst would paste it at Lightspeed.
    lab.wait_value("demo.redirect_uri(demo.client.client_id)", callback_url(server))

    popup = click_authorize(root)
    # The consent page names the client and every scope asked for.
    expect(popup.get_by_role("heading", level=1)).to_have_text(f"Authorize {known['client']}")
    expect(popup.locator("main")).to_contain_text(known["client_id"])
    expect(popup.locator("main li code")).to_have_text(known["scopes"])
    status = status_region(root)
    expect(status).to_contain_text(SIGN_IN_TEXT)
    expect(status).to_contain_text("Authorizing")
    lab.shoot("consent-pending")

    redirected = answer_consent(popup)  # the popup relays and closes
    assert redirected.startswith(callback_url(server) + "?"), redirected
    code = query_of(redirected)["code"]
    assert len(code) >= 16, redirected

    expect(status).to_contain_text(connected_text(known))
    lab.wait_value("conn.status", "connected")
    granted = lab.value("conn._granted_scopes")
    assert sorted(granted) == sorted(known["scopes"])
    expect_connected_summary(root, granted)
    lab.shoot("connected")
    # A working session: 50 items in the sandbox, a few of them archived (which Lightspeed leaves out by default).
    account_id, account_name, items, all_items = lab.value(
        "[conn.account_id, conn.account_name, conn.session.count('Item'), conn.session.count('Item', archived='true')]"
    )
    assert [account_id, account_name, all_items] == [known["account_id"], known["account_name"], 50]
    assert 40 <= items <= 50

    # The code stays out of the widget state, the page and the saved notebook (widget state included).
    exposed = "__import__('json').dumps(conn.get_state(), default=str) + repr(conn) + str(conn._repr_mimebundle_())"
    assert lab.value(f"{code!r} in {exposed}") is False
    assert code not in page.content()
    path = server.root_dir / lab.name
    before = path.stat().st_mtime_ns
    execute_command(page, "docmanager:save")
    assert path.stat().st_mtime_ns != before
    text = path.read_text()
    assert code not in text
    state = json.loads(text)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert [m["state"]["status"] for m in state.values() if m["state"].get("name") == "Sandbox demo"] == ["connected"]


def test_deny_shows_the_error_and_the_form_stays_usable(sandbox_lab):
    lab = sandbox_lab()
    root = lab.panel
    known = facts(lab.page)

    redirected = answer_consent(click_authorize(root), DENY)
    assert query_of(redirected)["error"] == "access_denied"
    status = status_region(root)
    expect(status).to_contain_text(ACCESS_DENIED_TEXT)
    lab.wait_value("conn.status", "error")
    assert "denied" in lab.value("conn.error")
    expect(root.get_by_role("group", name="Sign-in")).to_be_hidden()
    lab.shoot("denied")

    # Still usable: the fields take input, and a second "Save and authorize" goes through.
    name = root.get_by_role("textbox", name="Name your connection", exact=True)
    expect(name).to_be_editable()
    expect(root.get_by_role("combobox", name="API type", exact=True)).to_be_enabled()
    authorize = root.get_by_role("button", name="Save and authorize", exact=True)
    expect(authorize).to_be_enabled()
    answer_consent(click_authorize(root))
    expect(status).to_contain_text(connected_text(known))
    expect(status).not_to_contain_text(ACCESS_DENIED_TEXT)
    lab.wait_value("conn.status", "connected")


def test_consent_page_that_cuts_the_opener_still_completes(sandbox_lab):
    """``Cross-Origin-Opener-Policy: same-origin`` on the consent page severs ``window.opener``: the callback page
    cannot postMessage to the notebook, so the result can only come through the BroadcastChannel."""
    lab = sandbox_lab(consent_coop=True)
    root = lab.panel
    known = facts(lab.page)

    popup = click_authorize(root)
    consent_button(popup, APPROVE)
    assert popup.evaluate("() => window.opener") is None  # the policy did cut it
    redirected = answer_consent(popup)
    assert "code" in query_of(redirected)
    expect(status_region(root)).to_contain_text(connected_text(known))
    lab.wait_value("conn.status", "connected")
    assert lab.value("conn.session.count('Customer', archived='true')") == 20


# --------------------------------------------------------------------------------------------------------------
# Paste mode
# --------------------------------------------------------------------------------------------------------------
def test_paste_mode(sandbox_lab):
    lab = sandbox_lab()
    page, root = lab.page, lab.panel
    known = facts(page)
    redirect = root.get_by_role("textbox", name="Redirect URI", exact=True)
    lab.wait_value("demo.redirect_uri(demo.client.client_id)", callback_url(lab.server))

    lab.py('conn.capture_mode = "paste"')
    expect(redirect).to_have_value("https://localhost")
    lab.wait_value("conn.redirect_uri", "https://localhost")
    lab.wait_value("demo.redirect_uri(demo.client.client_id)", "https://localhost")  # the demo client follows

    popup = click_authorize(root)
    approve = consent_button(popup, APPROVE)
    # Nothing listens on https://localhost: the window lands on a page that does not load, as at Lightspeed.
    with popup.expect_request(lambda request: request.url.startswith("https://localhost/")) as landed:
        approve.click()
    redirected = landed.value.url
    assert set(query_of(redirected)) >= {"code", "state"}, redirected
    popup.close()

    pasted = root.get_by_role("textbox", name="Redirected URL", exact=True)
    complete = root.get_by_role("button", name="Complete authorization", exact=True)
    expect(pasted).to_be_visible()
    expect(root.get_by_role("timer")).to_contain_text("Paste within")
    lab.shoot("paste-countdown")

    # A wrong address: an error, the box stays, the sign-in is still open.
    pasted.fill("https://localhost/?nothing=1")
    complete.click()
    status = status_region(root)
    expect(status).to_contain_text(NO_CODE_TEXT)
    expect(pasted).to_be_visible()
    expect(pasted).to_have_value("")
    assert lab.value("conn.status") == "authorizing"
    expect(status).to_contain_text("Authorizing")
    expect(root.get_by_role("timer")).to_contain_text("Paste within")  # still counting: the code still lives
    lab.shoot("paste-wrong-address")

    pasted.fill(redirected)
    complete.click()
    expect(status).to_contain_text(connected_text(known))
    expect(status).not_to_contain_text(NO_CODE_TEXT)
    lab.wait_value("conn.status", "connected")
    # The box is gone with the sign-in, and empty: the address held the code.
    expect(pasted).to_be_hidden()
    expect(root.locator(".ls-paste input")).to_have_value("")
    code = query_of(redirected)["code"]
    assert code not in page.content()
    assert lab.value(f"{code!r} in __import__('json').dumps(conn.get_state(), default=str)") is False


# --------------------------------------------------------------------------------------------------------------
# After connecting
# --------------------------------------------------------------------------------------------------------------
def test_disconnect(sandbox_lab):
    lab = sandbox_lab()
    root = lab.panel
    sign_in(lab)

    root.get_by_role("group", name="Sign-in").get_by_role("button", name="Disconnect", exact=True).click()
    expect(status_region(root)).to_contain_text("Not connected yet")
    expect(root.get_by_role("group", name="Sign-in")).to_be_hidden()
    lab.wait_value("conn.status", "draft")
    assert lab.value("[conn.account_id, __import__('ls_widget.token_store').token_store.TokenStore(conn.name).load() is None]") == [
        "", True,
    ]
    assert "NotConnectedError" in lab.py(
        "try:\n    conn.session\nexcept Exception as exc:\n    print(type(exc).__name__)"
    )


def test_load_a_saved_connection_renders_connected(sandbox_lab):
    lab = sandbox_lab()
    known = sign_in(lab)

    add_and_run_cell(
        lab.page,
        'from ls_widget import LightspeedConnection\nreloaded = LightspeedConnection.load("Sandbox demo")\nreloaded',
    )
    panels = lab.page.locator(f"{CURRENT_NOTEBOOK} {PANEL_SELECTOR}")
    expect(panels).to_have_count(2)
    reloaded = panels.nth(1)
    expect(status_region(reloaded)).to_contain_text(connected_text(known))
    expect_connected_summary(reloaded, lab.value("reloaded._granted_scopes"))
    assert lab.value("[reloaded.status, reloaded.session.count('Item', archived='true')]") == ["connected", 50]


# --------------------------------------------------------------------------------------------------------------
# The browser's real popup blocker
# --------------------------------------------------------------------------------------------------------------
CLICK_FIRED = "ls-test: the page fired the click"
FIRE_CLICK_JS = """
([selector, delay]) => {
  const button = [...document.querySelectorAll(selector + ' button')]
    .find((b) => b.textContent.trim() === 'Save and authorize');
  if (!button) return false;
  setTimeout(() => { button.click(); console.log(CLICKED); }, delay);
  return true;
}
""".replace("CLICKED", repr(CLICK_FIRED))


def test_blocked_popup_offers_a_link(browser_type, browser_type_launch_args, browser_context_args, lab_server,
                                     screens_dir, request):
    """Chromium's own popup blocker (Playwright turns it off by default). A ``window.open`` without user activation
    is blocked; Playwright's calls into a page grant one for 5 s, so the click is fired by the page's script after
    that, and the test waits (without a call into the page) for the console line the page writes once it has."""
    launch = {**browser_type_launch_args, "ignore_default_args": ["--disable-popup-blocking"]}
    browser = browser_type.launch(**launch)
    name = notebook_name(request.node)
    page = None

    def shoot(label: str, **options) -> None:
        with contextlib.suppress(Exception):  # screenshots are for humans; never fail a test over one
            target = page if options.pop("whole_page", False) else panel_output_area(page)
            target.screenshot(path=screens_dir / f"{Path(name).stem}--{label}.png", timeout=5_000)

    try:
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        panel_notebook(lab_server.root_dir, name, sandbox_cell())
        open_notebook(page, lab_server, name)
        run_all(page)
        root = panel(page)
        expect(root).to_be_visible()
        known = facts(page)
        expect(root.get_by_role("textbox", name="Redirect URI", exact=True)).to_have_value(callback_url(lab_server))

        popups = []
        context.on("page", lambda new_page: popups.append(new_page))
        delay_ms = int((ACTIVATION_LIFESPAN_S + 1.0) * 1000)
        # No Playwright call may touch the page until the click has fired: wait for the page's console line (an
        # event Playwright receives), never poll the page.
        with page.expect_console_message(lambda message: message.text == CLICK_FIRED, timeout=delay_ms + 60_000):
            assert page.evaluate(FIRE_CLICK_JS, [f"{CURRENT_NOTEBOOK} {PANEL_SELECTOR}", delay_ms])

        status = status_region(root)
        expect(status).to_contain_text(BLOCKED_TEXT)
        link = root.get_by_role("link", name=LINK_TEXT, exact=True)
        expect(link).to_be_visible()
        assert link.get_attribute("href").startswith(known["url"] + "/auth/oauth/authorize?")
        # (The sync API delivers the context's "page" events only during calls like the ones above.)
        assert popups == [], "a sign-in window opened: the click still had a user activation"
        shoot("blocked")

        with context.expect_page() as opened:
            link.click()
        signin = opened.value
        consent_button(signin, APPROVE)
        assert signin.evaluate("() => window.opener") is None  # rel=noopener: only the BroadcastChannel can carry it
        redirected = answer_consent(signin)  # it relays on the channel and closes itself
        assert "code" in query_of(redirected)
        expect(status).to_contain_text(connected_text(known))
        expect(link).to_be_hidden()
        assert python_value(page, "conn.status") == "connected"
    except BaseException:
        shoot("FAILED", whole_page=True)
        raise
    finally:
        if page is not None:
            stop_sandbox(page)
        browser.close()
        lab_server.shutdown_kernels_of(name)
