"""Tokens: redaction, JWT claims, atomic storage and single-flight refresh across threads and processes."""

import base64
import json
import multiprocessing
import os
import stat
import threading
import time

from ls_widget.token_store import TokenStore
from ls_widget.tokens import Token, jwt_claims

from .refresh_race import inside_refresh, refresh_from_threads, wait_until

ACCESS, REFRESH = "eyJ-access-SECRET", "refresh-SECRET"


def fake_jwt(claims):
    encode = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{encode({'alg': 'RS256', 'typ': 'JWT'})}.{encode(claims)}.signature"


def token(access=ACCESS, refresh=REFRESH, expires_in=3600):
    return Token(access, refresh, time.time() + expires_in)


def test_printing_a_token_shows_no_secret():
    text = f"{token()!r} {token()!s}"
    assert ACCESS not in text and REFRESH not in text and "expires_at" in text


def test_v3_response_reads_scopes_and_account_from_the_jwt():
    access = fake_jwt({"acct": "5", "sub": "12", "scope": "employee:register employee:inventory", "exp": 2e9})
    tok = Token.from_response({"token_type": "Bearer", "expires_in": 3600, "access_token": access,
                               "refresh_token": "r"}, now=100.0)
    assert tok.account_id == "5" and tok.scopes == ("employee:register", "employee:inventory")
    assert tok.expires_at == 3700.0


def test_scopes_claim_spelled_scopes_is_read_too():
    assert jwt_claims(fake_jwt({"scopes": "a b"})) == {"scopes": "a b"}
    tok = Token.from_response({"access_token": fake_jwt({"scopes": "employee:all"}), "expires_in": 10})
    assert tok.scopes == ("employee:all",)


def test_v2_response_reads_scope_and_keeps_the_refresh_token_when_none_is_sent():
    previous = Token("old", "keep-me", 0.0, account_id="9")
    tok = Token.from_response({"access_token": "a" * 40, "expires_in": 1800, "token_type": "bearer",
                               "scope": "employee:all systemuserid:491223"}, previous=previous)
    assert tok.refresh_token == "keep-me" and tok.scopes == ("employee:all",) and tok.account_id == "9"


def test_opaque_or_broken_tokens_have_no_claims():
    assert jwt_claims("a" * 40) == {} and jwt_claims("a.b.c") == {} and jwt_claims("a.W10.c") == {}


def test_store_is_0600_and_round_trips(ls_home):
    store = TokenStore("Downtown")
    tok = Token("x" * 2000, "y" * 2000, 123.5, scopes=("employee:all",), account_id="5")  # long tokens fit whole
    store.save(tok)
    assert TokenStore("Downtown").load() == tok
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    store.delete()
    assert store.load() is None


def test_fresh_token_is_not_refreshed():
    store = TokenStore("c")
    current = token()
    store.save(current)
    calls = []
    assert store.refresh(current, calls.append, margin=300) == current
    assert calls == []


def test_sixteen_threads_on_an_expired_token_refresh_once():
    store = TokenStore("c")
    stale = token(expires_in=-10)
    store.save(stale)
    calls = []

    def do_refresh(current):
        calls.append(current.refresh_token)
        return Token(f"new-access-{len(calls)}", f"new-refresh-{len(calls)}", time.time() + 3600)

    results = refresh_from_threads(store, stale, do_refresh)
    assert calls == [REFRESH]
    assert {r.access_token for r in results} == {"new-access-1"}
    assert store.load().refresh_token == "new-refresh-1"


def test_a_401_forces_a_refresh_unless_someone_already_did():
    store = TokenStore("c")
    current = token()
    store.save(current)
    fresh = store.refresh(current, lambda t: Token("n", "nr", time.time() + 3600), margin=300, force=True)
    assert fresh.access_token == "n"
    # A second caller still holding the old token gets the stored new one, without another refresh.
    again = store.refresh(current, lambda t: (_ for _ in ()).throw(AssertionError("refreshed twice")), margin=300,
                          force=True)
    assert again.access_token == "n"


def _refresh_in_child(home, counter_path, start, inside, all_inside):
    """One process's refresh, in a thread of its own so that this process can tell when it is inside
    ``store.refresh`` (``inside``); the one that gets the lock refreshes only once every child is (``all_inside``)."""
    os.environ["LS_WIDGET_HOME"] = home
    store = TokenStore("shared")
    stale = store.load()
    start.wait()
    failures = []

    def do_refresh(current):
        with open(counter_path, "a") as counter:
            counter.write(current.refresh_token + "\n")
        assert all_inside.wait(60), "the other processes never came inside refresh"
        return Token("child-access", "child-refresh", time.time() + 3600)

    def refresh():
        try:
            store.refresh(stale, do_refresh, margin=300)
        except BaseException as exc:  # noqa: BLE001 - reported through the exit code below
            failures.append(exc)

    worker = threading.Thread(target=refresh)
    worker.start()
    wait_until(lambda: inside_refresh(worker) or not worker.is_alive(), "the refresh thread inside refresh")
    inside.release()
    worker.join()
    if failures:
        raise failures[0]


def test_processes_share_one_refresh_through_the_file_lock(ls_home, tmp_path):
    TokenStore("shared").save(token(expires_in=-5))
    counter = tmp_path / "refreshes.txt"
    context = multiprocessing.get_context("spawn")
    start, inside, all_inside = context.Event(), context.Semaphore(0), context.Event()
    children = [context.Process(target=_refresh_in_child, args=(str(ls_home), str(counter), start, inside, all_inside))
                for _ in range(4)]
    for child in children:
        child.start()
    start.set()
    # Every child is inside store.refresh at once (one holding the lock in its refresh, three waiting for it) before
    # the refresh may finish: the file lock, not the order the processes happen to run in, keeps it to one refresh.
    for _ in children:
        assert inside.acquire(timeout=60), "a child never came inside refresh"
    all_inside.set()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    assert counter.read_text().splitlines() == [REFRESH]
    assert TokenStore("shared").load().refresh_token == "child-refresh"
