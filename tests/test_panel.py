"""The panel's Python half: traits, validation, and the messages the JS side sends."""

import json
import logging

import pytest
import traitlets

from ls_widget import LightspeedConnection, NotConnectedError, OAuthClient, oauth_clients

SECRET = "s3cr3t-Vf9q2"


def from_panel(widget, **state):
    """What model.set(...) + save_changes() in the browser delivers to the kernel."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []})


def message(widget, content):
    """What model.send(content) in the browser delivers to the kernel."""
    widget._handle_custom_msg(content, [])


def request(widget, sent, content, id_="view1-1"):
    """A request as the panel makes it (kernel_link.js adds the id); returns Python's reply to that id."""
    before = len(sent)
    message(widget, {**content, "id": id_})
    replies = [m for m in sent[before:] if m.get("id") == id_]
    assert len(replies) == 1, sent[before:]
    return replies[0]


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


WRONG_SETTINGS = [
    ({"scopes": None}, "scopes must be a list of scope ids.*not None"),
    ({"scopes": "employee:all"}, r"scopes must be a list.*\['employee:all'\], not one string"),  # never split
    ({"scopes": 5}, "scopes must be a list"),
    ({"scopes": ["employee:all", None]}, "scopes must hold scope ids"),
    ({"name": None}, "name"),
    ({"name": 5}, "name"),
    ({"api_type": None}, "api_type"),
    ({"api_type": "v4"}, "api_type"),
    ({"oauth_client": 5}, "oauth_client"),
]


@pytest.mark.parametrize("settings, message", WRONG_SETTINGS, ids=lambda v: repr(v) if isinstance(v, dict) else "")
def test_wrong_types_in_the_panel_raise_trait_error_naming_the_field(settings, message):
    with pytest.raises(traitlets.TraitError, match=message):
        LightspeedConnection(**settings)


@pytest.mark.parametrize("settings, message", WRONG_SETTINGS + [({"capture_mode": "popup"}, "capture_mode")],
                         ids=lambda v: repr(v) if isinstance(v, dict) else "")
def test_wrong_types_in_a_plain_connection_raise_configuration_error_naming_the_field(settings, message):
    from ls_widget import ConfigurationError
    from ls_widget.connection import Connection

    with pytest.raises(ConfigurationError, match=message):
        Connection(**settings)
    conn = Connection("Downtown", scopes=["employee:all"])
    with pytest.raises(ConfigurationError, match=message):  # assigning later is checked the same way
        for field, value in settings.items():
            setattr(conn, field, value)
    assert (conn.name, conn.api_type, conn.scopes, conn.oauth_client) == ("Downtown", "v3", ["employee:all"], None)


def test_a_plain_connection_takes_any_iterable_of_scopes_and_names_unknown_ones(ls_home):
    from ls_widget import ConfigurationError
    from ls_widget.connection import Connection

    assert Connection(scopes=("employee:all",)).scopes == ["employee:all"]
    assert LightspeedConnection(scopes=(s for s in ["employee:all"])).scopes == ["employee:all"]
    with pytest.raises(ConfigurationError, match="employee:nope is not a Lightspeed v3 scope.*employee:workbench"):
        Connection("Downtown", scopes=["employee:nope"])
    # A saved record may name a scope the catalogue has since dropped: it loads, and signing in names it.
    Connection("Downtown", scopes=["employee:all"]).save()
    record = json.loads((ls_home / "connections" / "Downtown.json").read_text())
    (ls_home / "connections" / "Downtown.json").write_text(json.dumps({**record, "scopes": ["employee:nope"]}))
    problems = Connection.load("Downtown").validation_errors()
    assert "employee:nope is not a Lightspeed v3 scope" in problems["scopes"]


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


def test_settings_from_the_panel_are_one_change_of_the_connection():
    conn = LightspeedConnection(scopes=["employee:tags"])
    heard = []
    conn.connection.subscribe(lambda connection: heard.append(connection.api_type))
    from_panel(conn, api_type="v2", scopes=["employee:customers_credit_limit"])  # a v2-only scope, sent with v2
    assert (conn.api_type, conn.scopes) == ("v2", ["employee:customers_credit_limit"]) and heard == ["v2"]
    assert conn._notice == ""  # nothing dropped: the scopes came with the API type


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
    assert conn._client == {"name": "Mine", "client_id": "cid", "has_secret": True}
    assert LightspeedConnection(oauth_client="Mine").oauth_client == "Mine"
    conn.oauth_client = ""
    assert conn.oauth_client is None


def test_save_client_request_stores_it_selects_it_and_answers_with_the_list(sent, ls_home):
    OAuthClient("Other", "other-id").save()
    conn = LightspeedConnection()
    reply = request(conn, sent, {"type": "save_client", "name": "Shop app", "client_id": "abc",
                                 "client_secret": SECRET, "previous_name": None})
    assert reply == {"type": "save_client_reply", "id": "view1-1", "ok": True, "name": "Shop app",
                     "clients": [{"name": "Other", "client_id": "other-id", "has_secret": False},
                                 {"name": "Shop app", "client_id": "abc", "has_secret": True}],
                     "problems": []}
    assert conn.oauth_client == "Shop app"
    assert OAuthClient.load("Shop app").client_secret == SECRET
    assert conn._client == {"name": "Shop app", "client_id": "abc", "has_secret": True}


def test_editing_a_client_keeps_the_secret_when_left_blank_and_can_rename(sent):
    OAuthClient("Old", "abc", SECRET).save()
    conn = LightspeedConnection(oauth_client="Old")
    reply = request(conn, sent, {"type": "save_client", "name": "New", "client_id": "xyz", "client_secret": "",
                                 "previous_name": "Old"})
    assert reply["ok"] is True and reply["name"] == "New"
    assert oauth_clients() == ["New"] and conn.oauth_client == "New"
    new = OAuthClient.load("New")
    assert (new.client_id, new.client_secret) == ("xyz", SECRET)
    assert conn._client == {"name": "New", "client_id": "xyz", "has_secret": True}


def test_editing_the_chosen_clients_id_under_the_same_name_updates_its_display_data(sent):
    OAuthClient("Mine", "old-id").save()
    conn = LightspeedConnection(oauth_client="Mine")
    request(conn, sent, {"type": "save_client", "name": "Mine", "client_id": "new-id", "client_secret": "",
                         "previous_name": "Mine"})
    assert conn._client == {"name": "Mine", "client_id": "new-id", "has_secret": False}


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
    reply = request(conn, sent, {"type": "save_client", "client_secret": SECRET, "previous_name": None, **content})
    assert reply["type"] == "save_client_reply" and reply["ok"] is False
    assert reply["field"] == field and text in reply["error"]
    assert SECRET not in json.dumps(sent)
    assert oauth_clients() == ["Taken"]


def test_list_clients_answers_the_request_with_its_id_and_picks_up_clients_added_elsewhere(sent):
    conn = LightspeedConnection()
    OAuthClient("Later", "abc").save()
    reply = request(conn, sent, {"type": "list_clients"}, id_="3f9a0c1b2d4e5f60-7")
    assert reply == {"type": "list_clients_reply", "id": "3f9a0c1b2d4e5f60-7", "ok": True,
                     "clients": [{"name": "Later", "client_id": "abc", "has_secret": False}], "problems": []}


def test_two_views_asking_at_once_each_get_their_own_answer(sent):
    OAuthClient("A", "a-id").save()
    conn = LightspeedConnection()
    first = request(conn, sent, {"type": "list_clients"}, id_="viewA-1")
    second = request(conn, sent, {"type": "list_clients"}, id_="viewB-1")
    assert (first["id"], second["id"]) == ("viewA-1", "viewB-1")
    assert first["clients"] == second["clients"]


def test_the_chosen_clients_display_data_follows_the_store(sent):
    OAuthClient("Mine", "cid").save()
    conn = LightspeedConnection(oauth_client="Mine")
    OAuthClient("Mine", "edited-elsewhere", SECRET).save()
    request(conn, sent, {"type": "list_clients"})  # the panel asks when it opens its list: the chosen one refreshes
    assert conn._client == {"name": "Mine", "client_id": "edited-elsewhere", "has_secret": True}
    conn.api_type = "v2"  # the deployment's built-in client: nothing about the analyst's own
    assert conn._client is None
    conn.api_type = "v3"
    assert conn._client["name"] == "Mine"
    conn.oauth_client = None
    assert conn._client is None


def test_a_broken_client_file_is_named_in_the_reply_not_in_the_state(sent, ls_home):
    OAuthClient("Good", "good-id").save()
    (ls_home / "clients" / "Broken.json").write_text('{"name": "Broken", "client_id": ')
    conn = LightspeedConnection()
    reply = request(conn, sent, {"type": "list_clients"})
    assert [c["name"] for c in reply["clients"]] == ["Good"]
    assert len(reply["problems"]) == 1 and "Broken.json" in reply["problems"][0]
    assert "Broken" not in json.dumps(conn.get_state(), default=str)


def test_the_state_holds_only_the_chosen_client_never_the_others(sent):
    others = [OAuthClient(f"Other project {i}", f"other-client-id-{i}", f"other-secret-{i}") for i in range(3)]
    for client in others:
        client.save()
    OAuthClient("Chosen", "chosen-client-id", SECRET).save()
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"], oauth_client="Chosen")
    # The panel's traffic of a whole session: lists, a failed save, a sign-in start, a bogus choice.
    request(conn, sent, {"type": "list_clients"}, id_="v-1")
    request(conn, sent, {"type": "save_client", "name": "Other project 0", "client_id": "x", "client_secret": "",
                         "previous_name": None}, id_="v-2")
    request(conn, sent, {"type": "authorize"}, id_="v-3")
    from_panel(conn, oauth_client="No such client")
    assert "No such client" in conn._notice
    state = json.dumps(conn.get_state(), default=str)
    assert "chosen-client-id" in state and '"_client"' in state
    for client in others:
        assert client.name not in state and client.client_id not in state
    assert "_clients" not in conn.get_state()
    assert SECRET not in state
    # Nor in what a notebook keeps of the output: the mimebundle.
    bundle = json.dumps(conn._repr_mimebundle_(), default=str)
    for client in others:
        assert client.name not in bundle and client.client_id not in bundle
    # The list did go to the panel, in a message, which is never saved.
    assert any(c["name"] == "Other project 1" for c in sent[0]["clients"])


def test_authorize_with_an_empty_form_lists_every_problem(sent):
    conn = LightspeedConnection()
    reply = request(conn, sent, {"type": "authorize"})
    assert reply == {"type": "authorize_reply", "id": "view1-1", "ok": False,
                     "error": "Fix 3 fields before authorizing."}
    assert set(conn._field_errors) == {"name", "scopes", "oauth_client"}
    assert conn.error == "Fix 3 fields before authorizing."
    assert conn.status == "draft"


def test_field_error_clears_when_the_field_changes(sent):
    conn = LightspeedConnection()
    request(conn, sent, {"type": "authorize"})
    from_panel(conn, name="Downtown")
    assert "name" not in conn._field_errors and "scopes" in conn._field_errors


def test_v2_needs_the_deployments_builtin_client(monkeypatch, sent):
    conn = LightspeedConnection(name="Legacy", api_type="v2", scopes=["employee:all"])
    request(conn, sent, {"type": "authorize"}, id_="a-1")
    assert "LS_WIDGET_V2_CLIENT_ID" in conn._field_errors["api_type"]
    monkeypatch.setenv("LS_WIDGET_V2_CLIENT_ID", "builtin")
    request(conn, sent, {"type": "authorize"}, id_="a-2")
    assert conn._field_errors == {} and conn.error == ""


def test_a_valid_form_starts_a_sign_in_and_hands_the_panel_the_url(sent):
    OAuthClient("Mine", "cid", SECRET).save()
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"], oauth_client="Mine")
    reply = request(conn, sent, {"type": "authorize"})
    assert conn._field_errors == {} and conn.error == ""
    assert conn.status == "authorizing" and conn.account_id == ""
    assert reply["type"] == "authorize_reply" and reply["ok"] is True
    assert reply["url"].startswith("https://cloud.lightspeedapp.com/auth/oauth/authorize?")
    assert SECRET not in json.dumps(sent)


def test_a_client_deleted_after_choosing_it_is_reported(sent):
    OAuthClient("Mine", "cid").save()
    conn = LightspeedConnection(name="x", scopes=["employee:all"], oauth_client="Mine")
    OAuthClient.delete("Mine")
    request(conn, sent, {"type": "authorize"})
    assert "no longer stored" in conn._field_errors["oauth_client"]


def test_a_message_type_has_one_handler():
    from ls_widget import panel_messages

    with pytest.raises(ValueError, match="'cancel' already has a handler"):
        panel_messages.request("cancel")(lambda controller, content, id_: None)  # one-way already
    assert "cancel" not in panel_messages.REQUESTS and "cancel" in panel_messages.ONE_WAY


def test_unknown_message_types_are_ignored_with_a_warning(caplog, sent):
    conn = LightspeedConnection()
    with caplog.at_level(logging.WARNING):
        message(conn, {"type": "launch_rockets", "client_secret": SECRET})
    assert "launch_rockets" in caplog.text and SECRET not in caplog.text
    assert sent == []


def test_an_unknown_request_with_an_id_gets_an_error_reply(sent):
    conn = LightspeedConnection()
    reply = request(conn, sent, {"type": "refresh_clients"}, id_="old-panel-1")  # what an older panel sent
    assert reply == {"type": "error_reply", "id": "old-panel-1", "ok": False, "error": reply["error"]}
    assert "refresh_clients" in reply["error"]


@pytest.mark.parametrize(
    "content",
    [
        None, "list_clients", 42, ["list_clients"], {}, {"type": None}, {"type": 7, "id": "x-1"},
        {"type": "list_clients"},  # no id: no answer could find its view
        {"type": "list_clients", "id": 5},
        {"type": "list_clients", "id": ""},
        {"type": "list_clients", "id": "x" * 101},
        {"type": "authorize", "id": "has space"},
        {"type": "save_client", "id": ["x"], "name": "A", "client_id": "a"},
        {"type": "authorize", "id": None},
    ],
)
def test_malformed_messages_are_ignored_never_raised(sent, caplog, content):
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"])
    with caplog.at_level(logging.WARNING):
        message(conn, content)
    assert all(m["type"] == "error_reply" and m["ok"] is False for m in sent)  # at most an error reply
    assert conn.status == "draft" and oauth_clients() == []  # nothing was done for a request without a usable id


@pytest.mark.parametrize(
    "content",
    [
        {"type": "save_client", "id": "s-1"},  # no fields at all
        {"type": "save_client", "id": "s-1", "name": 5, "client_id": None, "client_secret": 7, "previous_name": []},
        {"type": "complete", "url": 42},
        {"type": "redirect", "code": ["x"], "state": {"a": 1}},
        {"type": "disconnect", "id": "d-1", "extra": object()},
    ],
)
def test_requests_with_bad_fields_get_an_answer_not_an_exception(sent, content):
    conn = LightspeedConnection()
    message(conn, content)
    if content["type"] == "save_client":
        assert sent[-1]["type"] == "save_client_reply" and sent[-1]["id"] == "s-1" and sent[-1]["ok"] is False


def test_a_failing_handler_answers_with_an_error_reply_and_logs_it(sent, caplog, monkeypatch):
    conn = LightspeedConnection()

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(conn.connection, "validation_errors", broken)
    with caplog.at_level(logging.ERROR):
        reply = request(conn, sent, {"type": "authorize"}, id_="b-1")
    assert reply["type"] == "error_reply" and reply["id"] == "b-1" and reply["ok"] is False
    assert "disk on fire" not in reply["error"]  # the details go to the kernel's log, not into the page
    assert "disk on fire" in caplog.text


def test_no_secret_in_state_repr_or_mimebundle(sent, caplog):
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"])
    with caplog.at_level(logging.DEBUG):
        request(conn, sent, {"type": "save_client", "name": "Mine", "client_id": "cid", "client_secret": SECRET,
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


def test_text_plain_says_what_the_panel_is(monkeypatch):
    conn = LightspeedConnection(name="Downtown")
    data, _metadata = conn._repr_mimebundle_()
    assert data["text/plain"] == (
        "Lightspeed connection panel 'Downtown' (v3, not connected yet): open this notebook in Jupyter to use it"
    )
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == conn.model_id
    conn._connection._set(status="connected", account_id="12345", account_name="Downtown Store")
    assert conn._repr_mimebundle_()[0]["text/plain"] == (
        "Lightspeed connection panel 'Downtown' (v3, connected to Downtown Store (12345)): "
        "open this notebook in Jupyter to use it"
    )
    assert LightspeedConnection(api_type="v2")._repr_mimebundle_()[0]["text/plain"].startswith(
        "Lightspeed connection panel (v2, not connected yet)"
    )


def test_an_error_about_a_missing_client_names_no_other_client():
    OAuthClient("Other project", "other-id").save()
    OAuthClient("Mine", "cid").save()
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"], oauth_client="Mine")
    OAuthClient.delete("Mine")
    message(conn, {"type": "complete", "url": "https://localhost/?code=abc&state=xyz"})
    assert "'Mine'" in conn.error  # the panel says what went wrong, without naming another project's client
    assert "Other project" not in json.dumps(conn.get_state(), default=str)


# -- one source for what both halves know: Python (scripts/panel_fixture.py generates the JS side) ------------------
_ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _panel_fixture():
    import importlib.util

    spec = importlib.util.spec_from_file_location("panel_fixture", _ROOT / "scripts" / "panel_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_js_files_are_up_to_date():
    """js/constants.js (bundled) and js/fixtures/panel_state.json (the vitest fake model's traits) are Python's."""
    fixture = _panel_fixture()
    for path, text in fixture.outputs().items():
        name = path.relative_to(_ROOT)
        assert path.exists(), f"{name} is missing: run {fixture.COMMAND}"
        assert path.read_text(encoding="utf-8") == text, f"{name} is out of date: run {fixture.COMMAND}"


def test_fixture_is_a_fresh_panels_state_with_the_catalog_and_nothing_machine_specific():
    from ls_widget import profiles

    state = _panel_fixture().panel_state()
    assert state["_profiles"] == profiles.panel_catalog()
    assert {t: p["code_lifetime"] for t, p in state["_profiles"].items()} == {"v2": 30, "v3": 60}
    assert state["api_type"] == "v3" and state["status"] == "draft" and state["_auth_host_loopback"] is False
    # anywidget's plumbing (the bundle, module versions, layout references with random ids) stays out.
    assert not {"_esm", "_css", "_anywidget_id", "layout", "_model_module", "_view_module"} & set(state)
    assert set(state) >= {"name", "scopes", "oauth_client", "error", "redirect_uri", "capture_mode", "_client"}


def test_generated_constants_are_pythons():
    from ls_widget import capture, names

    text = _panel_fixture().constants_module()
    assert f"export const MAX_NAME_CHARS = {names.MAX_CHARS};" in text
    assert f"export const CALLBACK_PATH = {json.dumps(capture.CALLBACK_PATH)};" in text
    assert f"export const MARKER_HEADER = {json.dumps(capture.MARKER_HEADER)};" in text
    assert f"export const MARKER_META = {json.dumps(capture.MARKER_META)};" in text


def test_panel_modules_hold_no_copy_of_pythons_constants():
    """The product modules import constants.js or read the catalog; a literal copy would drift again."""
    import re

    from ls_widget import capture

    generated = {"constants.js", "fake_model.js", "fake_browser.js", "test_utils.js"}
    copies = [
        re.escape(capture.CALLBACK_PATH), re.escape(capture.MARKER_HEADER), re.escape('name="ls-widget-callback"'),
        r"CODE_LIFETIME", r"code_lifetime\s*\?\?", r"within (30|60) seconds", r"MAX_NAME\s*=\s*\d",
    ]
    def code(path):  # comments may name the route; only code must not hold a copy
        lines = path.read_text(encoding="utf-8").splitlines()
        return "\n".join(line for line in lines if not line.lstrip().startswith(("//", "*", "/*")))

    found = [
        f"{path.name}: {match.group(0)}"
        for path in sorted((_ROOT / "js").glob("*.js"))
        if path.name not in generated and not path.name.endswith(".test.js")
        for pattern in copies
        for match in [re.search(pattern, code(path))]
        if match
    ]
    assert not found, found


def _protocol_types() -> set[str]:
    """Every message ``type`` the TypedDicts of panel_protocol declare."""
    import typing

    from ls_widget import panel_protocol

    kinds = set()
    for value in vars(panel_protocol).values():
        if isinstance(value, type) and typing.is_typeddict(value):
            hint = typing.get_type_hints(value).get("type")
            if hint is not None:
                assert typing.get_origin(hint) is typing.Literal, (value, hint)
                kinds |= set(typing.get_args(hint))
    return kinds


def test_js_types_list_exactly_the_message_types_python_defines():
    """js/types.js mirrors panel_protocol.py by hand (it is JSDoc for the type checker, not generated): every message
    type named there is one Python defines, and every one Python defines is named there."""
    import re

    from ls_widget import panel_messages

    types_js = (_ROOT / "js" / "types.js").read_text(encoding="utf-8")
    js_kinds = set(re.findall(r'\btype: "([a-z_]+)"', types_js))
    python_kinds = _protocol_types()
    assert js_kinds == python_kinds, {"only in js/types.js": js_kinds - python_kinds,
                                      "only in panel_protocol.py": python_kinds - js_kinds}
    request_type = re.search(r"@typedef \{([^}]*)\} RequestType", types_js)
    assert request_type, "js/types.js lost its RequestType typedef"
    assert set(re.findall(r'"([a-z_]+)"', request_type.group(1))) == panel_messages.REQUESTS
    # And the handlers registered in panel_messages are exactly what panel_protocol declares: a request and its
    # reply for each request handler, a message for each one-way handler, and the error reply.
    replies = {f"{kind}_reply" for kind in panel_messages.REQUESTS} | {"error_reply"}
    assert python_kinds == panel_messages.REQUESTS | panel_messages.ONE_WAY | replies


def test_js_types_list_exactly_the_trait_values_python_allows():
    """ApiType, Status and CaptureMode in js/types.js are the values of the traits they describe."""
    import re

    types_js = (_ROOT / "js" / "types.js").read_text(encoding="utf-8")
    for typedef, trait in (("ApiType", "api_type"), ("Status", "status"), ("CaptureMode", "capture_mode")):
        union = re.search(r"@typedef \{([^}]*)\} " + typedef + r"\b", types_js)
        assert union, f"js/types.js lost its {typedef} typedef"
        values = set(re.findall(r'"([a-z0-9_]+)"', union.group(1)))
        assert values == set(LightspeedConnection.class_traits()[trait].values), typedef


# -- one update per change of the connection, and nothing left behind ------------------------------------------
@pytest.fixture
def small_sandbox():
    from ls_widget import sandbox

    with sandbox.start(items=5, customers=3, sales=4, employees=2, categories=2) as running:
        yield running


def _updates(monkeypatch):
    """The state updates Python sends to the panel, each as the set of trait names it carries."""
    updates: list[set] = []
    real = LightspeedConnection.send_state

    def record(self, key=None):
        keys = set(self.keys) if key is None else ({key} if isinstance(key, str) else set(key))
        if keys:
            updates.append(keys)
        return real(self, key)

    monkeypatch.setattr(LightspeedConnection, "send_state", record)
    return updates


def _connected_panel(box, sent):
    conn = box.connection()
    message(conn, {"type": "authorize", "id": "flow-1"})
    url = sent[-1]["url"]
    message(conn, {"type": "complete", "url": box.approve(url)})
    assert conn.status == "connected"
    return conn


def test_disconnect_reaches_the_panel_as_one_update(small_sandbox, sent, monkeypatch):
    conn = _connected_panel(small_sandbox, sent)
    conn.comm  # a (dummy) comm: what carries updates to the panel
    updates = _updates(monkeypatch)
    message(conn, {"type": "disconnect"})
    assert conn.status == "draft" and conn.account_id == ""
    # Never "Connected" with the account gone, nor the account without the status: everything in one message.
    assert len(updates) == 1, updates
    assert {"status", "account_id", "account_name", "_granted_scopes", "_expires_at"} <= updates[0]


def test_connecting_reaches_the_panel_as_one_update(small_sandbox, sent, monkeypatch):
    conn = small_sandbox.connection()
    conn.comm
    message(conn, {"type": "authorize", "id": "flow-1"})
    redirected = small_sandbox.approve(sent[-1]["url"])
    updates = _updates(monkeypatch)
    message(conn, {"type": "complete", "url": redirected})
    assert conn.status == "connected"
    assert len(updates) == 1, updates
    assert {"status", "account_id", "account_name", "_granted_scopes"} <= updates[0]


def test_changing_the_api_type_of_a_connected_panel_reaches_it_as_one_update(small_sandbox, sent, monkeypatch):
    conn = _connected_panel(small_sandbox, sent)
    conn.comm
    updates = _updates(monkeypatch)
    conn.api_type = "v2"  # the connection signs out: the sign-in belongs to the API type it was made with
    assert conn.status == "draft" and conn.connection.token() is None
    assert len(updates) == 1, updates
    assert {"api_type", "status", "account_id", "_notice", "_granted_scopes", "_expires_at"} <= updates[0]


def test_disconnect_leaves_no_file_of_the_sign_in_behind(small_sandbox, sent, ls_home):
    conn = _connected_panel(small_sandbox, sent)
    tokens = ls_home / "tokens"
    conn.session.count("Item")  # a request: the token file's lock is taken and released on the way
    assert any(p.name.endswith(".json") for p in tokens.iterdir())
    message(conn, {"type": "disconnect"})
    assert conn.status == "draft"
    assert sorted(p.name for p in tokens.iterdir()) == []  # neither the tokens nor an empty .lock file


def test_rename_leaves_no_lock_file_under_the_old_name(small_sandbox, sent, ls_home):
    conn = _connected_panel(small_sandbox, sent)
    conn.rename("Renamed store")
    names = sorted(p.name for p in (ls_home / "tokens").iterdir())
    assert not [n for n in names if not n.startswith("Renamed")], names


# -- what the browser may write: the form, never Python's own state --------------------------------------------------
@pytest.mark.parametrize("forged", [
    {"status": "connected"}, {"error": "Lightspeed is down"}, {"account_id": "999", "account_name": "Someone else"},
    {"_granted_scopes": ["employee:all"], "_expires_at": 1e12}, {"_client": {"name": "x", "client_id": "y"}},
    {"_revision": 7},
])
def test_the_browser_cannot_set_pythons_own_traits(monkeypatch, caplog, forged):
    conn = LightspeedConnection(name="Downtown")
    before = {key: getattr(conn, key) for key in forged}
    resent = []  # the updates sent (ipywidgets sends nothing for an empty set of keys)
    monkeypatch.setattr(conn, "send_state", lambda key=None: resent.append(key) if key is None or key else None)
    with caplog.at_level(logging.WARNING, logger="ls_widget"):
        from_panel(conn, **forged, name="Uptown")
    assert {key: getattr(conn, key) for key in forged} == before
    assert conn.name == "Uptown"  # the form's own field in the same update still counts
    assert resent == [list(forged)]  # the browser is told Python's values again
    assert "only Python sets" in caplog.text
    with pytest.raises(NotConnectedError):
        conn.session  # noqa: B018 - still not connected, whatever the browser said
    assert conn.connection.status == "draft"


class _MarimoComm:
    """What marimo's comm looks like to a widget (MarimoComm.kernel == "marimo"); it records what it is sent."""

    kernel = "marimo"

    def __init__(self) -> None:
        self.comm_id = "marimo-comm"
        self.sent = []

    def send(self, data=None, metadata=None, buffers=None) -> None:
        self.sent.append(data)

    def on_msg(self, callback) -> None:
        pass

    def on_close(self, callback) -> None:
        pass

    def close(self, *args, **kwargs) -> None:
        pass


def test_under_marimo_python_counts_its_own_changes_and_the_panels_do_not_count():
    conn = LightspeedConnection()
    conn.set_trait("comm", _MarimoComm())
    conn.name = "From a cell"
    assert conn._revision == 1
    conn.connection._set(status="authorizing")  # e.g. the sign-in a panel message started
    assert conn._revision == 2
    from_panel(conn, name="From the browser", _seen_revision=2)
    assert conn._revision == 2 and conn._seen_revision == 2  # the browser's change: marimo reruns for it anyway


def test_elsewhere_nothing_is_counted():
    conn = LightspeedConnection()
    conn.name = "From a cell"
    conn.connection._set(status="authorizing")
    assert conn._revision == 0


# -- the saved copy's text: a second output, for where the panel cannot load ------------------------------------------
@pytest.fixture
def shell_outputs(monkeypatch):
    """What IPython publishes when a cell displays the panel (display and update_display messages)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    published = []
    monkeypatch.setattr(shell.display_pub, "publish",
                        lambda data, metadata=None, transient=None, update=False, **kw: published.append(
                            {"data": data, "transient": transient or {}, "update": update}))
    return published


def test_displaying_the_panel_adds_a_saved_copy_line_that_follows_the_connection(shell_outputs):
    OAuthClient("Other project", "other-id", SECRET).save()
    conn = LightspeedConnection(name="Downtown", scopes=["employee:all"])
    conn._ipython_display_()
    widget, fallback = shell_outputs
    assert "application/vnd.jupyter.widget-view+json" in widget["data"]
    assert set(fallback["data"]) == {"text/plain", "text/html"}
    assert fallback["data"]["text/plain"] == ("Saved copy: not connected when it was saved (Lightspeed connection "
                                              "'Downtown', v3). To connect, open the notebook in Jupyter and run "
                                              "this cell.")
    assert 'class="ls-saved-copy"' in fallback["data"]["text/html"]
    display_id = fallback["transient"]["display_id"]

    conn.connection._set(status="connected", account_id="12345", account_name="Downtown <Store> & Co")
    update = shell_outputs[-1]
    assert update["update"] and update["transient"]["display_id"] == display_id
    assert update["data"]["text/plain"].startswith(
        "Saved copy: connected to Downtown <Store> & Co (12345) when it was saved")
    assert "Downtown &lt;Store&gt; &amp; Co (12345)" in update["data"]["text/html"]
    published = json.dumps(shell_outputs)
    assert SECRET not in published and "Other project" not in published and "other-id" not in published
    count = len(shell_outputs)
    conn.connection._set(status="connected")  # nothing new to say: nothing sent
    assert len(shell_outputs) == count


def test_state_and_messages_are_plain_json_that_every_host_can_encode(monkeypatch):
    """marimo encodes a widget's state and messages with msgspec, which refuses subclasses of str, and a stored name
    is one (``names.Name``): the stored client never reached marimo's panel. Whatever the panel holds, what leaves it
    is plain JSON data."""
    msgspec = pytest.importorskip("msgspec")
    import ipywidgets

    outbox = []
    monkeypatch.setattr(ipywidgets.Widget, "send", lambda self, content, buffers=None: outbox.append(content))
    OAuthClient("Stored client", "abc", "a-secret").save()
    conn = LightspeedConnection(name="Reports", oauth_client="Stored client")
    msgspec.json.encode(conn.get_state())
    message(conn, {"type": "list_clients", "id": "v-1"})
    assert [m["type"] for m in outbox] == ["list_clients_reply"]
    assert b"Stored client" in msgspec.json.encode(outbox)


def test_a_status_observer_sees_the_rest_of_the_state_already_there():
    """A cell observing ``status`` (Voila's report, a dashboard) reads the account when the panel turns connected:
    every trait is set before any observer is told, as when one trait changes."""
    from ls_widget import sandbox

    with sandbox.start(items=5, customers=2, sales=5, bucket_size=1e6, drip_rate=1e6, burst_limit=10**6) as box:
        panel = box.connection(name="Observed")
        seen = []
        panel.observe(lambda change: seen.append((change["new"], panel.account_id, panel.account_name)), "status")
        box.sign_in(panel)
        assert seen[-1] == ("connected", box.account_id, panel.account_name) and panel.account_name
        panel.disconnect()
        assert seen[-1] == ("draft", "", "")
