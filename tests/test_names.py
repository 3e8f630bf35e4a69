"""The one normalisation of record names, and the file names they are stored under."""

import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ls_widget import ConfigurationError, OAuthClient, store
from ls_widget.clients import validate_name
from ls_widget.connections import ConnectionRecord
from ls_widget.names import MAX_STEM_BYTES, file_stem, name_from_stem, normalize_name

# What Windows refuses in a file name, written out independently of the implementation.
_WINDOWS_BAD_CHARS = set('<>:"/\\|?*') | {chr(i) for i in range(32)}
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}


def windows_problem(file_name: str) -> str | None:
    if any(ch in _WINDOWS_BAD_CHARS for ch in file_name):
        return "forbidden character"
    if file_name.endswith((".", " ")):
        return "trailing dot or space"
    if file_name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        return "device name"
    if len(file_name.encode()) > 255:
        return "longer than 255 bytes"
    return None


# -- normalize_name --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  Downtown  ", "Downtown"),
        ("\tDowntown\n", "Downtown"),
        ("\u3000Downtown\u00a0", "Downtown"),  # Unicode spaces too
        ("Cafe\u0301", "Caf\u00e9"),  # NFC
        ("Down town", "Down town"),  # inner spaces are part of the name
        ("x" * 100, "x" * 100),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        (None, "Give the connection a name"),
        ("", "Give the connection a name"),
        ("   ", "Give the connection a name"),
        (5, "must be text, not int"),
        (b"Downtown", "must be text, not bytes"),
        ("x" * 101, "too long: keep it under 100"),
        ("a\nb", "control characters or line breaks"),
        ("a\x00b", "control characters"),
        ("a\x7fb", "control characters"),
        ("a\u2028b", "line breaks"),
        ("a\ud800b", "control characters"),  # a lone surrogate cannot become a file name
        ("\u4e2d" * 30, "too long to store as a file name"),  # 30 characters, 270 encoded bytes
    ],
)
def test_normalize_name_refuses_with_an_actionable_message(raw, message):
    with pytest.raises(ConfigurationError, match=message):
        normalize_name(raw)


def test_the_message_names_what_is_being_named():
    with pytest.raises(ConfigurationError, match="Give the OAuth 2.0 client a name"):
        normalize_name("", "OAuth 2.0 client")


def test_every_stored_name_goes_through_the_same_normalisation():
    raw = "  Cafe\u0301 "
    assert validate_name(raw) == ConnectionRecord(raw).name == normalize_name(raw) == "Caf\u00e9"
    assert store.record_path("clients", raw) == store.record_path("clients", "Caf\u00e9")
    for bad in ("a\nb", "x" * 101, ""):
        for call in (validate_name, ConnectionRecord, lambda n: store.record_path("tokens", n)):
            with pytest.raises(ConfigurationError):
                call(bad)


# -- file names ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Shop", "Downtown store reports", "a-b_c.d~e", "Caf\u00e9 \u4e2d", "50% off", "a/b"])
def test_ordinary_names_keep_the_file_name_earlier_versions_used(name):
    assert file_stem(name) == quote(name, safe=" -_")


@pytest.mark.parametrize(
    "name, stem",
    [
        ("con", "%63on"),
        ("CON", "%43ON"),
        ("Nul", "%4Eul"),
        ("com1", "%63om1"),
        ("LPT9", "%4CPT9"),
        ("con.txt", "%63on.txt"),  # Windows reserves device names whatever the extension
        ("aux.tar.gz", "%61ux.tar.gz"),
        ("prn .x", "%70rn .x"),
        ("Store.", "Store%2E"),  # Windows drops trailing dots: "Store." would become "Store"
        ("Store..", "Store.%2E"),
        (".hidden", "%2Ehidden"),
        ("console", "console"),  # only the exact device names
        ("com10", "com10"),
        ('a<b>c:d"e/f\\g|h?i*', "a%3Cb%3Ec%3Ad%22e%2Ff%5Cg%7Ch%3Fi%2A"),
    ],
)
def test_names_windows_would_refuse_are_escaped(name, stem):
    assert file_stem(name) == stem
    assert name_from_stem(stem) == name
    assert store.record_path("clients", name).name == stem + ".json"
    assert windows_problem(stem) is None and windows_problem(stem + ".json") is None


def test_a_windows_device_name_is_stored_and_listed():
    OAuthClient("con", "abc").save()
    OAuthClient("Store.", "def").save()
    assert OAuthClient.load("con").client_id == "abc"
    assert store.record_names("clients") == ["con", "Store."]
    assert sorted(p.name for p in store.home().joinpath("clients").iterdir()) == ["%63on.json", "Store%2E.json"]


def test_name_from_stem_refuses_what_no_name_encodes_to():
    assert name_from_stem("%FF") is None  # not UTF-8
    assert name_from_stem("%0A") is None  # a line break
    assert name_from_stem("%20x") is None  # " x" normalises to "x"
    assert name_from_stem("Caf%C3%A9") == "Caf\u00e9"
    assert name_from_stem("Cafe%CC%81") is None  # decomposed: the store writes the NFC spelling
    assert name_from_stem("%53hop") is None  # "Shop" is stored as Shop.json
    assert name_from_stem("") is None


# -- properties ------------------------------------------------------------------------------------------------
_NAMES = st.one_of(
    st.text(min_size=1, max_size=110),  # anything, surrogates and control characters included
    st.text(st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=40),
    st.builds(  # Windows device names, in any case, with extensions, spaces and trailing dots
        lambda device, case, tail: "".join(c.upper() if u else c.lower() for c, u in zip(device, case)) + tail,
        st.sampled_from(sorted(_WINDOWS_DEVICES)),
        st.lists(st.booleans(), min_size=4, max_size=4),
        st.text(alphabet=". x~", max_size=5),
    ),
    st.text(alphabet='.<>:"/\\|?* %~aA\u00e9', min_size=1, max_size=12),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_NAMES)
@example("..")
@example("../../etc/passwd")
@example("NUL.")
@example("\u4e2d" * 27)  # the longest run of 3-byte characters that fits
def test_any_accepted_name_round_trips_through_a_safe_file(ls_home, raw):
    try:
        name = normalize_name(raw)
    except ConfigurationError:
        return  # refused with the typed, actionable error; nothing else may escape
    assert normalize_name(name) == name  # idempotent
    assert name == unicodedata.normalize("NFC", name) and name == name.strip() and 1 <= len(name) <= 100

    path = store.record_path("names", raw)
    assert path == store.record_path("names", name)
    assert path.parent == ls_home / "names"  # never escapes the kind's directory
    stem = path.name[: -len(".json")]
    assert stem.isascii() and stem not in (".", "..") and not stem.startswith(".")
    assert len(stem) <= MAX_STEM_BYTES
    for file_name in (stem, path.name, path.name + ".lock"):  # the token store's lock file sits beside it
        assert windows_problem(file_name) is None, (file_name, windows_problem(file_name))
    assert name_from_stem(stem) == name

    store.write_json(path, {})
    try:
        assert store.record_names("names") == [name]
    finally:
        path.unlink()


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_different_names_never_share_a_file(a, b):
    try:
        a, b = normalize_name(a), normalize_name(b)
    except ConfigurationError:
        return
    assume(a != b)
    assert file_stem(a) != file_stem(b)
