"""Accessibility of the panel in a real JupyterLab 4: axe-core finds no violation in any state (empty, scope picker
open, client dialog open, validation errors shown, authorizing, connected), in the light and the dark theme; the
connected panel folds its form into a summary; a busy sign-in can be cancelled; a long client ID stays inside a
480 px wide panel.

axe-core (the npm devDependency) is injected from ``node_modules`` into the JupyterLab page and run on the panel's
element only (its dialogs are inside it): whatever JupyterLab itself does around the panel is not this package's to
fix, and it is left out by scoping, never by turning rules off.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_harness import CURRENT_NOTEBOOK, PANEL_SELECTOR, REPO_ROOT, doc_shots, open_scope_picker, panel_output_area, set_theme
from .test_sign_in import answer_consent, click_authorize, connected_text, facts, sandbox_lab  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
THEMES = ("JupyterLab Light", "JupyterLab Dark")

_RUN_AXE_JS = """
async (selector) => {
  const root = document.querySelector(selector);
  if (!root) return {error: 'no panel'};
  // JupyterLab's <body> (overflow: hidden) is 0 px high: its shell is absolutely positioned. axe then takes every
  // element in the notebook for clipped away and checks no text colour at all. Give the body the viewport's height
  // while axe runs (nothing moves: the shell is positioned against the viewport anyway).
  const height = document.body.style.height;
  document.body.style.height = '100vh';
  let result;
  try {
    result = await window.axe.run({include: [root]});
  } finally {
    document.body.style.height = height;
  }
  // A sanity check that the colours were really looked at (see above).
  const checked = [result.passes, result.violations, result.incomplete]
    .map((list) => list.find((r) => r.id === 'color-contrast')?.nodes.length ?? 0)
    .reduce((a, b) => a + b, 0);
  if (checked < 5) return [{id: 'axe-checked-no-colours', nodes: []}];
  // Colours axe could not decide (text over an image, a pseudo-element...): reported, so that they get a look.
  const undecided = result.incomplete.filter((r) => r.id === 'color-contrast');
  return [...result.violations, ...undecided.map((r) => ({...r, id: 'color-contrast (undecided)'}))].map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}
"""


@pytest.fixture(scope="module", autouse=True)
def _require_axe():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)", pytrace=False)


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(_RUN_AXE_JS, f"{CURRENT_NOTEBOOK} {PANEL_SELECTOR}")


def shoot_doc(page, label: str) -> None:
    """Screenshots for docs/screenshots/ (never asserted; see lab_harness.doc_shots)."""
    shots = doc_shots("screenshots")
    try:
        if page.evaluate("() => !!document.querySelector('dialog[open]')"):
            page.screenshot(path=shots / f"{label}.png")
        else:
            panel_output_area(page).screenshot(path=shots / f"{label}.png", timeout=5_000)
    except Exception as exc:  # never fail a test over a picture
        print(f"screenshot {label} failed: {exc}")


def assert_accessible(lab, state: str, *, before=None, shots: bool = False) -> None:
    """No axe violation in ``state``, in the light theme and the dark one (the page ends light again).
    ``before`` re-enters the state after a theme change if the change could leave it (it does not, so far)."""
    found = {}
    try:
        for theme in THEMES:
            set_theme(lab.page, theme)
            # JupyterLab covers the page with its splash while it changes themes: axe must see the panel itself.
            lab.page.wait_for_function("() => !document.querySelector('#jupyterlab-splash')")
            if before:
                before()
            violations = axe_violations(lab.page)
            if violations:
                found[theme] = violations
            if shots:
                shoot_doc(lab.page, f"{state}-{'dark' if 'Dark' in theme else 'light'}")
    finally:
        set_theme(lab.page, "JupyterLab Light")
    assert not found, f"axe violations in state {state!r}:\n" + json.dumps(found, indent=1)


def test_form_states_have_no_axe_violations(lab):
    page, panel = lab.page, lab.panel
    assert_accessible(lab, "empty", shots=True)

    # Validation errors: every required field flagged.
    panel.get_by_role("button", name="Save and authorize", exact=True).click()
    expect(panel.get_by_role("textbox", name="Name your connection", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(lab, "errors")

    # The scope picker, with a selected option and the active one marked (the list has focus).
    picker = open_scope_picker(panel)
    available = picker.get_by_role("listbox", name="Available scopes")
    available.focus()
    available.press("ArrowDown")
    available.press("Space")
    available.press("ArrowDown")
    expect(available.get_by_role("option", selected=True)).to_have_count(1)
    assert_accessible(lab, "scope-picker", shots=True)
    picker.get_by_role("button", name="Cancel", exact=True).click()
    expect(picker).to_be_hidden()

    # The client dialog.
    panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True).click()
    dialog = panel.get_by_role("dialog")
    expect(dialog.get_by_role("textbox", name="Client ID", exact=True)).to_be_visible()
    assert_accessible(lab, "client-dialog")
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => !document.querySelector('dialog[open]')")


_COLOURS_JS = """
(el) => {
  // Any CSS colour (color-mix() computes to color(srgb ...)) to {r,g,b,a}, through a canvas.
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (c) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return {r, g, b, a: a / 255};
  };
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c.a > 0.5) { bg = c; break; }
    node = node.parentElement;
  }
  // Text drawn at some transparency is seen blended with what is behind it.
  const fg = rgba(getComputedStyle(el).color);
  const mix = (k) => Math.round(fg[k] * fg.a + bg[k] * (1 - fg.a));
  return {background: bg, color: bg ? {r: mix('r'), g: mix('g'), b: mix('b'), a: 1} : fg};
}
"""


def effective_colours(locator) -> dict:
    return locator.evaluate(_COLOURS_JS)


def test_selected_scope_reads_well_in_the_dark_theme(lab):
    """A selected option is the theme's text on a tint (not white on light blue); the active one has a 2px outline."""
    from .lab_harness import contrast_ratio

    picker = open_scope_picker(lab.panel)
    available = picker.get_by_role("listbox", name="Available scopes")
    available.focus()
    available.press("Space")  # the first option: active and selected
    available.press("ArrowDown")  # the second: active only
    options = available.get_by_role("option")
    try:
        for theme in THEMES:
            set_theme(lab.page, theme)
            for what, option in {"selected": options.nth(0), "active": options.nth(1)}.items():
                colours = effective_colours(option)
                assert contrast_ratio(colours["color"], colours["background"]) >= 4.5, (theme, what, colours)
            outline = options.nth(1).evaluate("(e) => getComputedStyle(e).outlineWidth + ' ' + getComputedStyle(e).outlineStyle")
            assert outline == "2px solid", (theme, outline)
    finally:
        set_theme(lab.page, "JupyterLab Light")
    picker.get_by_role("button", name="Cancel", exact=True).click()


def test_redirect_rows_look_like_the_rest(lab):
    panel = lab.panel
    capture = panel.get_by_role("combobox", name="Redirect capture", exact=True)
    api_type = panel.get_by_role("combobox", name="API type", exact=True)
    size = lambda loc: loc.evaluate("(e) => [e.getBoundingClientRect().height, getComputedStyle(e).fontSize]")  # noqa: E731
    assert size(capture) == size(api_type)
    style = lambda loc: loc.evaluate(  # noqa: E731
        "(e) => [getComputedStyle(e).fontWeight, getComputedStyle(e).color, getComputedStyle(e).fontSize]"
    )
    assert style(panel.locator("label", has_text="Redirect capture")) == style(
        panel.locator("label", has_text="API type")
    )
    # The read-only Redirect URI: still a textbox with its copy button, but drawn without an input's box.
    redirect = panel.get_by_role("textbox", name="Redirect URI", exact=True)
    expect(redirect).not_to_be_editable()
    expect(panel.get_by_role("button", name="Copy redirect URI", exact=True)).to_be_visible()
    background, border = redirect.evaluate(
        "(e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderTopColor]"
    )
    assert background == "rgba(0, 0, 0, 0)" and border == "rgba(0, 0, 0, 0)", (background, border)


def test_a_long_client_id_stays_inside_a_narrow_panel(lab):
    page, panel = lab.page, lab.panel
    client_id = "0123456789abcdef" * 4  # 64 characters, like Lightspeed's
    lab.py(
        "from ls_widget import OAuthClient\n"
        f"OAuthClient('Wide client', {client_id!r}, 'a-secret').save()\n"
        "conn.oauth_client = 'Wide client'"
    )
    detail = panel.get_by_text(f"Client ID {client_id}")
    expect(detail).to_be_visible()
    expect(detail).to_have_attribute("title", client_id)
    # The panel at 480 px (a narrow notebook column, a side panel): nothing may stick out of it.
    panel.evaluate("(root) => { root.style.width = '480px'; }")
    try:
        detail.scroll_into_view_if_needed()
        widths = panel.evaluate(
            """(root) => {
              const panel = root.querySelector('.ls-panel');
              const box = panel.getBoundingClientRect();
              const over = [...panel.querySelectorAll('*')]
                .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > box.right + 0.5)
                .map((e) => e.className || e.tagName);
              return {width: box.width, scroll: panel.scrollWidth, client: panel.clientWidth, over};
            }"""
        )
        assert widths["width"] <= 480, widths
        assert widths["scroll"] <= widths["client"] and not widths["over"], widths
        shoot_doc(page, "narrow-480")
    finally:
        panel.evaluate("(root) => { root.style.width = ''; }")


def test_sign_in_states_have_no_axe_violations(sandbox_lab):
    lab = sandbox_lab()
    page, root = lab.page, lab.panel
    known = facts(page)
    save = root.get_by_role("button", name="Save and authorize", exact=True)
    status = root.get_by_role("status")

    # Authorizing: busy, with a way out.
    popup = click_authorize(root)
    lab.wait_value("conn.status", "authorizing")
    expect(save).to_be_disabled()
    cancel = root.get_by_role("button", name="Cancel sign-in", exact=True)
    expect(cancel).to_be_visible()
    assert_accessible(lab, "authorizing", shots=True)

    # Cancel: the window closes and the form is back.
    with popup.expect_event("close"):
        cancel.click()
    expect(cancel).to_be_hidden()
    expect(save).to_be_enabled()
    expect(status).to_contain_text("Not connected yet")

    # A new sign-in goes through; the form folds into the summary.
    answer_consent(click_authorize(root))
    expect(status).to_contain_text(connected_text(known))
    lab.wait_value("conn.status", "connected")
    summary = root.get_by_role("group", name="Sign-in")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Connected")
    expect(summary).to_contain_text(f"{known['account_name']} ({known['account_id']})")
    expect(save).to_be_hidden()  # no second sign-in offered while connected
    expect(root.get_by_role("textbox", name="Name your connection", exact=True)).to_be_hidden()
    edge = summary.evaluate("(e) => getComputedStyle(e).borderLeftWidth")
    assert edge == "4px", edge
    assert_accessible(lab, "connected", shots=True)

    # Edit connection shows the form again, and "Back to summary" returns without changing anything.
    summary.get_by_role("button", name="Edit connection", exact=True).click()
    name = root.get_by_role("textbox", name="Name your connection", exact=True)
    expect(name).to_be_visible()
    expect(name).to_be_focused()
    expect(summary).to_be_hidden()
    assert_accessible(lab, "editing")
    root.get_by_role("button", name="Back to summary", exact=True).click()
    expect(summary).to_be_visible()
    expect(summary.get_by_role("button", name="Edit connection", exact=True)).to_be_focused()
    assert lab.value("conn.status") == "connected"
