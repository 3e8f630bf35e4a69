import os
import stat

import pytest

import ls_widget
from ls_widget import ClientNotFoundError, ConfigurationError, OAuthClient


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


def test_missing_client_names_the_stored_ones_and_how_to_add():
    OAuthClient("Reports", "abc").save()
    with pytest.raises(ClientNotFoundError, match="'Reports'.*Add OAuth 2.0 client"):
        OAuthClient.load("Nope")


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
