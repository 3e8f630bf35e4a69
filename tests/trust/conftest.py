"""Fixtures for the trust tests: misbehaving servers on 127.0.0.1 and sessions pointed at them."""

from __future__ import annotations

import time

import pytest

from ls_widget import LightspeedConnection, sandbox
from ls_widget.auth import SignIn
from ls_widget.credentials import Credentials
from ls_widget.profiles import get_profile
from ls_widget.session import LightspeedSession
from ls_widget.token_store import TokenStore
from ls_widget.tokens import Token

from .hostile import HostileServer

ACCESS = "access-SECRET-token"
SMALL = dict(items=30, customers=10, sales=20, employees=3, categories=4)
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)


@pytest.fixture
def box():
    """A small sandbox with limits too large to matter; the environment points ls_widget at it."""
    with sandbox.start(**SMALL, **FAST) as running:
        yield running


def connect(box, **kwargs) -> LightspeedConnection:
    """A connection that went through consent, as an analyst clicking 'Authorize application' would."""
    conn = box.connection(**kwargs)
    conn.complete_authorization(box.approve(conn.authorization_url()))
    return conn


@pytest.fixture
def api():
    """The server the profile's API URL points at (LS_WIDGET_API_URL): the one origin allowed the token."""
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture
def elsewhere():
    """Another origin, that must never see a request with the token."""
    server = HostileServer().start()
    yield server
    server.stop()


def stored_session(api_url: str, monkeypatch, api_type: str = "v3", *, expires_in: float = 3600,
                   name: str = "Hostile", **options) -> LightspeedSession:
    """A session on account 5 whose signed-in token is stored, with the API at ``api_url``."""
    monkeypatch.setenv("LS_WIDGET_API_URL", api_url)
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", api_url)
    profile = get_profile(api_type)
    store = TokenStore(name)
    now = time.time()
    store.save(Token(ACCESS, "refresh-SECRET", now + expires_in, issued_at=now))
    options.setdefault("sleep", lambda seconds: None)
    return LightspeedSession(profile, SignIn(profile, Credentials("client-id", "client-SECRET"), store), "5",
                             **options)


class FakeClock:
    """Monotonic time that moves only when slept: waits are recorded, never spent."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def page(resource: str, records, next_url: str = "", **attributes) -> dict:
    return {"@attributes": {"next": next_url, "previous": "", **attributes}, resource: records}
