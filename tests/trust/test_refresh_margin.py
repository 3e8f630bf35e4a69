"""Group 3: no refresh storms. A token is refreshed at most once per half-lifetime (v3), and v2 only at expiry.

Lightspeed caps refreshes at 5 a minute per connection; with a lifetime under the old fixed 300 s margin every
request refreshed (v3 hit the cap after four requests; v2 made 11 refreshes for 10 requests).
"""

from __future__ import annotations

import time

import httpx
import pytest

from ls_widget.auth import SignIn
from ls_widget.credentials import Credentials
from ls_widget.profiles import get_profile
from ls_widget.session import LightspeedSession
from ls_widget.token_store import TokenStore, refresh_margin
from ls_widget.tokens import Token

PAGE = {"@attributes": {"next": "", "count": "1"}, "Item": [{"itemID": "1"}]}


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def pull_for(api_type: str, lifetime: float, requests: int, step: float, monkeypatch) -> list[float]:
    """Make ``requests`` requests ``step`` seconds apart; return the times at which the token was refreshed."""
    clock = Clock(1_000_000.0)
    monkeypatch.setattr(time, "time", clock)
    profile = get_profile(api_type)
    store = TokenStore(f"Short {api_type}")
    store.save(Token("access-0", "refresh-0", clock.now + lifetime, issued_at=clock.now))
    refreshed_at = []

    def fake_refresh(profile, credentials, token):
        refreshed_at.append(clock.now)
        if api_type == "v2" and clock.now < token.expires_at:  # the legacy server: same token, remaining lifetime
            return Token(token.access_token, token.refresh_token, token.expires_at, issued_at=token.issued_at)
        return Token(f"access-{len(refreshed_at)}", f"refresh-{len(refreshed_at)}", clock.now + lifetime,
                     issued_at=clock.now)

    monkeypatch.setattr("ls_widget.token_endpoint.refresh", fake_refresh)
    api = httpx.MockTransport(lambda request: httpx.Response(200, json=PAGE))
    session = LightspeedSession(profile, SignIn(profile, Credentials("c"), store), "5", transport=api,
                                sleep=lambda s: None)
    for _ in range(requests):
        session.get("Item")
        clock.now += step
    return refreshed_at


def test_v3_short_lived_tokens_refresh_once_per_half_lifetime(monkeypatch):
    refreshed = pull_for("v3", lifetime=120, requests=30, step=5, monkeypatch=monkeypatch)  # 150 s of requests
    assert len(refreshed) == 2  # at 60 s and 120 s, not on every request
    assert all(later - earlier >= 60 for earlier, later in zip(refreshed, refreshed[1:]))


def test_v3_stays_far_under_lightspeeds_five_a_minute_cap(monkeypatch):
    refreshed = pull_for("v3", lifetime=150, requests=300, step=1, monkeypatch=monkeypatch)
    assert len(refreshed) == 3  # at 75, 150 and 225 s: the old 300 s margin refreshed on all 300 requests
    for start in refreshed:
        assert sum(1 for t in refreshed if start <= t < start + 60) == 1


def test_v2_refreshes_at_expiry_only(monkeypatch):
    refreshed = pull_for("v2", lifetime=120, requests=10, step=5, monkeypatch=monkeypatch)
    assert refreshed == []
    refreshed = pull_for("v2", lifetime=120, requests=30, step=5, monkeypatch=monkeypatch)
    assert len(refreshed) == 1


def test_long_lived_tokens_keep_the_five_minute_margin():
    now = time.time()
    assert refresh_margin(Token("a", "r", now + 3600, issued_at=now)) == 300
    assert refresh_margin(Token("a", "r", now + 120, issued_at=now)) == 60
    assert refresh_margin(Token("a", "r", now + 3600, issued_at=now), ahead=False) == 0


@pytest.mark.parametrize("api_type", ["v3", "v2"])
def test_an_expired_token_is_refreshed_before_the_request(monkeypatch, api_type):
    refreshed = pull_for(api_type, lifetime=30, requests=2, step=31, monkeypatch=monkeypatch)
    assert len(refreshed) == 1
