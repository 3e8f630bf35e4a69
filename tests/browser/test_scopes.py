"""The scope picker: two listboxes and the move buttons, by mouse and by keyboard, saved to Python or discarded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .lab_harness import notebook_state, open_scope_picker, option_names, scope_picker

pytestmark = pytest.mark.browser

V3_SCOPE_COUNT = 30


def lists(picker):
    return (
        picker.get_by_role("listbox", name="Available scopes", exact=True),
        picker.get_by_role("listbox", name="Selected scopes", exact=True),
    )


def option(listbox, scope_id: str):
    return listbox.get_by_role("option", name=scope_id, exact=True)


def test_pick_scopes_with_the_mouse_and_save(lab):
    panel = lab.panel
    picker = open_scope_picker(panel)
    available, selected = lists(picker)
    expect(available.get_by_role("option")).to_have_count(V3_SCOPE_COUNT)
    expect(selected.get_by_role("option")).to_have_count(0)
    # Each option says what the scope allows.
    expect(option(available, "employee:inventory_read")).to_have_accessible_description("View items and inventory.")

    # Click selects one, Ctrl+click adds another (further down the list); "Add selected scopes" moves both.
    option(available, "employee:admin").click()
    option(available, "employee:reports").click(modifiers=["Control"])
    expect(available.get_by_role("option", selected=True)).to_have_count(2)
    picker.get_by_role("button", name="Add selected scopes", exact=True).click()
    expect(available.get_by_role("option")).to_have_count(V3_SCOPE_COUNT - 2)
    assert option_names(selected) == ["employee:admin", "employee:reports"]  # catalog order

    # The filter narrows the available list by id or description.
    picker.get_by_role("textbox", name="Filter scopes", exact=True).fill("customers_read")
    expect(available.get_by_role("option")).to_have_count(1)
    option(available, "employee:customers_read").click()
    picker.get_by_role("button", name="Add selected scopes", exact=True).click()
    expect(option(selected, "employee:customers_read")).to_be_visible()
    lab.shoot("picker-chosen", whole_page=True)

    # Remove one again.
    option(selected, "employee:admin").click()
    picker.get_by_role("button", name="Remove selected scopes", exact=True).click()
    expect(option(selected, "employee:admin")).to_have_count(0)
    expect(option(available, "employee:admin")).to_have_count(0)  # still filtered out of view
    picker.get_by_role("textbox", name="Filter scopes", exact=True).fill("")
    expect(option(available, "employee:admin")).to_be_visible()

    picker.get_by_role("button", name="Save scopes", exact=True).click()
    expect(picker).to_be_hidden()
    lab.wait_value("conn.scopes", ["employee:customers_read", "employee:reports"])
    chips = panel.get_by_role("list", name="Chosen scopes").get_by_role("listitem")
    expect(chips).to_have_text(["employee:customers_read", "employee:reports"])
    lab.shoot("scopes-saved")


def test_first_click_on_a_scope_further_down_selects_it(lab):
    """The list must not jump when the click that focuses it lands on an option below the first screenful."""
    picker = open_scope_picker(lab.panel)
    available, _ = lists(picker)
    target = option(available, "employee:reports")
    target.click()
    expect(target).to_have_attribute("aria-selected", "true", timeout=5_000)  # the click handler selects at once
    expect(available.get_by_role("option", selected=True)).to_have_count(1)


def test_add_all_and_remove_all(lab):
    picker = open_scope_picker(lab.panel)
    available, selected = lists(picker)
    picker.get_by_role("button", name="Add all scopes", exact=True).click()
    expect(selected.get_by_role("option")).to_have_count(V3_SCOPE_COUNT)
    expect(available.get_by_role("option")).to_have_count(0)
    picker.get_by_role("button", name="Remove all scopes", exact=True).click()
    expect(available.get_by_role("option")).to_have_count(V3_SCOPE_COUNT)
    expect(selected.get_by_role("option")).to_have_count(0)
    picker.get_by_role("button", name="Add all scopes", exact=True).click()
    picker.get_by_role("button", name="Save scopes", exact=True).click()
    expect(picker).to_be_hidden()
    scopes = lab.wait_value("len(conn.scopes)", V3_SCOPE_COUNT)
    assert scopes == V3_SCOPE_COUNT


def test_pick_scopes_with_the_keyboard_leaves_the_notebook_alone(lab):
    panel, page = lab.panel, lab.page
    edit = panel.get_by_role("button", name="Edit scopes", exact=True)
    edit.focus()
    edit.press("Enter")  # Enter on a button opens the picker
    picker = scope_picker(panel)
    expect(picker).to_be_visible()
    filter_box = picker.get_by_role("textbox", name="Filter scopes", exact=True)
    expect(filter_box).to_be_focused()
    before = notebook_state(page)

    available, selected = lists(picker)
    # Down from the filter enters the list; Down again moves, Space selects, Shift+Down extends.
    filter_box.press("ArrowDown")
    expect(available).to_be_focused()
    for key in ("ArrowDown", "Space", "ArrowDown", "Shift+ArrowDown", "ArrowUp", "ArrowDown"):
        page.keyboard.press(key)
    chosen = available.get_by_role("option", selected=True)
    expect(chosen).to_have_count(3)
    picked = chosen.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    names = option_names(available)
    assert picked == names[1:4], (picked, names[:5])

    # Notebook shortcuts (a: insert above, b: insert below, m: to markdown) must not fire from the list.
    for key in ("a", "b", "m", "Home", "End", "Home"):
        page.keyboard.press(key)
    assert notebook_state(page) == before

    add_selected = picker.get_by_role("button", name="Add selected scopes", exact=True)
    add_selected.focus()
    page.keyboard.press("Enter")
    expect(selected.get_by_role("option")).to_have_count(3)
    assert option_names(selected) == picked

    # In the selected list: focus lands on the first option, Space toggles it, Space on the button removes it.
    selected.focus()
    page.keyboard.press("Space")
    expect(selected.get_by_role("option", selected=True)).to_have_count(1)
    remove_selected = picker.get_by_role("button", name="Remove selected scopes", exact=True)
    remove_selected.focus()
    page.keyboard.press("Space")
    expect(selected.get_by_role("option")).to_have_count(2)
    assert notebook_state(page) == before

    save = picker.get_by_role("button", name="Save scopes", exact=True)
    save.focus()
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    lab.wait_value("conn.scopes", picked[1:])
    expect(edit).to_be_focused()  # focus returns to the opener
    assert notebook_state(page) == before


def test_cancel_and_escape_discard_changes(lab):
    panel = lab.panel
    lab.py('conn.scopes = ["employee:reports"]')
    chips = panel.get_by_role("list", name="Chosen scopes").get_by_role("listitem")
    expect(chips).to_have_text(["employee:reports"])

    # Escape discards.
    picker = open_scope_picker(panel)
    available, selected = lists(picker)
    expect(selected.get_by_role("option")).to_have_count(1)
    picker.get_by_role("button", name="Add all scopes", exact=True).click()
    expect(selected.get_by_role("option")).to_have_count(V3_SCOPE_COUNT)
    available.focus()
    lab.page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(panel.get_by_role("button", name="Edit scopes", exact=True)).to_be_focused()
    expect(chips).to_have_text(["employee:reports"])
    assert lab.value("conn.scopes") == ["employee:reports"]

    # Reopening shows the saved scopes, not the discarded edit; Cancel discards too.
    picker = open_scope_picker(panel)
    available, selected = lists(picker)
    assert option_names(selected) == ["employee:reports"]
    picker.get_by_role("button", name="Remove all scopes", exact=True).click()
    expect(selected.get_by_role("option")).to_have_count(0)
    picker.get_by_role("button", name="Cancel", exact=True).click()
    expect(picker).to_be_hidden()
    expect(chips).to_have_text(["employee:reports"])
    assert lab.value("conn.scopes") == ["employee:reports"]
