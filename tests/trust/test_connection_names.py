"""Group 4: a plain connection object owns the sign-in, bound to one stored name; renames never strand tokens.

Chosen behaviour (README, "Names"): ``rename()`` moves the saved settings and the tokens together (atomically for
the tokens); editing the ``name`` of a signed-in panel is refused with a message pointing at ``rename()``.
"""

from __future__ import annotations

import pytest
import traitlets

from ls_widget import ConfigurationError, LightspeedConnection, saved_connections
from ls_widget.connection import Connection
from ls_widget.token_store import TokenStore

from .conftest import connect

def token_files(ls_home) -> list[str]:
    return sorted(p.name for p in (ls_home / "tokens").glob("*.json"))


def test_the_plain_connection_signs_in_without_a_widget(box):
    conn = Connection("Script", "v3", ["employee:inventory_read"], box.client.save().name)
    session = conn.complete_authorization(box.approve(conn.authorization_url()))
    assert conn.status == "connected" and conn.bound_name == "Script"
    assert len(session.get("Item", limit=2)) == 2
    assert not hasattr(conn, "send")  # no widget machinery
    assert LightspeedConnection.load("Script").status == "connected"


def test_rename_moves_settings_and_tokens_then_disconnect_leaves_nothing(box, ls_home):
    conn = connect(box, name="Downtown")
    conn.rename("Uptown")
    assert conn.name == "Uptown" and saved_connections() == ["Uptown"]
    assert token_files(ls_home) == ["Uptown.json"]
    assert len(conn.session.get("Item", limit=1)) == 1
    assert LightspeedConnection.load("Uptown").status == "connected"
    conn.disconnect()
    assert token_files(ls_home) == []


def test_rename_to_a_saved_name_is_refused(box):
    connect(box, name="Uptown").save()
    conn = connect(box, name="Downtown")
    for taken in ("Uptown", "UPTOWN"):
        with pytest.raises(ConfigurationError, match="already exists"):
            conn.rename(taken)
    assert conn.name == "Downtown" and TokenStore("Downtown").load() is not None


def test_editing_the_name_of_a_signed_in_panel_is_refused_with_the_way_out(box, ls_home):
    conn = connect(box, name="Downtown")
    with pytest.raises(traitlets.TraitError, match=r"conn.rename\('new name'\)"):
        conn.name = "Renamed"
    # From the browser: the panel gets its name back and a notice.
    conn._handle_msg({"content": {"data": {"method": "update", "state": {"name": "Renamed"}, "buffer_paths": []}},
                      "buffers": []})
    assert conn.name == "Downtown" and "rename" in conn._notice
    conn.name = "  Downtown "  # the same record: allowed
    conn.disconnect()
    assert token_files(ls_home) == []
    conn.name = "Renamed"  # signed out: free again
    assert conn.name == "Renamed"


def test_a_name_with_surrounding_spaces_is_one_record_everywhere(box, ls_home):
    conn = connect(box, name="  Downtown  ")
    conn.save()
    assert saved_connections() == ["Downtown"] and token_files(ls_home) == ["Downtown.json"]
    for spelled in ("Downtown", "  Downtown  "):
        assert LightspeedConnection.load(spelled).status == "connected"


def test_a_name_that_cannot_be_stored_is_a_field_error_not_a_crash(box):
    conn = box.connection(name="con")  # a Windows device name: stored escaped, works everywhere
    conn.complete_authorization(box.approve(conn.authorization_url()))
    assert conn.status == "connected" and LightspeedConnection.load("con").status == "connected"
    bad = box.connection(name="line\nbreak")
    assert "name" in bad.validation_errors()
    with pytest.raises(ConfigurationError, match="line breaks"):
        bad.authorization_url()
