"""The OAuth 2.0 client dialog: add, edit, errors, and the secret kept out of everything but the 0600 store."""

from __future__ import annotations

import json
import re
import secrets
import stat
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from .lab_harness import add_client, execute_command, secret_input

pytestmark = pytest.mark.browser


def unique(prefix: str) -> str:
    # One LS_WIDGET_HOME serves the whole session: every test stores clients under its own names.
    return f"{prefix} {secrets.token_hex(3)}"


def stored_file(server, name: str):
    return server.ls_home / "clients" / (quote(name, safe=" -_") + ".json")


def test_add_a_client_through_the_dialog(lab):
    panel, server = lab.panel, lab.server
    name, client_id, secret = unique("Reporting notebook"), "a1b2c3d4e5f6", "s3cr3t-" + secrets.token_hex(8)

    panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True).click()
    dialog = panel.get_by_role("dialog", name="Add OAuth 2.0 client")
    expect(dialog).to_be_visible()
    name_box = dialog.get_by_role("textbox", name="Client name", exact=True)
    expect(name_box).to_be_focused()
    name_box.fill(name)
    dialog.get_by_role("textbox", name="Client ID", exact=True).fill(client_id)
    secret_box = secret_input(dialog)
    expect(secret_box).to_have_attribute("type", "password")
    secret_box.fill(secret)
    lab.shoot("client-dialog", whole_page=True)
    dialog.get_by_role("button", name="Save client", exact=True).click()
    expect(dialog).to_be_hidden()

    client_box = panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)
    expect(client_box).to_have_value(name)
    expect(client_box.get_by_role("option", name=name, exact=True)).to_have_count(1)
    lab.wait_value("conn.oauth_client", name)
    assert lab.value(
        f"(lambda c: [c.client_id, c.client_secret == {secret!r}])(__import__('ls_widget').OAuthClient.load({name!r}))"
    ) == [client_id, True]
    # The secret reached Python as a message only: no trait, no repr holds it.
    exposed = "repr(conn) + __import__('json').dumps(conn.get_state(), default=str) + str(conn._repr_mimebundle_())"
    assert lab.value(f"{secret!r} in {exposed}") is False

    path = stored_file(server, name)
    assert path.is_file(), sorted(p.name for p in path.parent.iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["client_secret"] == secret
    lab.shoot("client-added")


def test_invalid_client_submits_show_errors_in_the_dialog(lab):
    panel = lab.panel
    panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True).click()
    dialog = panel.get_by_role("dialog", name="Add OAuth 2.0 client")
    name_box = dialog.get_by_role("textbox", name="Client name", exact=True)
    id_box = dialog.get_by_role("textbox", name="Client ID", exact=True)
    save = dialog.get_by_role("button", name="Save client", exact=True)

    # Empty: the panel's own checks.
    save.click()
    expect(dialog).to_be_visible()
    expect(name_box).to_have_attribute("aria-invalid", "true")
    expect(name_box).to_have_accessible_description(re.compile("name", re.I))
    expect(id_box).to_have_attribute("aria-invalid", "true")
    expect(name_box).to_be_focused()

    # A client ID with a space passes the panel but not Python: Python's message lands on the field.
    name = unique("Bad id client")
    name_box.fill(name)
    id_box.fill("abc def")
    secret_input(dialog).fill("never-stored")
    save.click()
    expect(id_box).to_have_attribute("aria-invalid", "true")
    expect(id_box).to_have_accessible_description(re.compile("spaces"))
    expect(name_box).not_to_have_attribute("aria-invalid", "true")
    expect(dialog).to_be_visible()
    lab.shoot("client-dialog-error", whole_page=True)
    assert lab.value(f"{name!r} in __import__('ls_widget').oauth_clients()") is False

    # Escape closes without saving and forgets what was typed.
    secret_box = secret_input(dialog)
    secret_box.press("Escape")
    expect(dialog).to_be_hidden()
    panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True).click()
    expect(dialog).to_be_visible()
    expect(name_box).to_have_value("")
    expect(secret_input(dialog)).to_have_value("")
    expect(id_box).not_to_have_attribute("aria-invalid", "true")
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()


def test_duplicate_client_name_is_refused(lab):
    name = unique("Twice")
    lab.py(f"__import__('ls_widget').OAuthClient({name!r}, 'first-id', 'first-secret').save()")
    panel = lab.panel
    panel.get_by_role("button", name="Add OAuth 2.0 client", exact=True).click()
    dialog = panel.get_by_role("dialog", name="Add OAuth 2.0 client")
    dialog.get_by_role("textbox", name="Client name", exact=True).fill(name)
    dialog.get_by_role("textbox", name="Client ID", exact=True).fill("second-id")
    dialog.get_by_role("button", name="Save client", exact=True).click()
    expect(dialog.get_by_role("textbox", name="Client name", exact=True)).to_have_accessible_description(
        re.compile("already exists")
    )
    assert lab.value(f"__import__('ls_widget').OAuthClient.load({name!r}).client_id") == "first-id"


def test_edit_client_prefills_name_and_id_but_never_the_secret(lab):
    panel = lab.panel
    name, secret = unique("Editable"), "keep-me-" + secrets.token_hex(6)
    add_client(panel, name, "old-client-id", secret)
    expect(panel.get_by_role("combobox", name="OAuth 2.0 client", exact=True)).to_have_value(name)

    panel.get_by_role("button", name="Edit OAuth 2.0 client", exact=True).click()
    dialog = panel.get_by_role("dialog", name="Edit OAuth 2.0 client")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Client name", exact=True)).to_have_value(name)
    expect(dialog.get_by_role("textbox", name="Client ID", exact=True)).to_have_value("old-client-id")
    expect(secret_input(dialog)).to_have_value("")
    assert secret not in dialog.inner_html()
    lab.shoot("client-edit", whole_page=True)

    # A blank secret while editing keeps the stored one.
    dialog.get_by_role("textbox", name="Client ID", exact=True).fill("new-client-id")
    dialog.get_by_role("button", name="Save client", exact=True).click()
    expect(dialog).to_be_hidden()
    lab.wait_value(f"__import__('ls_widget').OAuthClient.load({name!r}).client_id", "new-client-id")
    assert lab.value(f"__import__('ls_widget').OAuthClient.load({name!r}).client_secret == {secret!r}") is True


def test_saved_notebook_holds_no_secret(lab):
    panel, server = lab.panel, lab.server
    name, secret = unique("Saved notebook client"), "nb-secret-" + secrets.token_hex(8)
    panel.get_by_role("textbox", name="Name your connection", exact=True).fill("Saved store")
    add_client(panel, name, "saved-client-id", secret)
    lab.wait_value("conn.oauth_client", name)
    lab.wait_value("conn.name", "Saved store")

    path = server.root_dir / lab.name
    before = path.stat().st_mtime_ns
    execute_command(lab.page, "docmanager:save")
    assert path.stat().st_mtime_ns != before
    text = path.read_text()
    assert secret not in text
    # The widget state was saved too (so the check above covered it), with the connection's public fields.
    state = json.loads(text)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    ours = [m["state"] for m in state.values() if m["state"].get("name") == "Saved store"]
    assert ours and ours[0]["oauth_client"] == name
    # Nor anywhere on disk under the server's root (checkpoints included).
    for file in server.root_dir.rglob("*"):
        if file.is_file():
            assert secret not in file.read_text(errors="replace"), file
