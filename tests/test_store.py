import os
import stat

import time

import pytest

from ls_widget import ConfigurationError, OAuthClient, store
from ls_widget.clients import CLIENTS
from ls_widget.connections import CONNECTIONS, ConnectionRecord, check_new_name
from ls_widget.names import Name
from ls_widget.storage import files


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_home_defaults_to_the_platform_user_data_dir(monkeypatch):
    monkeypatch.delenv("LS_WIDGET_HOME")
    assert store.home().name == "ls_widget"


def test_directories_are_private_even_with_a_loose_umask(ls_home):
    old = os.umask(0)
    try:
        directory = store.private_dir("clients")
    finally:
        os.umask(old)
    assert mode(directory) == 0o700 and mode(ls_home) == 0o700


def test_existing_loose_directory_is_tightened(ls_home):
    (ls_home / "clients").mkdir(mode=0o755)
    os.chmod(ls_home / "clients", 0o755)
    store.private_dir("clients")
    assert mode(ls_home / "clients") == 0o700


def test_records_are_written_0600_and_read_back():
    path = store.record_path("clients", "Shop")
    store.write_json(path, {"a": 1})
    assert mode(path) == 0o600
    assert store.read_json(path) == {"a": 1}


def test_write_is_atomic_a_failed_write_keeps_the_old_record(monkeypatch):
    path = store.record_path("clients", "Shop")
    store.write_json(path, {"version": 1})

    class Boom(Exception):
        pass

    def fail(*args, **kwargs):
        raise Boom()

    monkeypatch.setattr(files.json, "dump", fail)
    with pytest.raises(Boom):
        store.write_json(path, {"version": 2})
    monkeypatch.undo()
    assert store.read_json(path) == {"version": 1}
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_a_replaced_record_is_never_half_written(ls_home):
    path = store.record_path("clients", "Shop")
    store.write_json(path, {"blob": "x" * 100_000})
    store.write_json(path, {"blob": "y"})
    assert store.read_json(path) == {"blob": "y"}


def test_names_are_listed_sorted_and_temp_files_skipped(ls_home):
    for name in ("beta", "Alpha", "gamma"):
        store.write_json(store.record_path("clients", name), {})
    (ls_home / "clients" / ".tmp-abc.json").write_text("{}")
    assert store.record_names("clients") == ["Alpha", "beta", "gamma"]
    assert store.record_names("nothing-here") == []


def test_a_name_too_long_for_a_file_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="too long to store"):
        store.record_path("clients", "\U00010000" * 60)


# -- reads never write -----------------------------------------------------------------------------------------
def test_computing_a_path_or_reading_creates_nothing(ls_home):
    path = store.record_path("clients", "Shop")
    assert CLIENTS.read("Shop") is None
    assert store.record_names("clients") == []
    assert path.parent == ls_home / "clients"
    assert list(ls_home.iterdir()) == []  # no clients/ directory, and the home's mode untouched


def test_reading_leaves_a_loose_directory_alone_and_the_next_write_tightens_it(ls_home):
    (ls_home / "clients").mkdir()
    os.chmod(ls_home / "clients", 0o755)
    assert CLIENTS.read("Shop") is None
    assert mode(ls_home / "clients") == 0o755  # reading changes nothing...
    store.write_json(store.record_path("clients", "Shop"), {})
    assert mode(ls_home / "clients") == 0o700  # ...writing makes it private


def test_a_write_creates_private_directories_even_with_a_loose_umask(ls_home, monkeypatch):
    home = ls_home / "new" / "home"
    monkeypatch.setenv("LS_WIDGET_HOME", str(home))
    old = os.umask(0)
    try:
        store.write_json(store.record_path("connections", "Shop"), {})
    finally:
        os.umask(old)
    assert mode(home) == 0o700 and mode(home / "connections") == 0o700
    assert mode(home / "connections" / "Shop.json") == 0o600


# -- one name, one record --------------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["  Downtown ", "Downtown\t", "\u00a0Downtown"])
def test_record_path_normalises_the_name(spelling):
    assert store.record_path("connections", spelling) == store.record_path("connections", "Downtown")


def test_composed_and_decomposed_accents_are_one_record():
    OAuthClient("Caf\u00e9", "abc").save()  # "Café" typed with a precomposed é...
    loaded = OAuthClient.load("Cafe\u0301")  # ...and with e + combining acute accent
    assert loaded.name == "Caf\u00e9"
    assert store.record_names("clients") == ["Caf\u00e9"]


def test_a_connection_record_normalises_its_name():
    ConnectionRecord("  Downtown ").save()
    assert ConnectionRecord.load("Downtown").name == "Downtown"
    assert store.record_names("connections") == ["Downtown"]


def test_files_written_by_earlier_versions_are_still_found(ls_home):
    # Earlier versions stored "con" as con.json and "Store." as Store..json; both are now escaped for Windows.
    (ls_home / "clients").mkdir()
    for file_name, name in (("con.json", "con"), ("Store..json", "Store.")):
        (ls_home / "clients" / file_name).write_text(f'{{"name": "{name}", "client_id": "abc"}}')
    assert store.record_names("clients") == ["con", "Store."]
    assert OAuthClient.load("con").client_id == "abc" and OAuthClient.load("Store.").name == "Store."
    assert store.record_path("clients", "con") == ls_home / "clients" / "con.json"
    OAuthClient("con", "new-id").save()  # an update keeps using the old file
    assert sorted(p.name for p in (ls_home / "clients").iterdir()) == ["Store..json", "con.json"]
    assert OAuthClient.load("con").client_id == "new-id"


def test_files_the_store_did_not_write_are_not_listed(ls_home):
    directory = ls_home / "clients"
    directory.mkdir()
    for file_name in (".hidden.json", "notes.txt", "%FF.json", "%0A.json", "Shop.json.lock", "%20Shop.json"):
        (directory / file_name).write_text("{}")
    OAuthClient("Shop", "abc").save()
    assert store.record_names("clients") == ["Shop"]


# -- names that differ only in case (one file on Windows and macOS) ---------------------------------------------
def test_find_conflict_reports_a_stored_name_differing_only_in_case():
    OAuthClient("Store", "abc").save()
    assert CLIENTS.conflict("store") == "Store"
    assert CLIENTS.conflict(" STORE ") == "Store"
    assert CLIENTS.conflict("Store") is None  # itself: saving it again is an update
    assert CLIENTS.conflict("Stores") is None
    assert CONNECTIONS.conflict("store") is None  # kinds are separate


def test_a_new_client_differing_only_in_case_is_refused_an_update_is_not():
    OAuthClient("Store", "abc").save()
    with pytest.raises(ConfigurationError, match="'Store'.*only in upper/lower case"):
        OAuthClient("store", "xyz").save()
    OAuthClient("Store", "xyz").save()
    assert OAuthClient.load("Store").client_id == "xyz"
    assert store.record_names("clients") == ["Store"]


def test_a_new_connection_differing_only_in_case_is_refused():
    ConnectionRecord("Downtown").save()
    with pytest.raises(ConfigurationError, match="'Downtown'.*only in upper/lower case"):
        ConnectionRecord("DOWNTOWN").save()
    with pytest.raises(ConfigurationError, match="only in upper/lower case"):
        check_new_name("downtown")
    assert check_new_name(" Uptown ") == "Uptown"
    ConnectionRecord("Downtown", api_type="v2").save()  # an update
    assert ConnectionRecord.load("Downtown").api_type == "v2"


def test_a_rename_may_change_only_the_case_of_a_connection():
    ConnectionRecord("downtown").save()
    ConnectionRecord("Downtown").save(replacing=" downtown")  # the renamer deletes "downtown" next
    ConnectionRecord.delete("downtown")
    assert store.record_names("connections") == ["Downtown"]
    with pytest.raises(ConfigurationError, match="only in upper/lower case"):
        ConnectionRecord("DOWNTOWN").save(replacing="Uptown")


def test_a_record_found_through_another_case_keeps_its_stored_name(ls_home):
    # What a case-insensitive file system does: "reports" opens Reports.json. Simulated by a file named in lower
    # case holding the name as the analyst typed it.
    (ls_home / "clients").mkdir()
    (ls_home / "clients" / "reports.json").write_text('{"name": "Reports", "client_id": "abc"}')
    assert OAuthClient.load("reports").name == "Reports"


def test_a_copied_file_is_the_record_its_file_name_says(ls_home):
    OAuthClient("Reports", "abc").save()
    (ls_home / "clients" / "Copy.json").write_bytes((ls_home / "clients" / "Reports.json").read_bytes())
    assert OAuthClient.load("Copy").name == "Copy"


# -- leftovers of a crashed write ------------------------------------------------------------------------------
def test_a_write_sweeps_stale_temp_files_but_not_a_fresh_one(ls_home):
    store.write_json(store.record_path("clients", "Shop"), {"v": 1})
    directory = ls_home / "clients"
    stale, fresh = directory / ".tmp-crashed.json", directory / ".tmp-writing-now.json"
    stale.write_text("{")
    fresh.write_text("{")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    store.write_json(store.record_path("clients", "Other"), {"v": 2})
    assert not stale.exists()
    assert fresh.exists()  # another process may be about to rename it into place
    assert store.record_names("clients") == ["Other", "Shop"]


def test_sweep_age_is_configurable_and_leaves_records_alone(ls_home):
    store.write_json(store.record_path("clients", "Shop"), {})
    (ls_home / "clients" / ".tmp-x.json").write_text("")
    store.sweep_temp_files(ls_home / "clients", older_than=-1)
    assert [p.name for p in (ls_home / "clients").iterdir()] == ["Shop.json"]
    store.sweep_temp_files(ls_home / "missing")  # a directory that is not there is not an error


# -- a name is normalised once, where it enters -----------------------------------------------------------------
def test_a_normalised_name_is_not_normalised_again():
    from ls_widget.names import normalize_name

    name = normalize_name("  Downtown ")
    assert type(name) is Name and normalize_name(name) is name and CONNECTIONS.name(name) is name


def test_loading_a_connection_and_its_sign_in_normalises_the_name_once(monkeypatch):
    from ls_widget import names
    from ls_widget.token_store import TokenStore

    ConnectionRecord("Downtown").save()
    calls = []
    real = names.unicodedata.normalize

    def counting(form, text):
        calls.append(text)
        return real(form, text)

    monkeypatch.setattr(names.unicodedata, "normalize", counting)
    record = ConnectionRecord.load(" Downtown ")
    TokenStore(record.name).current()
    assert record.name == "Downtown"
    # The argument once, and the "name" the file holds once (what a file says is an input too); before, five times.
    assert calls == ["Downtown", "Downtown"]
