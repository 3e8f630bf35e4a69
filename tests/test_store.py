import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ls_widget import ConfigurationError, store


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

    monkeypatch.setattr(store.json, "dump", fail)
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


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_any_name_maps_to_one_safe_file_and_back(name):
    try:
        path = store.record_path("names", name)
    except ConfigurationError:
        assert len(name.encode()) * 3 + 5 > 255  # only names too long for a file name are refused
        return
    assert path.parent == store.home() / "names"
    assert "/" not in path.name and not path.name.startswith(".")
    store.write_json(path, {})
    try:
        assert name in store.record_names("names")
    finally:
        path.unlink()


def test_names_are_listed_sorted_and_temp_files_skipped(ls_home):
    for name in ("beta", "Alpha", "gamma"):
        store.write_json(store.record_path("clients", name), {})
    (ls_home / "clients" / ".tmp-abc.json").write_text("{}")
    assert store.record_names("clients") == ["Alpha", "beta", "gamma"]
    assert store.record_names("nothing-here") == []


def test_a_name_too_long_for_a_file_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="too long to store"):
        store.record_path("clients", "\U00010000" * 60)
