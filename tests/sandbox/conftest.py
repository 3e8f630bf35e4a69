"""Fixtures for the sandbox tests: black-box over real HTTP on 127.0.0.1 with plain httpx.

``box`` is one small sandbox per test module for reads (datasets of a few hundred records, buckets too big to
matter); ``fresh`` is a new one per test for anything that changes shared state (faults, the clock, rate limits).
``Flow`` walks the OAuth dance the way a browser and a client would.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ls_widget import sandbox

SMALL = dict(items=120, customers=40, sales=300, employees=8, categories=20)
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)
ALL_SCOPES = ("employee:all",)


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(os.urandom(48)).decode().rstrip("=")
    if method == "plain":
        return verifier, verifier
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


class Flow:
    """The OAuth steps against one sandbox."""

    def __init__(self, box: sandbox.Sandbox) -> None:
        self.box = box
        self.http = httpx.Client(base_url=box.url, timeout=10)

    def authorize_path(self, profile: str) -> str:
        return "/auth/oauth/authorize" if profile == "v3" else "/oauth/authorize.php"

    def token_path(self, profile: str) -> str:
        return "/auth/oauth/token" if profile == "v3" else "/oauth/access_token.php"

    def consent(self, client_id: str, scope: str = "employee:all", profile: str = "v3", **params) -> httpx.Response:
        query = {"response_type": "code", "client_id": client_id, "scope": scope, **params}
        return self.http.get(self.authorize_path(profile), params={k: v for k, v in query.items() if v is not None})

    def decide(self, page: httpx.Response, decision: str = "approve", profile: str = "v3", **extra) -> httpx.Response:
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
        return self.http.post(self.authorize_path(profile), data={"request_id": request_id, "decision": decision,
                                                                   **extra})

    def code(self, client=None, scopes=ALL_SCOPES, profile: str = "v3", method: str | None = "S256",
             state: str = "state-123") -> tuple[str, str | None]:
        client = client or (self.box.client if profile == "v3" else self.box.v2_client)
        verifier = challenge = None
        if method and profile == "v3":
            verifier, challenge = pkce_pair(method)
        page = self.consent(client.client_id, " ".join(scopes), profile, state=state, code_challenge=challenge,
                            code_challenge_method=method if challenge else None)
        assert page.status_code == 200, page.text
        answer = self.decide(page, profile=profile)
        assert answer.status_code == 302
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["state"] == [state]
        return query["code"][0], verifier

    def exchange(self, code: str, verifier: str | None, client=None, profile: str = "v3", **extra) -> httpx.Response:
        client = client or (self.box.client if profile == "v3" else self.box.v2_client)
        data = {"grant_type": "authorization_code", "client_id": client.client_id, "code": code, **extra}
        if client.client_secret:
            data["client_secret"] = client.client_secret
        if verifier:
            data["code_verifier"] = verifier
        return self.http.post(self.token_path(profile), data=data)

    def tokens(self, client=None, scopes=ALL_SCOPES, profile: str = "v3") -> dict:
        code, verifier = self.code(client, scopes, profile)
        response = self.exchange(code, verifier, client, profile)
        assert response.status_code == 200, response.text
        return response.json()

    def refresh(self, refresh_token: str, client=None, profile: str = "v3") -> httpx.Response:
        client = client or (self.box.client if profile == "v3" else self.box.v2_client)
        data = {"grant_type": "refresh_token", "client_id": client.client_id, "refresh_token": refresh_token}
        if client.client_secret:
            data["client_secret"] = client.client_secret
        return self.http.post(self.token_path(profile), data=data)

    def api(self, access_token: str | None, path: str, params=None, version: str = "v3", **kwargs) -> httpx.Response:
        prefix = "/API/V3" if version == "v3" else "/API"
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        if path.startswith("http"):
            return self.http.get(path, headers=headers, **kwargs)
        if not path.startswith("/Account.json"):
            path = f"/Account/{self.box.account_id}/{path}"
        return self.http.get(prefix + path, params=params, headers=headers, **kwargs)

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def box():
    with sandbox.start(configure_environment=False, **SMALL, **FAST) as started:
        yield started


@pytest.fixture(scope="module")
def flow(box):
    helper = Flow(box)
    yield helper
    helper.close()


@pytest.fixture(scope="module")
def token(flow):
    """An all-scopes v3 access token on the module's sandbox."""
    return flow.tokens()["access_token"]


@pytest.fixture
def fresh():
    """A sandbox of its own, for tests that change faults, the clock or buckets. Call it with options."""
    started = []

    def make(**options):
        merged = {**SMALL, **FAST, **options}
        box = sandbox.start(configure_environment=False, **merged)
        helper = Flow(box)
        started.append((box, helper))
        return box, helper

    yield make
    for box, helper in started:
        helper.close()
        box.stop()


@pytest.fixture
def pkce():
    """``pkce(method)`` -> (verifier, challenge)."""
    return pkce_pair
