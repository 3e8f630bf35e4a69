"""A broken disk and hostile files: every problem is a StoreError that names the file and says what to do."""

import builtins
import errno
import json
import os
import shutil
import subprocess
from contextlib import contextmanager

import pytest

import ls_widget
from ls_widget import LightspeedError, OAuthClient, store
from ls_widget.clients import client_from_dialog, read_client_summaries
from ls_widget.connections import ConnectionRecord
from ls_widget.errors import StoreError
from ls_widget.storage import files
from ls_widget.token_store import TOKENS

RAW_ERRORS = (UnicodeDecodeError, KeyError, TypeError, AttributeError, RecursionError)

BROKEN_CONTENT = {
    "empty": b"",
    "blank": b"  \n",
    "truncated": b'{"name": "Shop", "client_id": "ab',
    "binary": b"\xff\xfe\x00\x01\x89PNG",
    "latin-1": '{"name": "Caf\u00e9", "client_id": "abc"}'.encode("latin-1"),
    "not json": b"client_id = abc",
    "array": b"[]",
    "string": b'"Shop"',
    "null": b"null",
    "number": b"5",
    "NaN": b'{"client_id": NaN}',
    "deep nesting": b"[" * 100_000,
    "huge number": b'{"client_id": "abc", "x": ' + b"1" * 5000 + b"}",
}

BROKEN_CLIENTS = {
    **BROKEN_CONTENT,
    "name not text": b'{"name": 5, "client_id": "abc"}',
    "no client_id": b'{"name": "Shop"}',
    "client_id not text": b'{"name": "Shop", "client_id": 12345}',
    "client_id with spaces": b'{"name": "Shop", "client_id": "a b"}',
    "secret not text": b'{"name": "Shop", "client_id": "abc", "client_secret": 7}',
    "secret a list": b'{"name": "Shop", "client_id": "abc", "client_secret": ["s3cr3t"]}',
}

BROKEN_CONNECTIONS = {
    **BROKEN_CONTENT,
    "name not text": b'{"name": 5}',
    "scopes text": b'{"name": "Shop", "scopes": "x"}',
    "scopes of numbers": b'{"name": "Shop", "scopes": [1, 2]}',
    "unknown api_type": b'{"name": "Shop", "api_type": "v9"}',
    "api_type a list": b'{"name": "Shop", "api_type": ["v3"]}',
    "oauth_client a number": b'{"name": "Shop", "oauth_client": 3}',
    "unknown capture_mode": b'{"name": "Shop", "capture_mode": "fax"}',
    "account_id a number": b'{"name": "Shop", "account_id": 12}',
}


def put(kind, name, content: bytes):
    path = store.record_path(kind, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def check_store_error(info, path, remedy):
    error = info.value
    assert isinstance(error, StoreError) and isinstance(error, LightspeedError) and isinstance(error, OSError)
    assert error.path == path
    assert str(path) in str(error) and remedy in str(error)
    assert not isinstance(error.__cause__, RAW_ERRORS)
    assert error.__suppress_context__ or not isinstance(error.__context__, RAW_ERRORS)  # tracebacks show only ours


# -- broken content ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", BROKEN_CLIENTS.values(), ids=BROKEN_CLIENTS.keys())
def test_a_broken_client_file_is_a_store_error_naming_it(content):
    path = put("clients", "Shop", content)
    with pytest.raises(StoreError) as info:
        OAuthClient.load("Shop")
    check_store_error(info, path, "delete it and add the client again in the panel")
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize("content", BROKEN_CONNECTIONS.values(), ids=BROKEN_CONNECTIONS.keys())
def test_a_broken_connection_file_is_a_store_error_naming_it(content):
    path = put("connections", "Shop", content)
    with pytest.raises(StoreError) as info:
        ConnectionRecord.load("Shop")
    check_store_error(info, path, "save the connection again")


def test_a_record_is_a_json_object():
    path = put("tokens", "Shop", b"[1, 2]")
    with pytest.raises(StoreError, match="holds a JSON array instead of an object") as info:
        TOKENS.read("Shop")
    check_store_error(info, path, "sign in again")
    assert TOKENS.read("Nothing") is None


def test_the_messages_say_what_is_wrong():
    cases = {
        b"": "it is empty",
        b"\xff": "not text",
        b"{": r"not valid JSON \(line 1, column 2",
        b'{"name": "Shop"}': 'no "client_id"',
        b'{"client_id": "abc", "client_secret": 7}': '"client_secret" is not text',
    }
    for content, problem in cases.items():
        put("clients", "Shop", content)
        with pytest.raises(StoreError, match=problem):
            OAuthClient.load("Shop")
    put("connections", "Shop", b'{"scopes": "x"}')
    with pytest.raises(StoreError, match="'scopes' is 'x', not a list of scope ids"):
        ConnectionRecord.load("Shop")


def test_older_and_newer_connection_files_still_load():
    put("connections", "Old", b'{"name": "Old", "scopes": ["employee:all"]}')  # fields added later are missing
    put("connections", "New", b'{"name": "New", "api_type": "v2", "colour": "teal"}')  # a field from the future
    assert ConnectionRecord.load("Old").scopes == ["employee:all"]
    assert ConnectionRecord.load("Old").api_type == "v3"
    assert ConnectionRecord.load("New").api_type == "v2"


def test_a_broken_file_that_is_overwritten_works_again():
    put("clients", "Shop", b"{")
    OAuthClient("Shop", "abc").save()
    assert OAuthClient.load("Shop").client_id == "abc"


# -- files that cannot be read -----------------------------------------------------------------------------------
def test_a_directory_where_a_record_should_be(ls_home):
    path = store.record_path("clients", "Shop")
    path.mkdir(parents=True)
    with pytest.raises(StoreError, match="it is a directory") as info:
        OAuthClient.load("Shop")
    check_store_error(info, path, "add the client again")


@pytest.mark.timeout(20)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_where_a_record_should_be_does_not_hang():
    path = store.record_path("connections", "Shop")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    with pytest.raises(StoreError, match="it is not a regular file") as info:
        ConnectionRecord.load("Shop")
    check_store_error(info, path, "save the connection again")


def test_an_unreadable_file_is_a_store_error(monkeypatch):
    path = put("clients", "Shop", b'{"client_id": "abc"}')
    denied = OSError(errno.EACCES, "Permission denied")  # root reads through chmod 000: simulate the refusal

    def refuse(real):
        def opener(file, *args, **kwargs):
            if os.fspath(file) == os.fspath(path):
                raise PermissionError(*denied.args)
            return real(file, *args, **kwargs)

        return opener

    monkeypatch.setattr(os, "open", refuse(os.open))
    monkeypatch.setattr(builtins, "open", refuse(builtins.open))
    with pytest.raises(StoreError, match="permission denied") as info:
        OAuthClient.load("Shop")
    check_store_error(info, path, "make it readable by you")
    with pytest.raises(StoreError):
        store.read_json(path)


def test_read_json_says_missing_with_file_not_found(ls_home):
    with pytest.raises(FileNotFoundError):
        store.read_json(ls_home / "clients" / "nothing.json")


# -- one broken record never hides the others ---------------------------------------------------------------------
def test_a_broken_client_never_hides_the_others():
    OAuthClient("Alpha", "aaa", "secret-a").save()
    OAuthClient("Gamma", "ggg").save()
    broken = put("clients", "Beta", b"[]")
    assert ls_widget.oauth_clients() == ["Alpha", "Beta", "Gamma"]
    good = [
        {"name": "Alpha", "client_id": "aaa", "has_secret": True},
        {"name": "Gamma", "client_id": "ggg", "has_secret": False},
    ]
    summaries, problems = read_client_summaries()  # the panel's list never raises for one bad file
    assert summaries == good
    assert [p.path for p in problems] == [broken] and all(isinstance(p, StoreError) for p in problems)


def test_the_client_list_reads_a_secret_as_the_client_does(ls_home):
    """A blank secret is no secret; one that is not text makes the record broken, in the list as when loaded."""
    put("clients", "Blank", json.dumps({"name": "Blank", "client_id": "b", "client_secret": "  "}).encode())
    wrong = put("clients", "Number", json.dumps({"name": "Number", "client_id": "n", "client_secret": 7}).encode())
    summaries, problems = read_client_summaries()
    assert summaries == [{"name": "Blank", "client_id": "b", "has_secret": False}]
    assert [p.path for p in problems] == [wrong]
    assert not OAuthClient.load("Blank").has_secret
    with pytest.raises(StoreError):
        OAuthClient.load("Number")


def test_an_unreadable_clients_directory_is_a_problem_not_a_crash(ls_home, monkeypatch):
    OAuthClient("Alpha", "aaa").save()
    real = os.scandir

    def refuse(path="."):
        if os.fspath(path) == os.fspath(ls_home / "clients"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    summaries, problems = read_client_summaries()
    assert summaries == [] and len(problems) == 1 and problems[0].path == ls_home / "clients"


def test_a_broken_connection_never_hides_the_others():
    ConnectionRecord("Alpha").save()
    put("connections", "Beta", b"\x00\x01")
    ConnectionRecord("Gamma").save()
    assert ls_widget.saved_connections() == ["Alpha", "Beta", "Gamma"]
    assert ConnectionRecord.load("Gamma").name == "Gamma"


def test_editing_a_client_whose_file_is_broken_asks_for_the_secret_again():
    put("clients", "Shop", b"{")
    with pytest.raises(ls_widget.ConfigurationError, match="enter the client secret again") as info:
        client_from_dialog({"name": "Shop", "client_id": "abc", "client_secret": ""}, "Shop")
    assert info.value.field == "client_secret"
    assert client_from_dialog({"name": "Shop", "client_id": "abc", "client_secret": "new"}, "Shop").has_secret


# -- a disk that refuses writes ----------------------------------------------------------------------------------
def fail_with(code):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    "where, code, message",
    [
        ("mkstemp", errno.EROFS, "is read-only or not writable by you.*point LS_WIDGET_HOME at a writable"),
        ("mkstemp", errno.EACCES, "is read-only or not writable by you"),
        ("fsync", errno.ENOSPC, "is full.*free some space, or point LS_WIDGET_HOME elsewhere"),
        ("fsync", errno.EDQUOT, "is full"),
        ("replace", errno.EROFS, "read-only"),
        ("replace", errno.EIO, "Input/output error"),
    ],
)
def test_a_refused_write_is_a_store_error_and_keeps_the_old_record(ls_home, monkeypatch, where, code, message):
    OAuthClient("Shop", "old-id").save()
    path = store.record_path("clients", "Shop")
    target = {"mkstemp": (files.tempfile, "mkstemp"), "fsync": (os, "fsync"), "replace": (os, "replace")}[where]
    with monkeypatch.context() as patch:
        patch.setattr(*target, fail_with(code))
        with pytest.raises(StoreError, match=message) as info:
            OAuthClient("Shop", "new-id").save()
    assert info.value.path == path and str(path) in str(info.value) and str(ls_home) in str(info.value)
    assert OAuthClient.load("Shop").client_id == "old-id"
    assert [p.name for p in path.parent.iterdir()] == ["Shop.json"]  # no temp file left behind


def test_a_refused_directory_is_a_store_error(ls_home, monkeypatch):
    monkeypatch.setenv("LS_WIDGET_HOME", str(ls_home / "sub"))
    monkeypatch.setattr(os, "mkdir", fail_with(errno.EROFS))
    with pytest.raises(StoreError, match="read-only"):
        ConnectionRecord("Shop").save()
    with pytest.raises(StoreError, match="read-only"):
        store.private_dir("clients")


def test_a_refused_delete_is_a_store_error(monkeypatch):
    OAuthClient("Shop", "abc").save()
    ConnectionRecord("Shop").save()
    monkeypatch.setattr(os, "unlink", fail_with(errno.EROFS))
    with pytest.raises(StoreError, match="read-only"):
        OAuthClient.delete("Shop")
    with pytest.raises(StoreError, match="read-only"):
        ConnectionRecord.delete("Shop")


def test_reads_work_when_every_write_fails(ls_home, monkeypatch):
    OAuthClient("Shop", "abc").save()
    ConnectionRecord("Shop", scopes=["employee:all"]).save()
    for module, name in ((os, "mkdir"), (os, "chmod"), (os, "replace"), (os, "unlink"), (files.tempfile, "mkstemp")):
        monkeypatch.setattr(module, name, fail_with(errno.EROFS))
    assert OAuthClient.load("Shop").client_id == "abc"
    assert ConnectionRecord.load("Shop").scopes == ["employee:all"]
    assert ls_widget.oauth_clients() == ["Shop"] and ls_widget.saved_connections() == ["Shop"]
    assert TOKENS.read("Shop") is None and store.record_names("tokens") == []


@contextmanager
def read_only(*directories):
    """Really read-only: chmod for a normal user; for root (whom chmod does not stop) the immutable attribute."""
    if os.geteuid() != 0:
        for d in directories:
            os.chmod(d, 0o500)
        try:
            yield
        finally:
            for d in directories:
                os.chmod(d, 0o700)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a directory read-only")
    done = []
    try:
        for d in directories:
            if subprocess.run(["chattr", "+i", str(d)], capture_output=True).returncode != 0:
                pytest.skip("this file system does not support the immutable attribute")
            done.append(d)
        yield
    finally:
        for d in done:
            subprocess.run(["chattr", "-i", str(d)], check=True)


def test_a_really_read_only_home(ls_home):
    OAuthClient("Shop", "abc").save()
    ConnectionRecord("Shop").save()
    with read_only(ls_home, ls_home / "clients", ls_home / "connections"):
        assert OAuthClient.load("Shop").client_id == "abc"
        assert ConnectionRecord.load("Shop").name == "Shop"
        assert TOKENS.read("Shop") is None
        with pytest.raises(StoreError, match="read-only or not writable.*LS_WIDGET_HOME") as info:
            OAuthClient("Shop", "new-id").save()
        assert info.value.path == ls_home / "clients" / "Shop.json"
        with pytest.raises(StoreError, match="read-only"):
            store.write_json(store.record_path("tokens", "Shop"), {})
        assert OAuthClient.load("Shop").client_id == "abc"
    assert sorted(p.name for p in (ls_home / "clients").iterdir()) == ["Shop.json"]
