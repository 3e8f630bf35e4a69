"""The panel's Python half: traits, validation, and the messages the JS side sends."""

import json
import logging

import pytest
import traitlets

from ls_widget import LightspeedConnection, OAuthClient, oauth_clients

SECRET = "s3cr3t-Vf9q2"


def from_panel(widget, **state):
    """What model.set(...) + save_changes() in the browser delivers to the kernel."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []})


def message(widget, content):
    """What model.send(content) in the browser delivers to the kernel."""
    widget._handle_custom_msg(content, [])


@pytest.fixture
def sent(monkeypatch):
    """Messages Python sends to the panel."""
    outbox = []
    monkeypatch.setattr(LightspeedConnection, "send", lambda self, content, buffers=None: outbox.append(content))
    return outbox


def test_defaults_follow_the_contract():
    conn = LightspeedConnection()
    assert (conn.name, conn.api_type, conn.scopes, conn.oauth_client) == ("", "v3", [], None)
    assert (conn.status, conn.error, conn.redirect_uri, conn.account_id, conn.account_name) == ("draft", "", "", "", "")
    assert conn.capture_mode == "auto"
    assert set(conn._profiles) == {"v2", "v3"}


def test_unknown_keyword_arguments_raise_type_error():
    with pytest.raises(TypeError, match="colour"):
        LightspeedConnection(colour="blue")


def test_api_type_is_v2_or_v3():
    with pytest.raises(traitlets.TraitError):
        LightspeedConnection(api_type="v4")
    conn = LightspeedConnection()
    with pytest.raises(traitlets.TraitError):
        conn.api_type = "V3"


def test_scope_outside_the_catalog_names_the_valid_ones():
    with pytest.raises(traitlets.TraitError, match="employee:nope is not a Lightspeed v3 scope.*employee:workbench"):
        LightspeedConnection(scopes=["employee:nope"])
    with pytest.raises(traitlets.TraitError, match="employee:tags is not a Lightspeed v2 scope"):
        LightspeedConnection(api_type="v2", scopes=["employee:tags"])


def test_v2_only_scope_is_accepted_with_v2_in_the_constructor():
    conn = LightspeedConnection(api_type="v2", scopes=["employee:customers_credit_limit", "employee:all"])
    assert conn.scopes == ["employee:customers_credit_limit", "employee:all"]


def test_repeated_scopes_are_kept_once():
    assert LightspeedConnection(scopes=["employee:all", "employee:all"]).scopes == ["employee:all"]


def test_switching_api_type_drops_missing_scopes_and_says_which():
    conn = LightspeedConnection(scopes=["employee:tags", "employee:inventory_read", "employee:all", "employee:reports"])
    conn.api_type = "v2"
    assert conn.scopes == ["employee:all", "employee:reports"]
    assert "employee:tags" in conn._notice and "employee:inventory_read" in conn._notice
    assert "Lightspeed v2" in conn._notice


def test_switching_from_the_panel_drops_scopes_too():
    conn = LightspeedConnection(api_type="v2", scopes=["employee:customers_credit_limit", "employee:register"])
    from_panel(conn, api_type="v3")
    assert conn.api_type == "v3" and conn.scopes == ["employee:register"]
    assert "employee:customers_credit_limit" in conn._notice


def test_panel_edits_reach_python():
    conn = LightspeedConnection()
    from_panel(conn, name="Downtown", scopes=["employee:register_read"], redirect_uri="https://localhost")
    assert (conn.name, conn.scopes, conn.redirect_uri) == ("Downtown", ["employee:register_read"], "https://localhost")


def test_invalid_value_from_the_panel_is_refused_and_sent_back(monkeypatch):
    conn = LightspeedConnection(scopes=["employee:all"])
    resent = []
    monkeypatch.setattr(conn, "send_state", lambda key=None: resent.append(key))
    from_panel(conn, scopes=["employee:bogus"], name="Kept")
    assert conn.scopes == ["employee:all"] and conn.name == ""
    assert resent[-1] == ["scopes", "name"]
    assert "employee:bogus is not a Lightspeed v3 scope" in conn._notice


def test_oauth_client_must_be_stored_and_an_object_is_stored():
    with pytest.raises(traitlets.TraitError, match="No stored OAuth 2.0 client named 'Mine'"):
        LightspeedConnection(oauth_client="Mine")
    conn = LightspeedConnection(oauth_client=OAuthClient("Mine", "cid", SECRET))
    assert conn.oauth_client == "Mine" and oauth_clients() == ["Mine"]
    assert conn._clients == [{"name": "Mine", "client_id": "cid", "has_secret": True}]
    assert LightspeedConnection(oauth_client="Mine").oauth_client == "Mine"
    conn.oauth_client = ""
    assert conn.oauth_client is None


def test_save_client_message_stores_it_and_selects_it(sent, ls_home):
    conn = LightspeedConnection()
    message(conn, {"type": "save_client", "name": "Shop app", "client_id": "abc", "client_secret": SECRET,
                   "previous_name": None})
    assert sent == [{"type": "client_saved", "name": "Shop app"}]
    assert conn.oauth_client == "Shop app"
    assert OAuthClient.load("Shop app").client_secret == SECRET
    assert conn._clients == [{"name": "Shop app", "client_id": "abc", "has_secret": True}]


def test_editing_a_client_keeps_the_secret_when_left_blank_and_can_rename(sent):
    OAuthClient("Old", "abc", SECRET).save()
    conn = LightspeedConnection(oauth_client="Old")
    message(conn, {"type": "save_client", "name": "New", "client_id": "xyz", "client_secret": "",
                   "previous_name": "Old"})
    assert sent[-1] == {"type": "client_saved", "name": "New"}
    assert oauth_clients() == ["New"] and conn.oauth_client == "New"
    new = OAuthClient.load("New")
    assert (new.client_id, new.client_secret) == ("xyz", SECRET)


@pytest.mark.parametrize(
    "content, field, text",
    [
        ({"name": "", "client_id": "abc"}, "name", "Give the OAuth 2.0 client a name"),
        ({"name": "A", "client_id": ""}, "client_id", "Enter the client ID"),
        ({"name": "A", "client_id": "a b"}, "client_id", "cannot contain spaces"),
        ({"name": "Taken", "client_id": "abc"}, "name", "already exists"),
    ],
)
def test_bad_client_from_the_dialog_gets_a_field_error(sent, content, field, text):
    OAuthClient("Taken", "t").save()
    conn = LightspeedConnection()
    message(conn, {"type": "save_client", "client_secret": SECRET, "previous_name": None, **content})
    assert sent[-1]["type"] == "client_error" and sent[-1]["field"] == field and text in sent[-1]["message"]
    assert SECRET not in json.dumps(sent)
    assert oauth_clients() == ["Taken"]


def test_refresh_clients_picks_up_clients_added_elsewhere():
    conn = LightspeedConnection()
    OAuthClient("Later", "abc").save()
    message(conn, {"type": "refresh_clients"})
    assert [c["name"] for c in conn._clients] == ["Later"]


def test_authorize_with_an_empty_form_lists_every_problem(sent):
    conn = LightspeedConnection()
    message(conn, {"type": "authorize"})
    assert sent == [{"type": "authorize_failed", "message": "Fix 3 fields before authorizing."}]
    assert set(conn._field_errors) == {"name", "scopes", "oauth_client"}
    assert conn.error == "Fix 3 fields before authorizing."
    assert conn.status == "draft"


def test_field_error_clears_when_the_field_changes():
    conn = LightspeedConnection()
    message(conn, {"type": "authorize"})
    from_panel(conn, name="Downtown")
    assert "name" not in conn._field_errors and "scopes" in conn._field_errors


def test_v2_needs_the_deployments_builtin_client(monkeypatch):
    conn = LightspeedConnection(name="Legacy", api_type="v2", scopes=["employee:all"])
    message(conn, {"type": "authorize"})
    assert "LS_WIDGET_V2_CLIENT_ID" in conn._field_errors["api_type"]
    monkeypatch.setenv("LS_WIDGET_V2_CLIENT_ID", "builtin")
    message(conn, {"type": "authorize"})
    assert conn._field_errors == {} and conn.error == ""


def test_a_valid_form_starts_a_sign_in_and_hands_the_panel_the_url(sent):
    OAuthClient("Mine", "cid", SECRET).save()
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"], oauth_client="Mine")
    message(conn, {"type": "authorize"})
    assert conn._field_errors == {} and conn.error == ""
    assert conn.status == "authorizing" and conn.account_id == ""
    assert sent[-1]["type"] == "authorize_url"
    assert sent[-1]["url"].startswith("https://cloud.lightspeedapp.com/auth/oauth/authorize?")
    assert SECRET not in json.dumps(sent)


def test_a_client_deleted_after_choosing_it_is_reported():
    OAuthClient("Mine", "cid").save()
    conn = LightspeedConnection(name="x", scopes=["employee:all"], oauth_client="Mine")
    OAuthClient.delete("Mine")
    message(conn, {"type": "authorize"})
    assert "no longer stored" in conn._field_errors["oauth_client"]


def test_unknown_message_types_are_ignored_with_a_warning(caplog):
    conn = LightspeedConnection()
    with caplog.at_level(logging.WARNING):
        message(conn, {"type": "launch_rockets", "client_secret": SECRET})
    assert "launch_rockets" in caplog.text and SECRET not in caplog.text


def test_no_secret_in_state_repr_or_mimebundle(sent, caplog):
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"])
    with caplog.at_level(logging.DEBUG):
        message(conn, {"type": "save_client", "name": "Mine", "client_id": "cid", "client_secret": SECRET,
                       "previous_name": None})
    assert SECRET not in json.dumps(conn.get_state(), default=str)
    assert SECRET not in repr(conn)
    assert SECRET not in json.dumps(conn._repr_mimebundle_(), default=str)
    assert SECRET not in caplog.text
    assert SECRET not in json.dumps(sent)
    assert "Downtown" in repr(conn)


def test_read_only_state_cannot_be_set_from_python():
    conn = LightspeedConnection()
    with pytest.raises(traitlets.TraitError):
        conn.status = "connected"
