"""Group 1: the bearer token goes only to the profile's API origin (scheme, host and port), for v2 and v3.

A misbehaving API names another host in ``next``; a caller passes a full URL elsewhere. Nothing is sent there,
and the error names the host.
"""

from __future__ import annotations

import pytest

from ls_widget import ApiError

from .conftest import ACCESS, page, stored_session
from .hostile import answer


def items(n: int, start: int = 1) -> list[dict]:
    return [{"itemID": str(i), "description": f"item {i}"} for i in range(start, start + n)]


def test_a_next_link_to_another_host_is_refused_and_nothing_is_sent_there(api, elsewhere, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    stolen = f"{elsewhere.url}/API/V3/Account/5/Item.json?after=abc"
    api.routes["/API/V3/Account/5/Item.json"] = answer(200, page("Item", items(2), next_url=stolen))
    elsewhere.routes["/API/V3/Account/5/Item.json"] = answer(200, page("Item", items(2, 3)))
    with pytest.raises(ApiError, match="127.0.0.1") as info:
        list(session.iter("Item"))
    assert "Refused to send the access token" in str(info.value) and "Nothing was sent" in str(info.value)
    assert elsewhere.received == []
    assert [r.headers["authorization"] for r in api.received] == [f"Bearer {ACCESS}"]


@pytest.mark.parametrize("api_type", ["v3", "v2"])
def test_an_absolute_url_elsewhere_is_refused_before_sending(api, elsewhere, monkeypatch, api_type):
    session = stored_session(api.url, monkeypatch, api_type)
    for target in (f"{elsewhere.url}/x", elsewhere.url.replace("127.0.0.1", "localhost") + "/x", "//evil.test/x"):
        with pytest.raises(ApiError, match="Refused to send the access token") as info:
            session.request("GET", target)
        assert info.value.status == 0 and ACCESS not in str(info.value)
    assert elsewhere.received == [] and api.received == []


def test_same_host_on_another_scheme_or_port_is_another_origin(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    port = int(api.url.rsplit(":", 1)[1])
    for target in (f"https://127.0.0.1:{port}/x", f"http://127.0.0.1:{port + 1}/x", "http://127.0.0.1/x"):
        with pytest.raises(ApiError, match="Refused"):
            session.request("GET", target)
    assert api.received == []


def test_https_api_refuses_a_plain_http_next_link(monkeypatch):
    """Lightspeed's real API is https: a downgraded ``next`` would send the token in clear text."""
    import httpx

    from ls_widget.auth import check_origin, origin_of

    allowed = origin_of("https://api.lightspeedapp.com")
    assert origin_of("https://api.lightspeedapp.com:443/API") == allowed
    assert origin_of("HTTPS://API.lightspeedapp.com/x") == allowed
    for bad in ("http://api.lightspeedapp.com/API", "https://api.lightspeedapp.com.evil.test/",
                "https://api.lightspeedapp.com:8443/", "https://user@evil.test/"):
        with pytest.raises(ApiError, match="Refused"):
            check_origin(bad, allowed)
    check_origin(httpx.URL("https://api.lightspeedapp.com/API/V3/Account/5/Item.json?after=x"), allowed)


def test_a_next_link_on_the_api_origin_is_followed_with_the_token(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    base = "/API/V3/Account/5/Item.json"
    api.routes[base] = lambda r: (answer(200, page("Item", items(2, 3))) if "after=" in r.path
                                  else answer(200, page("Item", items(2), next_url=f"{api.url}{base}?after=x")))
    assert [r["itemID"] for r in session.iter("Item")] == ["1", "2", "3", "4"]
    assert len(api.bearer_requests()) == 2


def test_redirects_are_not_followed(api, elsewhere, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes["/API/V3/Account/5/Item.json"] = answer(302, {}, headers={"Location": f"{elsewhere.url}/steal"})
    with pytest.raises(ApiError, match="302") as info:
        session.get("Item")
    assert "redirects are not followed" in str(info.value)
    assert elsewhere.received == []
