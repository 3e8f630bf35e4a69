"""Secrets in the system keyring (LS_WIDGET_SECRETS=keyring): round trips, the JSON files free of them, switching
either way without losing one, typed errors when the keyring cannot help, and token rotation under concurrency.

The keyring here is a real backend: keyrings.alt's file keyring, in each test's own directory, chosen the way a
user chooses a backend (PYTHON_KEYRING_BACKEND), so second processes find it too.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import sys
import time

import pytest

keyring = pytest.importorskip("keyring", reason="the keyring extra: pip install 'ls-widget[keyring]'")
pytest.importorskip("keyrings.alt", reason="the test extra brings keyrings.alt's file keyring")

from ls_widget import ConfigurationError, OAuthClient  # noqa: E402
from ls_widget.clients import CLIENTS  # noqa: E402
from ls_widget.errors import StoreError  # noqa: E402
from ls_widget.storage import persistence  # noqa: E402
from ls_widget.token_store import TOKENS, TokenStore  # noqa: E402
from ls_widget.tokens import Token  # noqa: E402

from .refresh_race import refresh_from_threads  # noqa: E402

SECRET, REFRESH = "client-s3cr3t", "refresh-s3cr3t"
FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"


def _use_file_keyring(environ: dict, directory) -> None:
    environ["PYTHON_KEYRING_BACKEND"] = FILE_BACKEND
    environ["XDG_DATA_HOME"] = str(directory / "data")  # where keyrings.alt keeps its file on Linux
    environ["XDG_CONFIG_HOME"] = str(directory / "config")  # no keyringrc.cfg of the developer's


@pytest.fixture
def system_keyring(tmp_path, monkeypatch):
    """keyrings.alt's file keyring in this test's directory, detected afresh (and forgotten after the test)."""
    environ: dict = {}
    _use_file_keyring(environ, tmp_path)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    backend = keyring.get_keyring()
    assert type(backend).__name__ == "PlaintextKeyring" and str(tmp_path) in backend.file_path
    return backend


@pytest.fixture
def opted_in(system_keyring, monkeypatch):
    monkeypatch.setenv("LS_WIDGET_SECRETS", "keyring")
    return system_keyring


def secrets_in(backend) -> list[str]:
    """Every ls_widget secret in the keyring's file, read from the file itself (not through ls_widget)."""
    import base64
    import configparser

    from keyrings.alt import escape

    config = configparser.RawConfigParser()
    config.read(backend.file_path, encoding="utf-8")
    section = escape.escape(persistence.SERVICE)
    if not config.has_section(section):
        return []
    # keyrings.alt's file keyring keeps each password base64-encoded, under its escaped service and entry names.
    return sorted(base64.b64decode(value).decode() for _, value in config.items(section))


def file_of(store, name) -> dict:
    return json.loads(store.path(name).read_text())


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- round trips -----------------------------------------------------------------------------------------------------
def test_a_client_secret_goes_to_the_keyring_and_never_into_the_file(opted_in):
    OAuthClient("Shop", "abc", SECRET).save()
    path = CLIENTS.path("Shop")
    text = path.read_text()
    assert SECRET not in text and mode(path) == 0o600
    marker = json.loads(text)["client_secret"]
    assert marker["stored_in"] == "keyring" and marker["service"] == "ls_widget"
    assert opted_in.get_password("ls_widget", marker["entry"]) == SECRET
    loaded = OAuthClient.load("Shop")
    assert loaded.client_secret == SECRET and loaded.client_id == "abc" and SECRET not in repr(loaded)


def test_a_refresh_token_goes_to_the_keyring_the_access_token_stays_in_the_file(opted_in):
    token = Token("access-" + "x" * 3000, REFRESH, time.time() + 3600, scopes=("employee:all",), account_id="5")
    store = TokenStore("Downtown")
    store.save(token)
    record = file_of(TOKENS, "Downtown")
    assert REFRESH not in store.path.read_text() and record["access_token"] == token.access_token
    assert secrets_in(opted_in) == [REFRESH]
    assert TokenStore("Downtown").load() == token
    store.delete()
    assert store.load() is None and secrets_in(opted_in) == []  # the keyring entry goes with the sign-in


def test_without_the_opt_in_secrets_stay_in_0600_files_and_the_keyring_is_untouched(system_keyring):
    OAuthClient("Shop", "abc", SECRET).save()
    TokenStore("Downtown").save(Token("a", REFRESH, time.time() + 3600))
    assert file_of(CLIENTS, "Shop")["client_secret"] == SECRET and mode(CLIENTS.path("Shop")) == 0o600
    assert file_of(TOKENS, "Downtown")["refresh_token"] == REFRESH and mode(TOKENS.path("Downtown")) == 0o600
    assert not os.path.exists(system_keyring.file_path)


def test_a_client_without_a_secret_needs_no_keyring_entry(opted_in):
    OAuthClient("Public", "abc").save()
    assert file_of(CLIENTS, "Public")["client_secret"] is None and secrets_in(opted_in) == []
    assert not OAuthClient.load("Public").has_secret


# -- switching either way loses nothing ------------------------------------------------------------------------------
def test_opting_in_moves_a_file_secret_to_the_keyring_on_the_next_write(system_keyring, monkeypatch):
    OAuthClient("Shop", "abc", SECRET).save()
    monkeypatch.setenv("LS_WIDGET_SECRETS", "keyring")
    assert OAuthClient.load("Shop").client_secret == SECRET  # read where it is, before any write
    assert file_of(CLIENTS, "Shop")["client_secret"] == SECRET
    OAuthClient.load("Shop").save()
    assert SECRET not in CLIENTS.path("Shop").read_text()
    assert secrets_in(system_keyring) == [SECRET]
    assert OAuthClient.load("Shop").client_secret == SECRET


def test_opting_out_reads_from_the_keyring_and_moves_the_secret_back_on_the_next_write(opted_in, monkeypatch):
    TokenStore("Downtown").save(Token("a", REFRESH, time.time() + 3600))
    monkeypatch.delenv("LS_WIDGET_SECRETS")
    assert TokenStore("Downtown").load().refresh_token == REFRESH
    store = TokenStore("Downtown")
    fresh = store.refresh(store.load(), lambda t: Token("b", "rotated", time.time() + 3600), margin=0, force=True)
    assert file_of(TOKENS, "Downtown")["refresh_token"] == "rotated" == fresh.refresh_token
    assert secrets_in(opted_in) == []  # the retired entry is deleted, not left behind


def test_a_secret_is_filed_under_a_new_entry_on_every_write_and_the_old_one_retired(opted_in):
    OAuthClient("Shop", "abc", "first").save()
    first = file_of(CLIENTS, "Shop")["client_secret"]["entry"]
    OAuthClient("Shop", "abc", "second").save()
    second = file_of(CLIENTS, "Shop")["client_secret"]["entry"]
    assert first != second and secrets_in(opted_in) == ["second"]


def test_a_refused_file_write_leaves_the_old_record_and_no_stray_entry(opted_in, monkeypatch):
    OAuthClient("Shop", "abc", "old").save()
    before = file_of(CLIENTS, "Shop")

    def refuse(*args):
        raise OSError(30, "Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refuse)
        with pytest.raises(StoreError, match="read-only"):
            OAuthClient("Shop", "abc", "new").save()
    assert file_of(CLIENTS, "Shop") == before
    assert secrets_in(opted_in) == ["old"]


def test_the_panels_client_list_never_asks_the_keyring(opted_in, monkeypatch):
    """Listing the stored clients (the panel does at every render) says which have a secret without reading one:
    macOS asks the user to unlock each Keychain entry read, and a list must not."""
    from ls_widget.clients import read_client_summaries

    OAuthClient("Shop", "abc", SECRET).save()
    OAuthClient("Public", "pub").save()
    reads = []
    monkeypatch.setattr(type(opted_in), "get_password", lambda self, service, entry: reads.append(entry))
    summaries, problems = read_client_summaries()
    assert summaries == [{"name": "Public", "client_id": "pub", "has_secret": False},
                         {"name": "Shop", "client_id": "abc", "has_secret": True}]
    assert problems == [] and reads == []


# -- typed errors ----------------------------------------------------------------------------------------------------
def test_a_missing_keyring_entry_is_a_store_error_saying_what_to_do(opted_in):
    OAuthClient("Shop", "abc", SECRET).save()
    TokenStore("Downtown").save(Token("a", REFRESH, time.time() + 3600))
    for store, name, field in ((CLIENTS, "Shop", "client_secret"), (TOKENS, "Downtown", "refresh_token")):
        opted_in.delete_password("ls_widget", file_of(store, name)[field]["entry"])
    assert secrets_in(opted_in) == []
    with pytest.raises(StoreError, match="the keyring has no such entry.*add the client again") as info:
        OAuthClient.load("Shop")
    assert info.value.path == CLIENTS.path("Shop") and SECRET not in str(info.value)
    with pytest.raises(StoreError, match="refresh token is kept in the system keyring.*sign in again") as info:
        TokenStore("Downtown").load()
    assert info.value.path == TOKENS.path("Downtown")


def test_a_keyring_that_cannot_be_reached_at_read_time_is_a_store_error(opted_in, monkeypatch):
    OAuthClient("Shop", "abc", SECRET).save()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(StoreError, match="Could not read the client secret from the system keyring.*no keyring "
                                         "backend is available.*unset LS_WIDGET_SECRETS") as info:
        OAuthClient.load("Shop")
    assert info.value.path == CLIENTS.path("Shop")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_without_the_keyring_package_a_marked_secret_says_how_to_install_it(opted_in, monkeypatch):
    OAuthClient("Shop", "abc", SECRET).save()
    monkeypatch.setitem(sys.modules, "keyring", None)  # as if it were not installed
    with pytest.raises(StoreError, match=r"not installed \(pip install 'ls-widget\[keyring\]'\)"):
        OAuthClient.load("Shop")


def test_opting_in_without_a_usable_keyring_refuses_the_write_and_keeps_the_old_record(system_keyring, monkeypatch):
    OAuthClient("Shop", "abc", "old").save()
    monkeypatch.setenv("LS_WIDGET_SECRETS", "keyring")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(StoreError, match="Could not save the client secret in the system keyring.*no keyring"):
        OAuthClient("Shop", "abc", "new").save()
    assert file_of(CLIENTS, "Shop")["client_secret"] == "old"  # never silently written to the file instead


def test_a_keyring_backend_nobody_chose_is_not_trusted_with_secrets(system_keyring, monkeypatch):
    # keyring falls back on keyrings.alt's files (priority 0.5) merely because they are installed: not a choice.
    monkeypatch.setenv("LS_WIDGET_SECRETS", "keyring")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.set_keyring(system_keyring)
    with pytest.raises(StoreError, match="does not recommend; choose it explicitly"):
        OAuthClient("Shop", "abc", SECRET).save()
    assert not CLIENTS.path("Shop").exists()


def test_an_unknown_secrets_setting_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("LS_WIDGET_SECRETS", "vault")
    with pytest.raises(ConfigurationError, match="LS_WIDGET_SECRETS must be 'file'.*or 'keyring'.*not 'vault'"):
        OAuthClient("Shop", "abc", SECRET).save()


@pytest.mark.parametrize("marker", [{"stored_in": "vault", "service": "ls_widget", "entry": "x"},
                                    {"stored_in": "keyring", "service": "other", "entry": "x"},
                                    {"stored_in": "keyring", "service": "ls_widget", "entry": 5}])
def test_a_marker_ls_widget_did_not_write_is_a_broken_record(ls_home, marker):
    path = CLIENTS.path("Shop")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"client_id": "abc", "client_secret": marker}))
    with pytest.raises(StoreError, match="neither text nor a keyring marker.*add the client again"):
        OAuthClient.load("Shop")


# -- concurrency -----------------------------------------------------------------------------------------------------
def test_a_reader_that_finds_its_entry_retired_reads_the_file_again(opted_in, monkeypatch):
    """A writer replaces the record (and deletes the entry the old file named) between a reader's read of the file
    and its read of the keyring: the reader must not call the sign-in lost."""
    store = TokenStore("Downtown")
    store.save(Token("a", REFRESH, time.time() + 3600))
    real_load = persistence.KeyringPersistence.load
    raced = []

    def load_after_a_refresh_elsewhere(self, key):
        if not raced:
            raced.append(key)
            TOKENS.write("Downtown", Token("b", "rotated", time.time() + 3600).to_record())
        return real_load(self, key)

    monkeypatch.setattr(persistence.KeyringPersistence, "load", load_after_a_refresh_elsewhere)
    assert TokenStore("Downtown").load().refresh_token == "rotated"
    assert raced and real_load(persistence.KeyringPersistence(), raced[0]) is None  # that entry really was gone


def test_sixteen_threads_refresh_once_and_the_keyring_keeps_only_the_new_token(opted_in):
    store = TokenStore("c")
    stale = Token("old-access", REFRESH, time.time() - 10)
    store.save(stale)
    calls = []

    def do_refresh(current):
        calls.append(current.refresh_token)
        return Token("new-access", "new-refresh", time.time() + 3600)

    results = refresh_from_threads(store, stale, do_refresh)
    assert calls == [REFRESH] and {r.refresh_token for r in results} == {"new-refresh"}
    assert secrets_in(opted_in) == ["new-refresh"]


ROUNDS = 5


def _rotate_in_child(environ, ledger_path, barrier):
    os.environ.update(environ)
    store = TokenStore("shared")
    barrier.wait()
    for _ in range(ROUNDS):
        # The stale token is read under the lock: keyrings.alt's file keyring rewrites its one file in place, so a
        # read outside the lock could see it half-written (the OS keyrings write each entry atomically).
        with store.locked():
            stale = store.load()

        def do_refresh(current):  # the token server: every refresh token is spent once, and a new one issued
            issued = f"refresh-{os.getpid()}-{time.monotonic_ns()}"
            with open(ledger_path, "a") as ledger:
                ledger.write(f"{current.refresh_token} {issued}\n")
            return Token(f"access-{issued}", issued, time.time() - 1)  # expired at once: the next caller refreshes

        store.refresh(stale, do_refresh, margin=0)


def test_processes_rotating_refresh_tokens_through_the_keyring_keep_the_chain(opted_in, tmp_path, ls_home):
    TokenStore("shared").save(Token("access-0", REFRESH, time.time() - 1))
    environ = {"LS_WIDGET_HOME": str(ls_home), "LS_WIDGET_SECRETS": "keyring"}
    _use_file_keyring(environ, tmp_path)
    ledger = tmp_path / "ledger.txt"
    ledger.touch()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    children = [context.Process(target=_rotate_in_child, args=(environ, str(ledger), barrier)) for _ in range(4)]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    exchanges = [line.split() for line in ledger.read_text().splitlines()]
    assert len(exchanges) >= ROUNDS  # every child refreshed at least each time it held the latest token
    spent = [used for used, _ in exchanges]
    assert len(set(spent)) == len(spent), "a refresh token was used twice: the chain broke"
    assert spent[0] == REFRESH and all(spent[i + 1] == exchanges[i][1] for i in range(len(exchanges) - 1))
    final = TokenStore("shared").load()
    assert final.refresh_token == exchanges[-1][1]
    assert secrets_in(opted_in) == [final.refresh_token]  # every retired entry deleted
