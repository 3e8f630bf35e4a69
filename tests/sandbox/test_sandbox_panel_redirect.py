"""The analyst's step on Lightspeed's client page, played by the sandbox at its own authorize endpoint (panels.py).

A sign-in with a client that follows the panel (the demo and v2 built-in clients, or one registered with
``follows_the_panel=True``) registers the redirect URI the panel signing in shows; every other client keeps the URI it
was registered with, as at Lightspeed. The panel module carries no hook for it: nothing is added to the panel, and
these panels are plain ``LightspeedConnection``s, not ``Sandbox.connection()``'s (which follows its panel by itself).
"""

from __future__ import annotations

import logging

import pytest

import ls_widget.panel
from ls_widget import LightspeedConnection, OAuthClient, sandbox

SMALL = dict(items=30, customers=10, sales=40)
ROUTE = "http://127.0.0.1:8888/ls-test/ls-widget/oauth/callback"  # what a panel in JupyterLab shows
READ = ["employee:inventory_read"]


@pytest.fixture
def box(ls_home):
    with sandbox.start(**SMALL) as running:
        yield running


@pytest.fixture
def panels():
    """``panels(**kwargs)``: plain panels, closed after the test, so none is left signing in for the next one."""
    made: list[LightspeedConnection] = []

    def make(**kwargs) -> LightspeedConnection:
        kwargs.setdefault("name", f"Panel {len(made) + 1}")
        kwargs.setdefault("scopes", READ)
        made.append(LightspeedConnection(**kwargs))
        return made[-1]

    yield make
    for panel in made:
        panel.close()


def saved(box, name: str, client=None) -> str:
    client = client or box.client
    OAuthClient(name, client.client_id, client.client_secret).save()
    return name


def test_the_sandbox_hooks_nothing_into_the_panel(box):
    assert not hasattr(ls_widget.panel, "_sign_in_listeners")  # production code carries no hook for a test server


def test_a_plain_panels_sign_in_registers_the_redirect_uri_it_shows(box, panels):
    """The README's way: the demo client saved under a name of the analyst's, a panel of their own."""
    conn = panels(oauth_client=saved(box, "Reporting notebook"))
    conn.redirect_uri = ROUTE
    url = conn.authorization_url()
    assert box.redirect_uri(box.client.client_id) == "https://localhost"  # starting a sign-in tells the sandbox nothing
    redirected = box.approve(url)
    assert redirected.startswith(ROUTE + "?code=")
    assert box.redirect_uri(box.client.client_id) == ROUTE
    assert conn.complete_authorization(redirected).account_id == box.account_id


def test_a_panel_that_shows_no_redirect_uri_keeps_the_registered_one(box, panels):
    """A kernel without a front end (a script, CI): the panel shows nothing to register."""
    conn = panels(oauth_client=saved(box, "Reporting notebook"))
    assert box.approve(conn.authorization_url()).startswith("https://localhost?code=")
    assert box.redirect_uri(box.client.client_id) == "https://localhost"


def test_the_v2_built_in_client_follows_a_v2_panel(box, panels):
    legacy = panels(api_type="v2", scopes=["employee:inventory"])
    legacy.redirect_uri = "https://localhost/v2"
    assert box.approve(legacy.authorization_url()).startswith("https://localhost/v2?code=")
    assert box.redirect_uri(box.v2_client.client_id) == "https://localhost/v2"
    assert box.redirect_uri(box.client.client_id) == "https://localhost"  # only the client that signed in


def test_an_ordinary_client_keeps_its_registered_uri_as_at_lightspeed(box, panels):
    other = box.register_client("Another app", "https://app.example/callback")
    conn = panels(oauth_client=saved(box, "Another app", other))
    conn.redirect_uri = ROUTE
    assert box.approve(conn.authorization_url()).startswith("https://app.example/callback?code=")
    assert box.redirect_uri(other.client_id) == "https://app.example/callback"


def test_a_client_registered_to_follow_the_panel_does(box, panels):
    public = box.register_client("Try-out app", "https://localhost", public=True, secret=None, follows_the_panel=True)
    conn = panels(oauth_client=saved(box, "Try-out app", public))
    conn.redirect_uri = ROUTE
    assert box.approve(conn.authorization_url()).startswith(ROUTE + "?code=")
    assert box.redirect_uri(public.client_id) == ROUTE


def test_only_the_panel_signing_in_counts(box, panels):
    """A panel that shows another URI but has not started a sign-in, or signs in with another client, is not it."""
    idle = panels(oauth_client=saved(box, "Reporting notebook"))
    idle.redirect_uri = "https://localhost/idle"
    elsewhere = panels(oauth_client=saved(box, "Another app", box.register_client("Another app", "https://localhost")))
    elsewhere.redirect_uri = "https://localhost/elsewhere"
    elsewhere.authorization_url()
    conn = panels(oauth_client="Reporting notebook")
    conn.redirect_uri = ROUTE
    assert box.approve(conn.authorization_url()).startswith(ROUTE + "?code=")


def test_panels_that_disagree_leave_the_registration_alone_and_say_why(box, panels, caplog):
    """Two sign-ins in progress with one client and different URIs: which one this is, only ``state`` could tell."""
    first, second = panels(oauth_client=saved(box, "Reporting notebook")), panels(oauth_client="Reporting notebook")
    first.redirect_uri, second.redirect_uri = ROUTE, "https://localhost/paste"
    first.authorization_url()
    with caplog.at_level(logging.WARNING, logger="ls_widget.sandbox"):
        assert box.approve(second.authorization_url()).startswith("https://localhost?code=")
    assert "show different redirect URIs" in caplog.text and ROUTE in caplog.text


def test_a_uri_lightspeed_would_refuse_is_not_registered(box, panels, caplog):
    conn = panels(oauth_client=saved(box, "Reporting notebook"))
    conn.redirect_uri = "http://notebooks.example/ls-widget/oauth/callback"  # plain http off a loopback host
    with caplog.at_level(logging.WARNING, logger="ls_widget.sandbox"):
        assert box.approve(conn.authorization_url()).startswith("https://localhost?code=")
    assert "kept the redirect URI registered" in caplog.text


def test_a_redirect_uri_in_the_request_is_ignored_even_for_the_demo_client(box, panels):
    """Only the panel says where the code goes: a crafted link cannot send the demo client's code elsewhere."""
    conn = panels(oauth_client=saved(box, "Reporting notebook"))
    url = conn.authorization_url() + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
    assert box.approve(url).startswith("https://localhost?code=")
