"""The consent page and the errors before it (docs/lightspeed-api.md sections 1.3, 1.4 and 1.10)."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ls_widget.profiles import V2_SCOPES, V3_SCOPES


def query_of(response) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def test_consent_page_names_client_account_and_each_scope(flow, box):
    scopes = ["employee:inventory_read", "employee:register_read", "employee:customers_read"]
    page = flow.consent(box.client.client_id, " ".join(scopes), state="s1")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    assert box.client.name in text
    assert "Sandbox Outfitters" in text and box.account_id in text
    for scope in scopes:
        assert scope in text and V3_SCOPES[scope].description in text
    assert "employee:all" not in text
    assert ">Authorize application</button>" in text and ">Deny</button>" in text
    assert '<form method="post"' in text
    # Lightspeed's HTTPS rule, and the sandbox's loopback exception, are stated.
    assert "HTTPS" in text and "loopback" in text
    assert page.headers["cache-control"] == "no-store"
    assert "cross-origin-opener-policy" not in page.headers


def test_plus_separated_scopes_in_the_url(flow, box):
    url = (f"/auth/oauth/authorize?response_type=code&client_id={box.client.client_id}"
           f"&scope=employee:inventory_read+employee:reports")
    page = flow.http.get(url)
    assert page.status_code == 200
    assert "employee:reports" in page.text and "employee:inventory_read" in page.text


def test_approve_redirects_to_the_registered_uri_with_code_and_state(flow, box):
    page = flow.consent(box.client.client_id, state="opaque state/=&", redirect_uri="https://evil.example/cb")
    answer = flow.decide(page)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(box.redirect_uri(box.client.client_id) + "?")  # the redirect_uri param is ignored
    query = query_of(answer)
    assert query["state"] == "opaque state/=&"
    assert query["code"].startswith("def502")


def test_state_is_optional(flow, box):
    answer = flow.decide(flow.consent(box.client.client_id))
    assert set(query_of(answer)) == {"code"}


def test_deny_redirects_with_access_denied(flow, box):
    answer = flow.decide(flow.consent(box.client.client_id, state="xyz"), decision="deny")
    assert answer.status_code == 302
    query = query_of(answer)
    assert query["error"] == "access_denied"
    assert query["error_description"] == "The resource owner or authorization server denied the request."
    assert query["state"] == "xyz"
    assert "code" not in query


def test_a_consent_form_answers_once(flow, box):
    page = flow.consent(box.client.client_id)
    assert flow.decide(page).status_code == 302
    again = flow.decide(page)
    assert again.status_code == 400
    assert "invalid_request" in again.text


def test_redirect_uri_with_a_query_keeps_it(fresh):
    box, flow = fresh()
    client = box.register_client("Query app", "http://127.0.0.1:8888/lab/callback?x=1")
    answer = flow.decide(flow.consent(client.client_id, state="s"))
    assert answer.headers["location"].startswith("http://127.0.0.1:8888/lab/callback?x=1&code=")


def test_loopback_http_redirect_is_accepted_and_flagged(fresh):
    box, flow = fresh()
    client = box.register_client("Local app", "http://localhost:8888/ls-widget/oauth/callback")
    page = flow.consent(client.client_id)
    assert page.status_code == 200
    assert "This redirect URI uses plain http" in page.text
    assert flow.decide(page).headers["location"].startswith("http://localhost:8888/ls-widget/oauth/callback?code=")


@pytest.mark.parametrize("uri", ["http://example.com/cb", "https://localhost/cb#frag", "not a url", ""])
def test_registry_refuses_bad_redirect_uris(box, uri):
    with pytest.raises(ValueError):
        box.register_client("Bad app", uri)


def test_unknown_or_missing_client_is_invalid_client(flow):
    for client_id in ("nope", None):
        page = flow.consent(client_id)
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert "invalid_client" in page.text


@pytest.mark.parametrize("scope", [None, "", "employee:nonsense", "employee:inventory_read employee:nope"])
def test_missing_or_unknown_scope_is_invalid_scope(flow, box, scope):
    page = flow.consent(box.client.client_id, scope)
    assert page.status_code == 400
    assert "invalid_scope" in page.text


def test_response_type_must_be_code(flow, box):
    page = flow.consent(box.client.client_id, response_type="token")
    assert page.status_code == 400
    assert "unsupported_response_type" in page.text


def test_pkce_parameters_are_checked(flow, box, pkce):
    _, challenge = pkce()
    bad = [dict(code_challenge=challenge, code_challenge_method="S512"),
           dict(code_challenge="too-short"),
           dict(code_challenge="!" * 43, code_challenge_method="plain")]
    for params in bad:
        page = flow.consent(box.client.client_id, **params)
        assert page.status_code == 400 and "invalid_request" in page.text


def test_public_clients_must_use_pkce(fresh, pkce):
    box, flow = fresh()
    client = box.register_client("Public app", "https://localhost", public=True)
    assert client.client_secret is None
    page = flow.consent(client.client_id)
    assert page.status_code == 400 and "Code challenge must be provided for public clients" in page.text
    _, challenge = pkce()
    assert flow.consent(client.client_id, code_challenge=challenge, code_challenge_method="S256").status_code == 200


def test_coop_header_is_an_option(fresh):
    box, flow = fresh(consent_coop=True)
    page = flow.consent(box.client.client_id)
    assert page.headers["cross-origin-opener-policy"] == "same-origin"


def test_v2_consent_uses_the_legacy_catalog(flow, box):
    page = flow.consent(box.v2_client.client_id, "employee:customers_credit_limit", profile="v2")
    assert page.status_code == 200
    assert V2_SCOPES["employee:customers_credit_limit"].description in html.unescape(page.text)
    assert flow.consent(box.v2_client.client_id, "employee:tags", profile="v2").status_code == 400  # v3-only
    answer = flow.decide(page, profile="v2")
    assert len(query_of(answer)["code"]) == 40


def test_several_accounts_offer_a_choice(fresh):
    box, flow = fresh(accounts=2)
    page = flow.consent(box.client.client_id)
    assert page.text.count("<option") == 2
    second = box.state.account_ids[1]
    code = query_of(flow.decide(page, account=second))["code"]
    # The token is for the chosen account (checked through the JWT's acct claim in test_tokens).
    token = flow.exchange(code, None).json()["access_token"]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["acct"] == second


def test_approve_plays_the_browser(fresh, pkce):
    box, flow = fresh()
    _, challenge = pkce()
    url = str(flow.http.build_request("GET", "/auth/oauth/authorize", params={
        "response_type": "code", "client_id": box.client.client_id, "scope": "employee:all", "state": "st",
        "code_challenge": challenge, "code_challenge_method": "S256"}).url)
    redirected = box.approve(url)
    assert redirected.startswith("https://localhost?code=") and redirected.endswith("&state=st")
    denied = box.approve(url, decision="deny")
    assert "error=access_denied" in denied
    with pytest.raises(ValueError, match="invalid_scope"):
        box.approve(url.replace("employee%3Aall", "employee%3Anope"))
    with pytest.raises(ValueError):
        box.approve("https://cloud.lightspeedapp.com/auth/oauth/authorize")
