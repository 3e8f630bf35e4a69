import os
import stat

import pytest

import ls_widget
from ls_widget import ClientNotFoundError, ConfigurationError, OAuthClient
from ls_widget.clients import DialogError, client_from_dialog


def test_save_load_and_list(ls_home):
    OAuthClient("Reports", "abc123", "s3cr3t-value").save()
    OAuthClient("Public app", "pub456").save()
    assert ls_widget.oauth_clients() == ["Public app", "Reports"]
    loaded = OAuthClient.load("Reports")
    assert (loaded.name, loaded.client_id, loaded.client_secret) == ("Reports", "abc123", "s3cr3t-value")
    assert OAuthClient.load("Public app").client_secret is None
    path = ls_home / "clients" / "Reports.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_secret_never_shows_in_repr_or_str():
    client = OAuthClient("Reports", "abc123", "s3cr3t-value")
    assert "s3cr3t" not in repr(client) and "s3cr3t" not in str(client)
    assert "client_secret=<set>" in repr(client)
    assert "client_secret=<none>" in repr(OAuthClient("P", "x"))


def test_missing_client_says_how_to_add_and_names_no_other_client():
    # The message can land in a saved notebook (the panel's `error`, a traceback): other projects' clients stay out.
    OAuthClient("Reports", "abc").save()
    with pytest.raises(ClientNotFoundError, match="'Nope'.*Add OAuth 2.0 client.*oauth_clients()") as info:
        OAuthClient.load("Nope")
    assert "Reports" not in str(info.value)


@pytest.mark.parametrize(
    "name, client_id, message",
    [
        ("", "abc", "Give the OAuth 2.0 client a name"),
        ("   ", "abc", "Give the OAuth 2.0 client a name"),
        ("x" * 101, "abc", "too long"),
        ("a\nb", "abc", "control characters"),
        ("Reports", "", "Enter the client ID"),
        ("Reports", "abc def", "cannot contain spaces"),
    ],
)
def test_bad_input_is_a_typed_actionable_error(name, client_id, message):
    with pytest.raises(ConfigurationError, match=message):
        OAuthClient(name, client_id, "secret")


def test_whitespace_is_trimmed_and_blank_secret_means_none():
    client = OAuthClient("  Reports ", " abc ", "   ")
    assert (client.name, client.client_id, client.client_secret) == ("Reports", "abc", None)


def test_validation_errors_never_echo_the_secret():
    with pytest.raises(ConfigurationError) as info:
        OAuthClient("Reports", "bad id", "s3cr3t-value")
    assert "s3cr3t" not in str(info.value)


def test_names_are_normalised_like_every_stored_name():
    client = OAuthClient("Cafe\u0301 ", "abc")
    assert client.name == "Caf\u00e9"
    client.save()
    assert ls_widget.oauth_clients() == ["Caf\u00e9"]


def test_a_client_file_saved_with_a_bom_still_loads(ls_home):
    (ls_home / "clients").mkdir()
    (ls_home / "clients" / "Shop.json").write_bytes(b'\xef\xbb\xbf{"name": "Shop", "client_id": "abc"}')
    assert OAuthClient.load("Shop").client_id == "abc"


def test_the_dialog_refuses_a_name_differing_only_in_case_from_another_client():
    OAuthClient("Reports", "abc").save()
    with pytest.raises(DialogError, match="only in upper/lower case") as info:
        client_from_dialog({"name": "REPORTS", "client_id": "xyz", "client_secret": "s"}, None)
    assert info.value.field == "name"


def test_the_dialog_refuses_a_case_only_rename():
    # The panel saves the new name, then deletes the old one: on Windows and macOS that is the same file.
    OAuthClient("reports", "abc", "s3cr3t").save()
    with pytest.raises(DialogError, match="only in upper/lower case"):
        client_from_dialog({"name": "Reports", "client_id": "abc", "client_secret": ""}, "reports")
    edited = client_from_dialog({"name": " reports ", "client_id": "new", "client_secret": ""}, "reports")
    assert (edited.name, edited.client_id, edited.client_secret) == ("reports", "new", "s3cr3t")


def test_the_dialog_treats_an_invalid_previous_name_as_a_new_client():
    client = client_from_dialog({"name": "Shop", "client_id": "abc", "client_secret": "s"}, 42)
    assert (client.name, client.client_secret) == ("Shop", "s")
