"""The panel in a real JupyterLab 4: it renders, both sides stay in sync, "Save and authorize" checks the form,
the redirect URI follows the capture rule, it reads well in the dark theme, and Notebook 7 shows it too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .lab_harness import (
    PANEL_CELL,
    contrast_ratio,
    doc_shots,
    effective_colours,
    notebook_state,
    open_scope_picker,
    relative_luminance,
    set_theme,
)

pytestmark = pytest.mark.browser

CALLBACK_PATH = "ls-widget/oauth/callback"


def test_panel_renders_with_every_control(lab):
    panel = lab.panel
    name = panel.get_by_role("textbox", name="Name your connection", exact=True)
    expect(name).to_be_visible()
    expect(name).to_have_value("")
    expect(name).to_be_editable()

    api_type = panel.get_by_role("combobox", name="API type", exact=True)
    expect(api_type).to_be_visible()
    expect(api_type.get_by_role("option")).to_have_text(["Lightspeed v2", "Lightspeed v3"])
    expect(api_type).to_have_value("v3")  # the default

    expect(panel.get_by_role("button", name="Edit scopes", exact=True)).to_be_visible()
    expect(panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Edit OAuth 2.0 client", exact=True)).to_be_visible()

    redirect = panel.get_by_role("textbox", name="Redirect URI", exact=True)
    expect(redirect).to_be_visible()
    expect(redirect).not_to_be_editable()  # read-only
    expect(redirect).not_to_have_value("")
    expect(panel.get_by_role("button", name="Copy redirect URI", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Save and authorize", exact=True)).to_be_visible()

    status = panel.get_by_role("status")
    expect(status).to_have_count(1)
    expect(status).to_have_attribute("aria-live", "polite")

    # Nothing red under the cell (e.g. a library's deprecation warning on import).
    stderr = lab.page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    expect(stderr).to_have_count(0)
    assert lab.value("conn.status") == "draft"
    lab.shoot("rendered")


def test_typing_a_name_updates_python(lab):
    before = notebook_state(lab.page)
    name = lab.panel.get_by_role("textbox", name="Name your connection", exact=True)
    name.click()
    # Letters that are notebook shortcuts in command mode (a, b, d d, m, x) must land in the textbox only.
    name.press_sequentially("Downtown store reports: abdd mx")
    name.press("Tab")
    lab.wait_value("conn.name", "Downtown store reports: abdd mx")
    expect(name).to_have_value("Downtown store reports: abdd mx")
    assert notebook_state(lab.page)["count"] == before["count"]


def test_python_assignment_updates_the_open_panel(lab):
    panel = lab.panel
    client_box = panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)
    expect(client_box).to_be_visible()

    lab.py(
        'conn.name = "Set from Python"\n'
        'conn.scopes = ["employee:inventory", "employee:inventory_read"]\n'
        'conn.api_type = "v2"'
    )
    expect(panel.get_by_role("textbox", name="Name your connection", exact=True)).to_have_value("Set from Python")
    expect(panel.get_by_role("combobox", name="API type", exact=True)).to_have_value("v2")
    expect(client_box).to_be_hidden()  # v2 uses the deployment's built-in client
    # The scope Lightspeed v2 lacks is dropped, and the live region says which.
    status = panel.get_by_role("status")
    expect(status).to_contain_text("employee:inventory_read")
    assert lab.value("conn.scopes") == ["employee:inventory"]
    chosen = panel.get_by_role("list", name="Chosen scopes")
    expect(chosen.get_by_role("listitem")).to_have_text(["employee:inventory"])
    lab.shoot("v2-from-python")

    # And back by clicking: the combobox updates Python, and the client field returns.
    panel.get_by_role("combobox", name="API type", exact=True).select_option(label="Lightspeed v3")
    lab.wait_value("conn.api_type", "v3")
    expect(client_box).to_be_visible()


def test_save_and_authorize_on_an_empty_form_shows_every_error(lab):
    panel = lab.panel
    panel.get_by_role("button", name="Save and authorize", exact=True).click()

    status = panel.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"Fix 3 fields"))
    for label in ("Name your connection", "Scopes", "OAuth 2.0 client"):
        expect(status).to_contain_text(label)

    name = panel.get_by_role("textbox", name="Name your connection", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile(r"Name your connection, e\.g\."))
    expect(name).to_be_focused()  # the first bad field
    expect(panel.get_by_role("group", name="Scopes")).to_have_attribute("aria-invalid", "true")
    expect(panel.get_by_role("button", name="Edit scopes", exact=True)).to_have_accessible_description(
        re.compile(r"at least one scope")
    )
    client_box = panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)
    expect(client_box).to_have_attribute("aria-invalid", "true")
    expect(client_box).to_have_accessible_description(re.compile(r"Choose an OAuth 2\.0 client"))
    lab.shoot("empty-form-errors")

    # Fixing a field clears its error at once.
    name.fill("Store reports")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    assert lab.value("conn.status") == "draft"  # no fake success


def test_python_errors_show_in_the_panel_when_the_panels_checks_pass(lab):
    """v2 without LS_WIDGET_V2_CLIENT_ID: the form is complete for the panel, but Python refuses."""
    panel = lab.panel
    assert lab.value("__import__('os').environ.get('LS_WIDGET_V2_CLIENT_ID')") is None
    panel.get_by_role("textbox", name="Name your connection", exact=True).fill("Legacy store")
    panel.get_by_role("combobox", name="API type", exact=True).select_option(label="Lightspeed v2")
    lab.wait_value("conn.api_type", "v2")
    lab.py('conn.scopes = ["employee:reports"]')
    expect(panel.get_by_role("list", name="Chosen scopes").get_by_role("listitem")).to_have_text(["employee:reports"])

    panel.get_by_role("button", name="Save and authorize", exact=True).click()
    lab.wait_value("sorted(conn._field_errors)", ["api_type"])
    error, field_error = lab.value("[conn.error, conn._field_errors['api_type']]")
    assert error and "LS_WIDGET_V2_CLIENT_ID" in field_error

    expect(panel.get_by_role("status")).to_contain_text(error)
    api_type = panel.get_by_role("combobox", name="API type", exact=True)
    expect(api_type).to_have_attribute("aria-invalid", "true")
    expect(api_type).to_have_accessible_description(re.compile(re.escape(field_error)))
    expect(panel.get_by_role("textbox", name="Name your connection", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    lab.shoot("python-field-error")


def test_copy_redirect_uri_and_the_capture_rule(lab):
    page, server, panel = lab.page, lab.server, lab.panel
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    redirect = panel.get_by_role("textbox", name="Redirect URI", exact=True)
    copy = panel.get_by_role("button", name="Copy redirect URI", exact=True)

    # An http page and Lightspeed's real (non-loopback) authorization host: paste mode.
    expect(redirect).to_have_value("https://localhost")
    lab.wait_value("conn.redirect_uri", "https://localhost")
    copy.click()
    expect(panel.get_by_role("status")).to_contain_text("copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == "https://localhost"

    # The Jupyter route, chosen in Python: origin + the server's base_url + the callback path.
    lab.py('conn.capture_mode = "jupyter"')
    callback = f"{server.origin}{server.base_url}{CALLBACK_PATH}"
    expect(redirect).to_have_value(callback)
    lab.wait_value("conn.redirect_uri", callback)
    expect(redirect).to_have_accessible_description(re.compile("HTTPS"))  # says plainly it is not HTTPS
    copy.click()
    page.wait_for_function("(v) => navigator.clipboard.readText().then(t => t === v)", arg=callback)
    lab.shoot("redirect-jupyter-route")


def test_redirect_uri_uses_the_jupyter_route_for_a_local_authorization_server(make_lab):
    lab = make_lab('import os\nos.environ["LS_WIDGET_AUTH_URL"] = "http://127.0.0.1:9"\n' + PANEL_CELL)
    callback = f"{lab.server.origin}{lab.server.base_url}{CALLBACK_PATH}"
    expect(lab.panel.get_by_role("textbox", name="Redirect URI", exact=True)).to_have_value(callback)
    lab.wait_value("conn.redirect_uri", callback)


def test_dark_theme_colours(lab):
    page, panel = lab.page, lab.panel
    lab.py('conn.name = "Dark store"\nconn.scopes = ["employee:reports", "employee:inventory_read"]')
    name = panel.get_by_role("textbox", name="Name your connection", exact=True)
    expect(name).to_have_value("Dark store")
    label = panel.locator("label", has_text="Name your connection")

    light = effective_colours(label)
    assert relative_luminance(light["background"]) > 0.6, light

    set_theme(page, "JupyterLab Dark")
    try:
        checks = {
            "label": label,
            "name textbox": name,
            "API type": panel.get_by_role("combobox", name="API type", exact=True),
            "status": panel.get_by_role("status"),
            "button": panel.get_by_role("button", name="Edit scopes", exact=True),
        }
        for what, element in checks.items():
            colours = effective_colours(element)
            assert colours["background"] is not None, what
            assert relative_luminance(colours["background"]) < 0.2, (what, colours)
            assert relative_luminance(colours["color"]) > 0.3, (what, colours)
            assert contrast_ratio(colours["color"], colours["background"]) >= 4.5, (what, colours)
        lab.shoot("dark")

        picker = open_scope_picker(panel)
        option = picker.get_by_role("listbox", name="Available scopes").get_by_role("option").first
        for what, element in {"picker dialog": picker, "scope option": option}.items():
            colours = effective_colours(element)
            assert relative_luminance(colours["background"]) < 0.2, (what, colours)
            assert contrast_ratio(colours["color"], colours["background"]) >= 4.5, (what, colours)
        lab.shoot("dark-scope-picker", whole_page=True)
        picker.get_by_role("button", name="Cancel", exact=True).click()
    finally:
        set_theme(page, "JupyterLab Light")


def test_notebook7_renders_the_same_panel(make_lab):
    lab = make_lab(app="notebook7")
    panel = lab.panel
    expect(panel.get_by_role("combobox", name="API type", exact=True)).to_have_value("v3")
    name = panel.get_by_role("textbox", name="Name your connection", exact=True)
    name.fill("Notebook 7 store")
    name.press("Enter")
    lab.wait_value("conn.name", "Notebook 7 store")
    lab.shoot("notebook7", whole_page=True)
    panel.screenshot(path=doc_shots("hosts") / "notebook7.png")  # the panel as each host shows it


def test_notebook7_keys_in_the_scope_picker_stay_in_the_picker(make_lab):
    lab = make_lab(app="notebook7")
    panel = lab.panel
    # Notebook 7 matches shortcuts in the capture phase: keys in the picker still stay in the picker.
    picker = open_scope_picker(panel)  # a click in the panel makes its cell the active one
    before = notebook_state(lab.page)
    available = picker.get_by_role("listbox", name="Available scopes")
    available.focus()
    for key in ("ArrowDown", "ArrowDown", "Space", "ArrowUp", "a", "b"):
        available.press(key)
    expect(available.get_by_role("option", selected=True)).to_have_count(1)
    after = notebook_state(lab.page)
    assert (after["active"], after["count"]) == (before["active"], before["count"]), (before, after)
