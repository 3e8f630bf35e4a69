"""The settings of a plain ``Connection``, as a script meets them: each a property that enforces every rule the panel
shows (the panel only mirrors the connection), ``update()`` for several at once, and ``subscribe()``.

The sign-in belongs to the API type and OAuth client it was made with: changing either signs out for good, in the
token store too (the single source of truth), so a later ``Connection.load`` cannot revive a v3 sign-in under a v2
profile."""

from __future__ import annotations

import pytest

from ls_widget import AuthorizationError, ConfigurationError, NotConnectedError, OAuthClient, oauth_clients, sandbox
from ls_widget.connection import Connection
from ls_widget.credentials import credentials_for
from ls_widget.token_endpoint import refresh
from ls_widget.token_store import TokenStore

FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)


@pytest.fixture
def box():
    with sandbox.start(items=5, customers=3, sales=4, employees=2, categories=2, **FAST) as running:
        yield running


@pytest.fixture
def signed_in(box):
    """A script's v3 connection, signed in through the sandbox's consent page."""
    conn = Connection("Downtown", "v3", ["employee:inventory_read", "employee:tags"], box.client)
    box.sign_in(conn)
    assert conn.status == "connected" and TokenStore("Downtown").load() is not None
    return conn


def changes(conn) -> list[str]:
    """Records one entry per notification the connection sends."""
    heard: list[str] = []
    conn.subscribe(lambda c: heard.append(c.status))
    return heard


# -- changing the API type or the client signs out -------------------------------------------------------------------
def test_setting_api_type_on_a_signed_in_connection_signs_it_out_everywhere(signed_in, ls_home, box):
    stored = TokenStore("Downtown").load()
    credentials = credentials_for(signed_in.profile, signed_in.oauth_client)
    heard = changes(signed_in)
    signed_in.api_type = "v2"
    assert heard == ["draft"]  # one notification for the whole change
    assert signed_in.api_type == "v2"
    assert (signed_in.status, signed_in.account_id, signed_in.bound_name, signed_in.token()) == ("draft", "", None,
                                                                                                  None)
    with pytest.raises(NotConnectedError):
        signed_in.session  # noqa: B018
    assert TokenStore("Downtown").load() is None
    assert sorted(p.name for p in (ls_home / "tokens").iterdir()) == []  # no lock file left behind either
    with pytest.raises(AuthorizationError) as refused:  # revoked at Lightspeed, as Disconnect does
        refresh(Connection().profile, credentials, stored)
    assert refused.value.error == "invalid_grant"
    assert "The API type changed" in signed_in.notice and "Save and authorize" in signed_in.notice
    # v2 does not offer employee:inventory_read; the notice says so too.
    assert signed_in.scopes == [] and "does not offer employee:inventory_read" in signed_in.notice
    # Saved now, the v2 settings reopen without a sign-in: no v3 tokens live on under a v2 profile.
    signed_in.save()
    reopened = Connection.load("Downtown")
    assert (reopened.api_type, reopened.status, reopened.token()) == ("v2", "draft", None)


def test_choosing_another_client_signs_out_too(signed_in, box, ls_home):
    stored = TokenStore("Downtown").load()
    credentials = credentials_for(signed_in.profile, signed_in.oauth_client)
    other = box.register_client("Second client", "https://localhost")
    signed_in.oauth_client = other  # an OAuthClient: stored, then chosen by name
    assert signed_in.oauth_client == "Second client" and "Second client" in oauth_clients()
    assert signed_in.status == "draft" and signed_in.token() is None and TokenStore("Downtown").load() is None
    with pytest.raises(AuthorizationError):
        refresh(signed_in.profile, credentials, stored)
    assert "The OAuth 2.0 client changed" in signed_in.notice


def test_scopes_name_spelling_and_capture_mode_keep_the_sign_in(signed_in):
    signed_in.update(scopes=["employee:inventory_read"], capture_mode="paste", name="  Downtown ")
    assert signed_in.status == "connected" and TokenStore("Downtown").load() is not None
    assert signed_in.notice == ""
    assert signed_in.session.count("Item") > 0


def test_a_sign_in_in_progress_is_cancelled_by_a_new_api_type(box):
    conn = Connection("Downtown", "v3", ["employee:all"], box.client)
    redirected = box.approve(conn.authorization_url())
    conn.api_type = "v2"
    assert conn.status == "draft" and not conn.signed_in
    with pytest.raises(AuthorizationError, match="No sign-in is in progress"):
        conn.complete_authorization(redirected)


def test_the_panel_shows_what_a_script_did_to_its_connection(box):
    panel = box.connection(name="Downtown")
    box.sign_in(panel)
    panel.connection.api_type = "v2"  # in a script, behind the panel's back
    assert (panel.api_type, panel.status, panel.account_id) == ("v2", "draft", "")
    assert panel._granted_scopes == [] and panel._expires_at == 0.0
    assert "The API type changed" in panel._notice


# -- bad values: ConfigurationError, and nothing changes -------------------------------------------------------------
BAD = [
    ({"api_type": "v4"}, "api_type must be one of 'v3', 'v2', not the str 'v4'"),
    ({"scopes": ["employee:nope"]}, "employee:nope is not a Lightspeed v3 scope: choose from employee:all"),
    ({"scopes": "employee:all"}, "not one string"),
    ({"oauth_client": "Nobody's"}, "No stored OAuth 2.0 client named \"Nobody's\""),
    ({"oauth_client": 5}, "oauth_client must be the name of a stored OAuth 2.0 client"),
    ({"capture_mode": "popup"}, "capture_mode must be one of"),
    ({"name": None}, "name must be text"),
]


@pytest.mark.parametrize("setting, message", BAD, ids=lambda v: repr(v) if isinstance(v, dict) else "")
def test_a_bad_value_raises_configuration_error_and_changes_nothing(setting, message):
    OAuthClient("Mine", "cid").save()
    conn = Connection("Downtown", "v3", ["employee:all"], "Mine")
    before = repr(conn), conn.capture_mode
    heard = changes(conn)
    (field, value), = setting.items()
    with pytest.raises(ConfigurationError, match=message):
        setattr(conn, field, value)
    with pytest.raises(ConfigurationError, match=message):
        conn.update(**setting)
    assert (repr(conn), conn.capture_mode) == before and heard == []


def test_a_signed_in_connection_keeps_its_name(signed_in):
    with pytest.raises(ConfigurationError, match=r"conn.rename\('new name'\)"):
        signed_in.name = "Uptown"
    assert signed_in.name == "Downtown" and signed_in.status == "connected"


# -- update(): checked together, applied as one -----------------------------------------------------------------------
def test_update_is_all_or_nothing(signed_in, box):
    heard = changes(signed_in)
    unsaved = OAuthClient("Not stored yet", "cid")
    with pytest.raises(ConfigurationError, match="employee:tags is not a Lightspeed v2 scope"):
        signed_in.update(api_type="v2", oauth_client=unsaved, scopes=["employee:tags"], capture_mode="paste")
    assert (signed_in.api_type, signed_in.oauth_client, signed_in.capture_mode) == ("v3", box.client.name, "auto")
    assert signed_in.scopes == ["employee:inventory_read", "employee:tags"]
    assert signed_in.status == "connected" and TokenStore("Downtown").load() is not None  # still signed in
    assert "Not stored yet" not in oauth_clients()  # the client is stored only when everything passed
    assert heard == []


def test_update_checks_the_scopes_against_the_api_type_they_will_belong_to():
    conn = Connection("Legacy", "v3", ["employee:tags"])
    with pytest.raises(ConfigurationError, match="employee:customers_credit_limit is not a Lightspeed v3 scope"):
        conn.scopes = ["employee:customers_credit_limit"]  # a v2-only scope, while still v3
    heard = changes(conn)
    conn.update(api_type="v2", scopes=["employee:customers_credit_limit", "employee:all", "employee:all"])
    assert (conn.api_type, conn.scopes) == ("v2", ["employee:customers_credit_limit", "employee:all"])
    assert conn.notice == "" and len(heard) == 1  # nothing dropped: the scopes were given with the API type


def test_update_takes_only_settings():
    conn = Connection("Downtown")
    with pytest.raises(TypeError, match="colour"):
        conn.update(colour="blue")
    with pytest.raises(TypeError):
        Connection(colour="blue")


def test_a_problem_found_by_authorization_url_goes_with_its_setting():
    conn = Connection()
    with pytest.raises(ConfigurationError):
        conn.authorization_url()
    assert set(conn.field_errors) == {"name", "scopes", "oauth_client"}
    assert conn.error == "Fix 3 fields before authorizing." and conn.status == "draft"
    conn.update(name="Downtown", scopes=["employee:all"])
    assert set(conn.field_errors) == {"oauth_client"} and conn.error == "Fix 3 fields before authorizing."
    OAuthClient("Mine", "cid").save()
    conn.oauth_client = "Mine"
    assert conn.field_errors == {} and conn.error == ""


# -- subscribe() ------------------------------------------------------------------------------------------------------
def test_unsubscribe_stops_the_notifications():
    conn = Connection("Downtown")
    heard: list[str] = []
    unsubscribe = conn.subscribe(lambda c: heard.append(c.name))
    conn.name = "Uptown"
    unsubscribe()
    conn.name = "Midtown"
    unsubscribe()  # a second call is harmless
    assert heard == ["Uptown"]


def test_nothing_changed_means_no_notification():
    conn = Connection("Downtown", scopes=["employee:all"])
    heard = changes(conn)
    conn.update(name="Downtown", scopes=("employee:all",), api_type="v3")
    assert heard == []


def test_renaming_a_connection_not_signed_in_is_heard():
    conn = Connection("Downtown")
    heard: list[str] = []
    conn.subscribe(lambda c: heard.append(c.name))
    conn.rename("Uptown")
    assert conn.name == "Uptown" and heard == ["Uptown"]
