"""Group 2: a sign-in is never silently lost. The token store is the single source of truth: objects in memory
re-read it before use, ``save()`` never writes tokens, and ``disconnect()`` revokes what is stored.

"Another kernel" is a real second Python process on the same ``LS_WIDGET_HOME``, against the sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ls_widget import AuthorizationError, LightspeedConnection
from ls_widget.credentials import credentials_for
from ls_widget.token_endpoint import refresh
from ls_widget.token_store import TokenStore

from .conftest import connect

def other_kernel(code: str) -> dict:
    """Run ``code`` in a second Python process on the same store; it prints one JSON line, returned here."""
    script = "import json\nfrom ls_widget import LightspeedConnection\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_refresh_during_account_discovery_is_what_stays_stored(box, monkeypatch):
    """The access token dies between the exchange and the account probe: the probe's 401 refreshes it, and the
    connection must keep (and later reopen with) the refreshed pair, not the spent one."""
    import ls_widget.flow as flow

    real_exchange = flow.exchange_code

    def exchange_then_expire(*args, **kwargs):
        token = real_exchange(*args, **kwargs)
        box.expire_access_tokens()
        return token

    monkeypatch.setattr(flow, "exchange_code", exchange_then_expire)
    conn = connect(box)
    assert conn.status == "connected"
    conn.save()
    reopened = LightspeedConnection.load(conn.name)
    assert reopened.status == "connected", reopened.error
    box.expire_access_tokens()
    assert len(reopened.session.get("Item", limit=2)) == 2  # the stored refresh token is the live one


def test_save_in_one_kernel_never_overwrites_a_pair_another_kernel_refreshed(box):
    conn = connect(box)
    conn.save()
    session = conn.session
    box.expire_access_tokens()
    refreshed = other_kernel(f"""
        other = LightspeedConnection.load({conn.name!r})
        other.session.get("Item", limit=1)   # 401 -> refresh -> the new pair is stored
        print(json.dumps({{"status": other.status}}))
    """)
    assert refreshed["status"] == "connected"
    stored = TokenStore(conn.name).load()
    conn.save()  # must not write this kernel's (spent) tokens over the stored ones
    assert TokenStore(conn.name).load() == stored
    assert len(session.get("Item", limit=3)) == 3  # re-reads the store: no 401, no refresh with a spent token
    reopened = other_kernel(f"""
        third = LightspeedConnection.load({conn.name!r})
        print(json.dumps({{"status": third.status, "error": third.error}}))
    """)
    assert reopened == {"status": "connected", "error": ""}


def test_disconnect_revokes_what_is_stored_not_a_stale_copy(box):
    conn = connect(box)
    conn.save()
    box.expire_access_tokens()
    other_kernel(f"""
        other = LightspeedConnection.load({conn.name!r})
        other.session.get("Item", limit=1)
        print(json.dumps({{}}))
    """)
    live = TokenStore(conn.name).load()  # the pair the other kernel rotated to
    conn.disconnect()
    assert TokenStore(conn.name).load() is None
    credentials = credentials_for(conn.profile, conn.oauth_client)
    with pytest.raises(AuthorizationError) as info:
        refresh(conn.profile, credentials, live)
    assert info.value.error == "invalid_grant"  # revoked at Lightspeed: nobody can use the live pair any more


def test_a_disconnect_in_another_kernel_signs_this_one_out_with_a_clear_error(box):
    conn = connect(box)
    conn.save()
    session = conn.session
    other_kernel(f"""
        other = LightspeedConnection.load({conn.name!r})
        other.disconnect()
        print(json.dumps({{}}))
    """)
    with pytest.raises(AuthorizationError, match="no stored sign-in") as info:
        session.get("Item")
    assert info.value.error == "not_authorized"
    assert conn.status == "error" and "no stored sign-in" in conn.error  # the panel says so too


def test_save_writes_settings_only(box):
    conn = connect(box)
    store = TokenStore(conn.name)
    before = os.stat(store.path).st_mtime_ns
    conn.save()
    assert os.stat(store.path).st_mtime_ns == before
    record = json.loads((store.path.parent.parent / "connections" / store.path.name).read_text())
    assert not any("token" in key for key in record)
