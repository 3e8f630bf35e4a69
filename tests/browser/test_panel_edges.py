"""The panel outside the happy path, in a real JupyterLab 4 and Chromium: a paste code that expired, the sign-in
window closed in paste mode, Disconnect under the keyboard (focus, and what the status region says on the way),
short-lived notices, a saved copy of a connected panel, a narrow panel, and the sandbox's consent page in a
sign-in-window-sized viewport. Voila's side of these is in ``test_voila.py``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .lab_harness import execute_command
from .test_sign_in import (
    APPROVE,
    click_authorize,
    connected_text,
    consent_button,
    facts,
    sandbox_lab,  # noqa: F401 - a fixture, shared with test_sign_in
    sign_in,
    status_region,
    stop_sandbox,
)

pytestmark = pytest.mark.browser

PASTE_URI = "https://localhost"
EXPIRED_TEXT = "The code has probably expired: click Save and authorize again."
PASTE_CLOSED = "The sign-in window was closed. If you approved access, paste the address you landed on"
PASTE_SIGN_IN = "then paste the address that window lands on into Redirected URL below"

# Records every text the status region's state line and transient line take, in order (a screen reader hears each).
RECORD_STATUS_JS = """
(root) => {
  const status = root.querySelector('[role="status"]');
  window.__lsStatusTexts = [];
  const seen = () => {
    const lines = [...status.querySelectorAll('.ls-status-line')].filter((line) => !line.hidden);
    window.__lsStatusTexts.push(lines.map((line) => line.textContent).join(' | '));
  };
  window.__lsStatusObserver?.disconnect();
  window.__lsStatusObserver = new MutationObserver(seen);
  window.__lsStatusObserver.observe(status, { subtree: true, childList: true, characterData: true, attributes: true });
}
"""


def approve_to_localhost(popup) -> str:
    """Approve on the consent page; the window lands on https://localhost (nothing listens). Returns that address."""
    approve = consent_button(popup, APPROVE)
    with popup.expect_request(lambda request: request.url.startswith(PASTE_URI + "/")) as landed:
        approve.click()
    return landed.value.url


def test_paste_mode_expired_code_and_closed_window_lead_somewhere(sandbox_lab):
    lab = sandbox_lab()
    root = lab.panel
    known = facts(lab.page)
    lab.py('conn.capture_mode = "paste"')
    lab.wait_value("demo.redirect_uri(demo.client.client_id)", PASTE_URI)
    # Codes live 60 s; the catalog the panel counts from says 3 here, so the expiry comes within the test.
    lab.py("conn._profiles = {**conn._profiles, 'v3': {**conn._profiles['v3'], 'code_lifetime': 3}}")
    status = status_region(root)
    authorize = root.get_by_role("button", name="Save and authorize", exact=True)

    popup = click_authorize(root)
    pasted = root.get_by_role("textbox", name="Redirected URL", exact=True)
    expect(pasted).to_be_visible()
    # The paste box is announced with the sign-in (the status region is the live region).
    expect(status).to_contain_text(PASTE_SIGN_IN)
    expect(authorize).to_be_disabled()
    approve_to_localhost(popup)
    popup.close()  # the analyst closes the window once the address is copied
    expect(status).to_contain_text(PASTE_CLOSED)
    expect(status).not_to_contain_text("on its way")

    # The code expires: the button the message names works.
    expect(status).to_contain_text(EXPIRED_TEXT)
    expect(authorize).to_be_enabled()
    lab.shoot("paste-expired")
    popup = click_authorize(root)
    expect(root.get_by_role("timer")).to_have_text("Paste within 0:03")
    lab.py("conn._profiles = {**conn._profiles, 'v3': {**conn._profiles['v3'], 'code_lifetime': 60}}")
    expect(root.get_by_role("timer")).to_contain_text("Paste within 1:00")  # never "0:60"
    expect(status).not_to_contain_text(PASTE_CLOSED)
    redirected = approve_to_localhost(popup)
    popup.close()
    pasted.fill(redirected)
    root.get_by_role("button", name="Complete authorization", exact=True).click()
    expect(status).to_contain_text(connected_text(known))
    lab.wait_value("conn.status", "connected")


def test_disconnect_keeps_focus_in_the_panel_and_says_no_intermediate_state(sandbox_lab):
    lab = sandbox_lab()
    root = lab.panel
    known = sign_in(lab)
    disconnect = root.get_by_role("group", name="Sign-in").get_by_role("button", name="Disconnect", exact=True)
    disconnect.focus()
    root.evaluate(RECORD_STATUS_JS)
    lab.page.keyboard.press("Enter")
    status = status_region(root)
    expect(status).to_contain_text("Not connected yet")
    # Focus on a control of the form (the next step, signing in again), never the page's body.
    authorize = root.get_by_role("button", name="Save and authorize", exact=True)
    expect(authorize).to_be_focused()
    # Everything the disconnect sends has reached the record once this returns: the kernel handles the disconnect
    # message before it runs this code, and JupyterLab applies a kernel's messages one at a time in order, so the
    # answer comes after every update the disconnect sent (and the panel draws each update as it applies it).
    lab.wait_value("conn.status", "draft")
    texts = lab.page.evaluate("() => window.__lsStatusTexts")
    states = [text.split(" | ")[-1] for text in texts]
    # From "Connected to …" straight to "Not connected yet": never "Connected" alone (the account already gone).
    assert "Connected" not in states, texts
    after = states[states.index("Not connected yet"):]
    assert all(state == "Not connected yet" for state in after), texts
    # "Disconnecting…" does not outlive the disconnect.
    expect(status).not_to_contain_text("Disconnecting")
    assert connected_text(known) not in status.inner_text()
    # Nothing of the sign-in stays on disk, not even an empty lock file.
    leftovers = lab.value(
        "[p.name for p in (lambda t: [t, t.with_name(t.name + '.lock')])"
        "(__import__('ls_widget.token_store').token_store.TokenStore(conn.name).path) if p.exists()]"
    )
    assert leftovers == [], leftovers


def test_cancelled_notice_goes_with_the_next_sign_in(sandbox_lab):
    lab = sandbox_lab()
    root = lab.panel
    known = facts(lab.page)
    status = status_region(root)
    popup = click_authorize(root)
    consent_button(popup, APPROVE)
    root.get_by_role("button", name="Cancel sign-in", exact=True).click()
    expect(status).to_contain_text("Sign-in cancelled.")
    lab.wait_value("conn.status", "draft")
    # Signing in again at once, within the notice's seconds: "Connected to …" is never under "Sign-in cancelled.".
    sign_in(lab)
    expect(status).to_contain_text(connected_text(known))
    expect(status).not_to_contain_text("Sign-in cancelled.")


def test_a_saved_copy_of_a_connected_panel_says_it_is_a_saved_copy(sandbox_lab, make_lab, shared_lab, tmp_path):
    lab = sandbox_lab()
    known = sign_in(lab)
    summary = lab.panel.get_by_role("group", name="Sign-in")
    expect(summary).to_contain_text("Connected")
    expect(summary).to_contain_text("Access token")
    execute_command(lab.page, "docmanager:save")
    saved = tmp_path / "saved.ipynb"
    saved.write_text((lab.server.root_dir / lab.name).read_text())
    stop_sandbox(lab.page)

    assert shared_lab.close_notebooks()
    lab.server.shutdown_kernels_of(lab.name)
    reopened = make_lab(source=saved, run=False)
    root = reopened.panel
    status = status_region(root)
    account = f"{known['account_name']} ({known['account_id']})"
    expect(status).to_contain_text(f"Saved copy: connected to {account} when it was saved")
    expect(status).to_contain_text("Open this notebook in Jupyter to connect")
    summary = root.get_by_role("group", name="Sign-in")
    expect(summary).to_be_visible()
    badge = summary.locator(".ls-badge")
    expect(badge).to_have_text("Saved copy")
    expect(summary.locator(".ls-badge--success")).to_have_count(0)
    expect(summary.get_by_text("Access token", exact=True)).to_be_hidden()
    expect(summary).not_to_contain_text("expires at")
    assert "Connected to" not in status.inner_text()
    reopened.shoot("saved-copy-connected")


def test_summary_lays_out_by_the_panels_width(sandbox_lab):
    lab = sandbox_lab()
    root = lab.panel
    sign_in(lab)
    summary = root.get_by_role("group", name="Sign-in")
    labels = summary.locator("dt")
    expect(labels).to_have_count(4)

    def layout():
        return root.evaluate(
            """(el) => {
              const panel = el.querySelector('.ls-panel');
              const dts = [...el.querySelectorAll('.ls-connected dt')].filter((dt) => dt.offsetParent);
              const lines = (node) => {
                const range = document.createRange();
                range.selectNodeContents(node);
                return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
              };
              return {
                overflow: [...el.querySelectorAll('.ls-connected *')].some(
                  (node) => node.getBoundingClientRect().right > panel.getBoundingClientRect().right + 0.5),
                wrapped: dts.filter((dt) => lines(dt) > 1).map((dt) => dt.textContent),
                stacked: dts.every((dt) => dt.nextElementSibling.getBoundingClientRect().top >= dt.getBoundingClientRect().bottom - 1),
              };
            }"""
        )

    wide = layout()
    assert wide == {"overflow": False, "wrapped": [], "stacked": False}, wide
    # The window stays wide; only the panel is narrow (a side panel, a split notebook): 480 px.
    root.evaluate("(el) => { el.style.width = '480px'; el.style.maxWidth = '480px'; }")
    narrow = layout()
    assert narrow["overflow"] is False and narrow["stacked"] is True, narrow
    lab.shoot("summary-480px")
    root.evaluate("(el) => { el.style.width = ''; el.style.maxWidth = ''; }")


def test_scope_descriptions_are_read_in_full(make_lab):
    lab = make_lab()
    root = lab.panel
    root.get_by_role("button", name="Edit scopes", exact=True).click()
    dialog = lab.page.get_by_role("dialog", name="Choose scopes")
    option = dialog.get_by_role("listbox", name="Available scopes").get_by_role("option", name="employee:all", exact=True)
    expect(option).to_be_visible()
    clipped = option.locator(".ls-option-desc").evaluate(
        "(el) => ({ clipped: el.scrollWidth > el.clientWidth + 1, ellipsis: getComputedStyle(el).textOverflow,"
        " text: getComputedStyle(el, '::before').content })"
    )
    assert clipped["clipped"] is False and clipped["ellipsis"] != "ellipsis", clipped
    assert "all access rights that the authorizing user possesses" in clipped["text"]
    dialog.get_by_role("button", name="Cancel", exact=True).click()


def test_consent_page_fits_the_sign_in_window(browser, browser_context_args):
    """The sign-in window opens at 520 x 720 (js/popup.js); its content area is about 520 x 640."""
    from ls_widget import sandbox

    with sandbox.start(items=2, customers=1, sales=1) as demo:
        conn = demo.connection()
        conn.redirect_uri = PASTE_URI
        url = conn.authorization_url()
        context = browser.new_context(**{**browser_context_args, "viewport": {"width": 520, "height": 640}})
        try:
            page = context.new_page()
            page.goto(url)
            approve = page.get_by_role("button", name=APPROVE, exact=True)
            expect(approve).to_be_visible()
            fits = page.evaluate(
                "() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth,"
                " code: Math.max(...[...document.querySelectorAll('code')].map((c) => c.getBoundingClientRect().right)) })"
            )
            assert fits["scroll"] <= fits["width"] and fits["code"] <= fits["width"], fits
            assert demo.client.client_id in page.locator("main").inner_text()
            box = approve.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 640, box  # no scrolling to find the button
            page.screenshot(path=str(_shot_dir(browser_context_args) / "consent-520.png"))
        finally:
            context.close()


def _shot_dir(_args):
    from .lab_harness import REPO_ROOT

    path = REPO_ROOT / "test-results" / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path

