"""Group 5, as the user meets it: a damaged token file, a broken client file and a read-only home, through the panel
and ``load()``. (The store's own cases, file by file, are in tests/test_store_broken.py.)
"""

from __future__ import annotations

import pytest

from ls_widget import LightspeedConnection, OAuthClient, StoreError
from ls_widget.token_store import TokenStore

from ..test_store_broken import read_only

from .conftest import connect

@pytest.mark.parametrize("damage", [b"", b'{"access_token": "abc"', b"\xff\xfe\x00", b"[]",
                                    b'{"access_token": 5, "expires_at": "soon"}'])
def test_a_damaged_token_file_leaves_the_panel_in_error_naming_the_file(box, damage):
    conn = connect(box, name="Downtown")
    conn.save()
    path = TokenStore("Downtown").path
    path.write_bytes(damage)
    reopened = LightspeedConnection.load("Downtown")  # no exception: the panel shows what is wrong
    assert reopened.status == "error"
    assert str(path) in reopened.error and "sign in again" in reopened.error
    with pytest.raises(StoreError):
        TokenStore("Downtown").load()


def test_a_broken_client_file_is_named_in_the_panel_and_hides_no_other_client(box, ls_home, monkeypatch):
    OAuthClient("Good", "good-id").save()
    (ls_home / "clients" / "Broken.json").write_text('{"name": "Broken", "client_id": ')
    panel = LightspeedConnection()
    sent = []
    monkeypatch.setattr(panel, "send", lambda content, buffers=None: sent.append(content))
    panel._handle_custom_msg({"type": "list_clients", "id": "home-1"}, [])  # what the panel asks when it opens
    [reply] = sent
    assert [c["name"] for c in reply["clients"]] == ["Good"]
    [problem] = reply["problems"]
    assert "Broken.json" in problem and "add the client again" in problem


def test_a_read_only_home_still_reopens_a_connection(box, ls_home):
    conn = connect(box, name="Downtown")
    conn.save()
    stored = TokenStore("Downtown").load()
    with read_only(ls_home, *(ls_home / kind for kind in ("clients", "connections", "tokens"))):
        reopened = LightspeedConnection.load("Downtown")
        assert reopened.status == "connected", reopened.error
        assert len(reopened.session.get("Item", limit=2)) == 2
        box.expire_access_tokens()  # now a refresh is needed, and its answer could not be stored
        with pytest.raises(StoreError, match="read-only"):
            reopened.session.get("Item", limit=2)
        assert TokenStore("Downtown").load() == stored  # nothing lost: the stored sign-in is unchanged
    # Writable again: the stored refresh token still works (Lightspeed retires it only once a new access token
    # is used, and the unsaved one never was), so the connection carries on without a new sign-in.
    assert len(reopened.session.get("Item", limit=2)) == 2
    assert TokenStore("Downtown").load() != stored
