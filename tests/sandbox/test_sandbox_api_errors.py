"""API error statuses and bodies (docs/lightspeed-api.md section 5) and what each resource needs."""

from __future__ import annotations

import pytest

from ls_widget.catalogue import CATALOGUE

DENIED = "The resource owner or authorization server denied the request."
LIMIT_HEADERS = ("x-ls-api-bucket-level", "x-ls-api-burst-level", "x-ls-api-drip-rate", "x-ls-api-request-cost",
                 "x-ls-acct-id", "x-ls-oauth-client-id", "cf-ray")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"httpCode", "httpMessage", "message", "errorClass"}
    assert body["httpCode"] == str(status)
    for header in LIMIT_HEADERS:
        assert header in response.headers
    return body


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc", "Bearer a.b.c"])
def test_401_for_a_missing_or_bad_token(flow, header):
    headers = {"Authorization": header} if header else {}
    response = flow.http.get("/API/V3/Account.json", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "access_denied" and body["error_description"] == DENIED
    expected = 'Missing "Authorization" header' if header is None else "Access token could not be verified"
    assert body["hint"] == expected
    assert "cf-ray" in response.headers and "x-ls-api-bucket-level" not in response.headers


@pytest.mark.parametrize("path", ["/API/V3/Account.json", "/auth/oauth/token", "/no/such/path"])
def test_a_one_megabyte_header_gets_an_answer_not_a_closed_connection(flow, token, path):
    bearer = {"Authorization": "Bearer " + "a" * 1_000_000}
    response = flow.http.request("POST" if "token" in path else "GET", path, headers=bearer, timeout=30)
    assert response.status_code == 431
    body = response.json()
    assert body["httpCode"] == "431" and "65,536" in body["message"] and "cf-ray" in response.headers
    assert flow.api(token, "Item.json").status_code == 200  # the sandbox serves on


def test_headers_just_under_the_limit_are_served(flow, box, token):
    response = flow.http.get(f"/API/V3/Account/{box.account_id}/Item.json",
                             headers={"Authorization": f"Bearer {token}", "X-Padding": "a" * 60_000})
    assert response.status_code == 200


def test_a_session_whose_token_is_huge_gets_an_api_error(box, monkeypatch):
    """What an analyst meets: a typed ApiError quoting the sandbox's answer, never an httpx error."""
    import time

    from ls_widget import ApiError
    from ls_widget.auth import SignIn
    from ls_widget.credentials import Credentials
    from ls_widget.profiles import get_profile
    from ls_widget.session import LightspeedSession
    from ls_widget.token_store import TokenStore
    from ls_widget.tokens import Token

    monkeypatch.setenv("LS_WIDGET_API_URL", box.url)
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", box.url)
    profile = get_profile("v3")
    store = TokenStore("Huge token")
    store.save(Token("a" * 1_000_000, "refresh", time.time() + 3600, issued_at=time.time()))
    sign_in = SignIn(profile, Credentials(box.client.client_id, box.client.client_secret), store)
    with LightspeedSession(profile, sign_in, box.account_id, sleep=lambda s: None) as session:
        with pytest.raises(ApiError, match="too large") as info:
            session.get("Item")
    assert info.value.status == 431


def test_401_body_is_the_documented_one(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    box.advance_clock(3601)
    response = flow.api(token, "Item.json")
    assert response.json() == {"error": "access_denied", "error_description": DENIED,
                               "hint": "Access token could not be verified"}


def test_a_tampered_jwt_is_refused(flow, token):
    header, payload, signature = token.split(".")
    forged = ".".join((header, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"), signature))
    assert flow.api(forged, "Item.json").status_code == 401


def _scope_table() -> list:
    """Per catalogued resource: the scopes that read it, and a scope that does not (the catalogue is the rule)."""
    table = []
    for entry in CATALOGUE:
        if not entry.scopes:
            continue  # Account: any token
        refused = next(s for s in ("employee:inventory_counts", "employee:purchase_orders", "employee:categories",
                                   "employee:admin_employees", "employee:customers_read")
                       if s not in entry.read_scopes)
        table.append((f"{entry.name}.json", list(entry.scopes), [refused]))
    return table


SCOPE_TABLE = _scope_table()


@pytest.mark.parametrize("path, allowed, refused", SCOPE_TABLE)
def test_scopes_per_resource(flow, path, allowed, refused):
    for scope in allowed:
        token = flow.tokens(scopes=(scope,))["access_token"]
        assert flow.api(token, path).status_code == 200, (path, scope)
    token = flow.tokens(scopes=tuple(refused))["access_token"]
    body = problem(flow.api(token, path), 403)
    assert body["httpMessage"] == "Forbidden" and "scope" in body["message"]


def test_account_json_needs_any_valid_token(flow):
    token = flow.tokens(scopes=("employee:reports",))["access_token"]
    assert flow.api(token, "/Account.json").status_code == 200


def test_404s(flow, token, box):
    problem(flow.api(token, "Widget.json"), 404)
    problem(flow.api(token, "Item/999999.json"), 404)
    problem(flow.api(token, "Sale/999999/SaleLine.json"), 404)
    response = flow.http.get("/API/V3/Account/1/Item.json", headers={"Authorization": f"Bearer {token}"})
    assert problem(response, 404)["message"].startswith("Account 1")
    assert flow.http.get("/API/V4/Account.json").status_code == 404


@pytest.mark.parametrize("params, fragment", [
    ({"sort": "manufacturerSku"}, "Sortable fields: itemID, timeStamp, description"),
    ({"limit": "101"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"count": "1", "limit": "10"}, "count=1"),
    ({"count": "1", "sort": "itemID"}, "count=1"),
    ({"offset": "100"}, "V2 parameter"),
    ({"orderby": "description"}, "V2 parameter"),
    ({"after": "not-a-cursor"}, "Invalid cursor"),
    ({"after": "WyJ4Il0="}, "Invalid cursor"),
    ({"nosuchfield": "1"}, "Unknown field"),
    ({"itemID": "IN,[1,2"}, "IN"),
    ({"itemID": "IN,[" + ",".join(map(str, range(101))) + "]"}, "at most 100"),
    ({"itemID": "><,5"}, "Between"),
    ({"itemID": ">,five"}, "not a number"),
    ({"timeStamp": ">,yesterday"}, "not a timestamp"),
    ({"archived": "maybe"}, "archived"),
    ({"load_relations": "SaleLines"}, "JSON array"),
    ({"load_relations": '["Nope"]'}, "Relations: Category, TaxClass"),
])
def test_400s_name_the_problem(flow, token, params, fragment):
    body = problem(flow.api(token, "Item.json", params=params), 400)
    assert fragment in body["message"]


def test_a_repeated_parameter_is_refused(flow, token):
    response = flow.api(token, "Item.json?itemID=>,5&itemID=<,9")
    assert "more than once" in problem(response, 400)["message"]


def test_v2_refuses_cursor_parameters(flow, token):
    for params in ({"sort": "itemID"}, {"after": "WzJd"}):
        assert "V3 parameter" in problem(flow.api(token, "Item.json", params=params, version="v2"), 400)["message"]
    assert "unknown field" in problem(flow.api(token, "Item.json", params={"orderby": "nope"}, version="v2"),
                                      400)["message"]


def test_writes_are_refused(flow, token, box):
    response = flow.http.post(f"/API/V3/Account/{box.account_id}/Item.json", json={"description": "x"},
                              headers={"Authorization": f"Bearer {token}"})
    problem(response, 405)


def test_single_record_with_bad_relations(flow, token):
    problem(flow.api(token, "Item/1.json", params={"load_relations": '["SaleLines"]'}), 400)
