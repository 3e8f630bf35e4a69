"""authorization_url -> consent -> complete_authorization -> session, and every way it can go wrong."""

import json

import pytest

from ls_widget import (
    AuthorizationError,
    ConfigurationError,
    LightspeedConnection,
    LightspeedSession,
    NotConnectedError,
    OAuthClient,
    saved_connections,
)
from ls_widget.token_store import TokenStore

from .conftest import connect


def test_v3_flow_connects_and_finds_the_account(box):
    conn = box.connection()
    with pytest.raises(NotConnectedError, match="Save and authorize"):
        conn.session
    url = conn.authorization_url()
    assert conn.status == "authorizing"
    session = conn.complete_authorization(box.approve(url))
    assert isinstance(session, LightspeedSession)
    assert conn.status == "connected" and conn.error == ""
    assert conn.account_id == box.account_id and conn.account_name
    assert (session.account_id, session.account_name, session.api_type) == (conn.account_id, conn.account_name, "v3")
    assert set(conn._granted_scopes) == set(conn.scopes)
    assert conn._expires_at > 0
    assert saved_connections() == ["Sandbox demo"]


def test_v2_flow_uses_the_builtin_client(box):
    conn = connect(box, api_type="v2")
    assert conn.status == "connected" and conn.account_id == box.account_id
    assert conn.session.api_type == "v2"
    assert conn.session.base_url.endswith(f"/API/Account/{box.account_id}")


def test_v2_without_a_builtin_client_names_the_variables(box, monkeypatch):
    monkeypatch.delenv("LS_WIDGET_V2_CLIENT_ID")
    conn = box.connection(api_type="v2")
    with pytest.raises(ConfigurationError, match="LS_WIDGET_V2_CLIENT_ID.*LS_WIDGET_V2_CLIENT_SECRET"):
        conn.authorization_url()


def test_deny_is_access_denied(box):
    conn = box.connection()
    with pytest.raises(AuthorizationError) as info:
        conn.complete_authorization(box.approve(conn.authorization_url(), decision="deny"))
    assert info.value.error == "access_denied"
    assert conn.status == "error" and "denied" in conn.error


def test_wrong_or_missing_state_is_refused_and_the_sign_in_can_still_finish(box):
    conn = box.connection()
    url = conn.authorization_url()
    redirected = box.approve(url)
    forged = redirected.replace("state=", "state=x")
    with pytest.raises(AuthorizationError) as info:
        conn.complete_authorization(forged)
    assert info.value.error == "invalid_state"
    without_state = redirected.split("&state=")[0] if "&state=" in redirected else redirected.split("state=")[0]
    with pytest.raises(AuthorizationError):
        conn.complete_authorization(without_state)
    conn.complete_authorization(redirected)
    assert conn.status == "connected"


@pytest.mark.parametrize("plain", [False, True], ids=["panel", "plain-connection"])
def test_nothing_pasted_says_so_and_the_sign_in_can_still_finish(box, plain):
    conn = box.connection().connection if plain else box.connection()
    redirected = box.approve(conn.authorization_url())
    with pytest.raises(AuthorizationError, match="Nothing was pasted") as info:
        conn.complete_authorization(None)  # e.g. a variable that input() never filled
    assert info.value.error == "invalid_request" and "does not belong" not in str(info.value)
    assert conn.status == "authorizing" and "Nothing was pasted" in conn.error
    conn.complete_authorization(redirected)
    assert conn.status == "connected"


def test_a_redirect_from_an_older_sign_in_is_refused(box):
    conn = box.connection()
    old = box.approve(conn.authorization_url())
    conn.authorization_url()  # a fresh flow: new state and verifier
    with pytest.raises(AuthorizationError) as info:
        conn.complete_authorization(old)
    assert info.value.error == "invalid_state"


def test_expired_code_says_codes_live_60_seconds(box):
    conn = box.connection()
    redirected = box.approve(conn.authorization_url())
    box.advance_clock(61)
    with pytest.raises(AuthorizationError, match="60 seconds") as info:
        conn.complete_authorization(redirected)
    assert info.value.error == "invalid_grant"


def test_a_code_works_once(box):
    conn = box.connection()
    url = conn.authorization_url()
    redirected = box.approve(url)
    conn.complete_authorization(redirected)
    with pytest.raises(AuthorizationError):
        conn.complete_authorization(redirected)  # no sign-in pending any more


def test_wrong_client_secret_is_invalid_client_with_guidance(box):
    real = box.client
    OAuthClient(real.name, real.client_id, "not-the-secret").save()
    conn = box.connection(oauth_client=real.name)
    with pytest.raises(AuthorizationError, match="Edit OAuth 2.0 client") as info:
        conn.complete_authorization(box.approve(conn.authorization_url()))
    assert info.value.error == "invalid_client"
    assert "not-the-secret" not in str(info.value) and "not-the-secret" not in conn.error


def test_public_client_with_pkce_and_no_secret(box):
    public = box.register_client("Public notebook", "https://localhost", public=True, secret=None)
    assert public.client_secret is None
    public.save()
    conn = connect(box, oauth_client=public.name)
    assert conn.status == "connected"


def test_unreachable_token_endpoint_is_a_network_error(box, monkeypatch):
    conn = box.connection()
    redirected = box.approve(conn.authorization_url())
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", "http://127.0.0.1:9")
    with pytest.raises(AuthorizationError, match="Could not reach") as info:
        conn.complete_authorization(redirected)
    assert info.value.error == "network_error"


def test_token_endpoint_outage_is_explained(box):
    conn = box.connection()
    redirected = box.approve(conn.authorization_url())
    box.fail_next(1, status=503, target="token")
    with pytest.raises(AuthorizationError, match="503"):
        conn.complete_authorization(redirected)


def test_save_and_load_reconnects_without_signing_in(box):
    conn = connect(box)
    first = conn.session.get("Item", limit=1)
    reopened = LightspeedConnection.load("Sandbox demo")
    assert reopened.status == "connected" and reopened.account_id == conn.account_id
    assert reopened.session.get("Item", limit=1) == first


def test_load_refreshes_an_expired_sign_in_silently(box):
    connect(box)
    box.advance_clock(3600 * 2)
    reopened = LightspeedConnection.load("Sandbox demo")
    assert reopened.status == "connected"
    assert reopened.session.count("Customer", archived=True) == 61


def test_load_after_the_merchant_revoked_access_says_sign_in_again(box):
    connect(box)
    box.revoke_refresh_tokens()
    box.expire_access_tokens()
    box.advance_clock(3600 * 2)
    reopened = LightspeedConnection.load("Sandbox demo")
    assert reopened.status == "error" and "Sign in again" in reopened.error
    with pytest.raises(NotConnectedError, match="Sign in again"):
        reopened.session


def test_disconnect_revokes_and_deletes(box):
    conn = connect(box)
    session = conn.session
    store = TokenStore("Sandbox demo")
    assert store.load() is not None
    conn.disconnect()
    assert conn.status == "draft" and conn.account_id == "" and store.load() is None
    with pytest.raises(NotConnectedError):
        conn.session
    # The revoked tokens are dead at the sandbox too.
    reopened = LightspeedConnection.load("Sandbox demo")
    assert reopened.status == "draft"
    del session


def test_nothing_secret_in_state_repr_or_saved_files(box, ls_home):
    conn = connect(box)
    token = TokenStore("Sandbox demo").load()
    secrets = [token.access_token, token.refresh_token, box.client.client_secret]
    visible = json.dumps(conn.get_state(), default=str) + repr(conn) + repr(conn.session) + repr(token)
    visible += (ls_home / "connections" / "Sandbox demo.json").read_text()
    for secret in secrets:
        assert secret not in visible


def test_a_refused_refresh_during_a_pull_turns_the_panel_to_error(box):
    conn = connect(box)
    session = conn.session
    box.revoke_refresh_tokens()
    box.expire_access_tokens()
    with pytest.raises(AuthorizationError) as info:
        session.get("Item")
    assert info.value.error == "invalid_grant"
    assert conn.status == "error" and "Sign in again" in conn.error


def _panel_sign_in(box, monkeypatch):
    conn = box.connection()
    sent = []
    monkeypatch.setattr(conn, "send", lambda content, buffers=None: sent.append(content))
    conn._handle_custom_msg({"type": "authorize", "id": "flow-1"}, [])
    assert conn.status == "authorizing" and sent[-1]["type"] == "authorize_reply" and sent[-1]["id"] == "flow-1"
    return conn, box.approve(sent[-1]["url"]), sent


def test_panel_relay_message_connects(box, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    conn, redirected, sent = _panel_sign_in(box, monkeypatch)
    params = {k: v[0] for k, v in parse_qs(urlsplit(redirected).query).items()}
    conn._handle_custom_msg({"type": "redirect", "code": params["code"], "state": params["state"]}, [])
    assert conn.status == "connected" and conn.account_id == box.account_id
    assert params["code"] not in json.dumps(conn.get_state(), default=str)


def test_panel_paste_message_connects_and_a_bad_paste_is_shown(box, monkeypatch):
    conn, redirected, sent = _panel_sign_in(box, monkeypatch)
    conn._handle_custom_msg({"type": "complete", "url": "https://localhost/?nothing=here"}, [])
    assert conn.status == "authorizing" and "no authorization code" in conn.error  # paste again, no restart
    conn._handle_custom_msg({"type": "complete", "url": redirected}, [])  # the sign-in is still pending
    assert conn.status == "connected"


def test_panel_relay_of_a_denial_is_an_error(box, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    conn, _, sent = _panel_sign_in(box, monkeypatch)
    denied = box.approve(sent[-1]["url"], decision="deny")
    params = {k: v[0] for k, v in parse_qs(urlsplit(denied).query).items()}
    conn._handle_custom_msg({"type": "redirect", **params}, [])
    assert conn.status == "error" and "denied" in conn.error


def test_panel_disconnect_message(box, monkeypatch):
    conn = connect(box)
    conn._handle_custom_msg({"type": "disconnect"}, [])
    assert conn.status == "draft" and TokenStore(conn.name).load() is None


def test_the_panel_shows_the_new_expiry_after_a_refresh(box):
    conn = connect(box)
    first = conn._expires_at
    box.expire_access_tokens()
    box.advance_clock(5)
    conn.session.get("Item", limit=1)
    assert conn._expires_at > first and conn.status == "connected"


def test_changing_api_type_or_client_after_connecting_asks_for_a_new_sign_in(box):
    conn = connect(box)
    conn.api_type = "v2"
    assert conn.status == "draft" and conn.account_id == "" and "Save and authorize" in conn._notice
    with pytest.raises(NotConnectedError):
        conn.session
    conn.api_type = "v3"
    conn.oauth_client = box.client.name
    conn.complete_authorization(box.approve(conn.authorization_url()))
    other = box.register_client("Second client", "https://localhost")
    other.save()
    conn.oauth_client = other.name
    assert conn.status == "draft" and "OAuth 2.0 client changed" in conn._notice


def test_changing_scopes_keeps_the_connection(box):
    conn = connect(box)
    conn.scopes = ["employee:inventory_read"]
    assert conn.status == "connected" and conn.session.count("Item") > 0


def test_cancel_sign_in_forgets_the_flow_and_keeps_an_existing_sign_in(box):
    conn = box.connection()
    redirected = box.approve(conn.authorization_url())
    conn._handle_custom_msg({"type": "cancel"}, [])  # "Cancel sign-in" in the panel
    assert conn.status == "draft" and conn.error == ""
    with pytest.raises(AuthorizationError, match="No sign-in is in progress"):
        conn.complete_authorization(redirected)  # the cancelled flow's redirect no longer completes anything
    conn.complete_authorization(box.approve(conn.authorization_url()))
    conn.authorization_url()  # re-authorizing from "Edit connection", then cancelled: still connected
    assert conn.status == "authorizing"
    conn._handle_custom_msg({"type": "cancel"}, [])
    assert conn.status == "connected" and len(conn.session.get("Item", limit=1)) == 1
