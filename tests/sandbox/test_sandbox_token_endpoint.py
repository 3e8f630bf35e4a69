"""The token endpoint: code exchange, PKCE, body encodings, client authentication, errors
(docs/lightspeed-api.md sections 1.4-1.9)."""

from __future__ import annotations

import json

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey


def error_of(response) -> dict:
    body = response.json()
    assert set(body) <= {"error", "error_description", "hint"} and body["error_description"]
    return body


@pytest.mark.parametrize("method", ["S256", "plain"])
def test_full_pkce_flow(flow, box, method):
    code, verifier = flow.code(method=method)
    response = flow.exchange(code, verifier)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "refresh_token"}  # no scope, no account
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"
    api = flow.api(body["access_token"], "/Account.json")
    assert api.status_code == 200


def test_pkce_is_optional_for_confidential_clients(flow):
    code, verifier = flow.code(method=None)
    assert verifier is None
    assert flow.exchange(code, None).status_code == 200


def test_public_client_flow_needs_no_secret(fresh):
    box, flow = fresh()
    client = box.register_client("Public app", "https://localhost", public=True)
    code, verifier = flow.code(client=client)
    response = flow.exchange(code, verifier, client=client)
    assert response.status_code == 200


def test_codes_are_single_use(flow):
    code, verifier = flow.code()
    assert flow.exchange(code, verifier).status_code == 200
    again = flow.exchange(code, verifier)
    assert again.status_code == 400
    assert error_of(again) == {"error": "invalid_grant", "error_description": error_of(again)["error_description"],
                               "hint": "Authorization code has been revoked"}


def test_codes_expire_after_60_seconds(fresh):
    box, flow = fresh()
    code, verifier = flow.code()
    box.advance_clock(59)
    assert flow.exchange(code, verifier).status_code == 200
    code, verifier = flow.code()
    box.advance_clock(60.5)
    late = flow.exchange(code, verifier)
    assert late.status_code == 400
    assert error_of(late)["error"] == "invalid_grant" and "expired" in error_of(late)["hint"]


def test_v2_codes_expire_after_30_seconds(fresh):
    box, flow = fresh()
    code, _ = flow.code(profile="v2")
    box.advance_clock(31)
    late = flow.exchange(code, None, profile="v2")
    assert late.status_code == 400 and error_of(late)["error"] == "invalid_grant"


def test_code_lifetime_is_configurable(fresh):
    box, flow = fresh(code_lifetime=5)
    code, verifier = flow.code()
    box.advance_clock(6)
    assert flow.exchange(code, verifier).status_code == 400


def test_code_is_bound_to_its_client(fresh):
    box, flow = fresh()
    other = box.register_client("Other app", "https://localhost/other")
    code, verifier = flow.code()
    stolen = flow.exchange(code, verifier, client=other)
    assert stolen.status_code == 400
    assert error_of(stolen)["hint"] == "Authorization code was not issued to this client"
    assert flow.exchange(code, verifier).status_code == 200  # the rightful client still can


def test_wrong_or_missing_verifier(flow, pkce):
    code, verifier = flow.code()
    wrong, _ = pkce()
    response = flow.exchange(code, wrong)
    assert response.status_code == 400
    assert error_of(response) == {"error": "invalid_grant", "hint": "Failed to verify `code_verifier`.",
                                  "error_description": error_of(response)["error_description"]}
    missing = flow.exchange(code, None)
    assert missing.status_code == 400 and error_of(missing)["error"] == "invalid_request"
    assert flow.exchange(code, verifier).status_code == 200


def test_verifier_without_a_challenge_is_refused(flow, pkce):
    code, _ = flow.code(method=None)
    verifier, _ = pkce()
    assert error_of(flow.exchange(code, verifier))["error"] == "invalid_request"


def _code_fields(flow, box):
    code, verifier = flow.code()
    return {"grant_type": "authorization_code", "client_id": box.client.client_id,
            "client_secret": box.client.client_secret, "code": code, "code_verifier": verifier}


def test_json_body(flow, box):
    response = flow.http.post("/auth/oauth/token", json=_code_fields(flow, box))
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"


def test_multipart_body(flow, box):
    fields = _code_fields(flow, box)
    response = flow.http.post("/auth/oauth/token", files={k: (None, v) for k, v in fields.items()})
    assert "multipart/form-data" in response.request.headers["content-type"]
    assert response.status_code == 200


def test_form_urlencoded_body(flow, box):
    response = flow.http.post("/auth/oauth/token", data=_code_fields(flow, box))
    assert response.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert response.status_code == 200


def test_http_basic_client_credentials(flow, box):
    fields = _code_fields(flow, box)
    del fields["client_secret"]
    response = flow.http.post("/auth/oauth/token", data=fields,
                              auth=(box.client.client_id, box.client.client_secret))
    assert response.status_code == 200


def test_scope_field_is_rejected_with_invalid_grant(flow, box):
    fields = {**_code_fields(flow, box), "scope": "employee:all"}
    for send in (lambda: flow.http.post("/auth/oauth/token", json=fields),
                 lambda: flow.http.post("/auth/oauth/token", data=fields)):
        response = send()
        assert response.status_code == 400
        assert error_of(response)["error"] == "invalid_grant"
    tokens = flow.tokens()
    refresh = flow.http.post("/auth/oauth/token", json={
        "grant_type": "refresh_token", "client_id": box.client.client_id, "client_secret": box.client.client_secret,
        "refresh_token": tokens["refresh_token"], "scope": "employee:all"})
    assert refresh.status_code == 400 and error_of(refresh)["error"] == "invalid_grant"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_token_endpoint_is_post_only(flow, method):
    response = flow.http.request(method, "/auth/oauth/token")
    assert response.status_code == 405
    assert error_of(response) == {"error": "invalid_request", "hint": "The request method must be POST",
                                  "error_description": error_of(response)["error_description"]}


def test_wrong_or_missing_secret_is_401_invalid_client(flow, box):
    fields = _code_fields(flow, box)
    for secret in ("wrong", None):
        data = {**fields, "client_secret": secret} if secret else {k: v for k, v in fields.items()
                                                                   if k != "client_secret"}
        response = flow.http.post("/auth/oauth/token", data=data)
        assert response.status_code == 401
        assert error_of(response)["error"] == "invalid_client"
    unknown = flow.http.post("/auth/oauth/token", data={**fields, "client_id": "nobody"})
    assert unknown.status_code == 401 and error_of(unknown)["error"] == "invalid_client"
    assert flow.http.post("/auth/oauth/token", data=fields).status_code == 200  # the code survived


def test_request_errors(flow, box):
    base = {"client_id": box.client.client_id, "client_secret": box.client.client_secret}
    cases = [
        ({**base, "grant_type": "password"}, 400, "unsupported_grant_type"),
        (base, 400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code"}, 400, "invalid_request"),
        ({**base, "grant_type": "authorization_code"}, 400, "invalid_request"),
        ({**base, "grant_type": "authorization_code", "code": "forged"}, 400, "invalid_grant"),
        ({**base, "grant_type": "refresh_token"}, 400, "invalid_request"),
        ({**base, "grant_type": "refresh_token", "refresh_token": "forged"}, 400, "invalid_grant"),
    ]
    for data, status, error in cases:
        response = flow.http.post("/auth/oauth/token", data=data)
        assert (response.status_code, error_of(response)["error"]) == (status, error), data
    bad_json = flow.http.post("/auth/oauth/token", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and error_of(bad_json)["error"] == "invalid_request"
    twice = flow.http.post("/auth/oauth/token", content=b"grant_type=refresh_token&grant_type=refresh_token",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert twice.status_code == 400 and error_of(twice)["error"] == "invalid_request"


def test_jwt_claims_verify_with_the_jwks(flow, box):
    body = flow.tokens(scopes=("employee:inventory_read", "employee:register_read"))
    jwks = flow.http.get("/.well-known/jwks")
    assert jwks.status_code == 200
    keys = KeySet.import_key_set(jwks.json())
    token = jwt.decode(body["access_token"], keys, algorithms=["RS256"])
    assert token.header == {"typ": "JWT", "alg": "RS256", "kid": "RT_OAUTH2_2024_07_08"}
    claims = token.claims
    assert set(claims) == {"jti", "iss", "aud", "sub", "acct", "scope", "iat", "nbf", "exp"}
    assert claims["iss"] == box.url
    assert claims["aud"] == box.client.client_id
    assert claims["acct"] == box.account_id
    assert claims["sub"] == "1"
    assert claims["scope"] == "employee:inventory_read employee:register_read"
    assert all(isinstance(claims[k], float) for k in ("iat", "nbf", "exp"))
    assert claims["exp"] - claims["iat"] == pytest.approx(3600)
    stranger = RSAKey.generate_key(2048, parameters={"kid": "RT_OAUTH2_2024_07_08"})
    with pytest.raises(BadSignatureError):
        jwt.decode(body["access_token"], KeySet([stranger]), algorithms=["RS256"])


def test_access_token_lifetime_is_configurable(fresh):
    box, flow = fresh(access_token_lifetime=120)
    assert flow.tokens()["expires_in"] == 120


def test_introspection_shows_the_grant(flow, box):
    token = flow.tokens(scopes=("employee:reports",))["access_token"]
    response = flow.http.get("/auth/oauth/introspect", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["active"] is True and response.json()["scope"] == "employee:reports"
    assert flow.http.get("/auth/oauth/introspect").status_code == 401


def test_v2_token_shape(flow, box):
    code, _ = flow.code(profile="v2", scopes=("employee:inventory", "employee:reports"))
    response = flow.exchange(code, None, profile="v2")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope", "refresh_token"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 1800
    assert len(body["access_token"]) == 40 and int(body["access_token"], 16) >= 0
    assert len(body["refresh_token"]) == 40
    assert body["scope"] == "employee:inventory employee:reports systemuserid:1"
    assert flow.api(body["access_token"], "Item.json", version="v2").status_code == 200
    assert flow.http.get("/oauth/access_token.php").status_code == 405


def test_v2_refresh_returns_the_same_token_while_valid(fresh):
    box, flow = fresh()
    first = flow.tokens(profile="v2")
    box.advance_clock(600)
    again = flow.refresh(first["refresh_token"], profile="v2")
    assert again.status_code == 200
    body = again.json()
    assert body["access_token"] == first["access_token"]
    assert body["expires_in"] == 1200
    assert "refresh_token" not in body
    box.advance_clock(1300)
    renewed = flow.refresh(first["refresh_token"], profile="v2").json()
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 1800
    assert flow.api(first["access_token"], "Item.json", version="v2").status_code == 401
    assert flow.api(renewed["access_token"], "Item.json", version="v2").status_code == 200


def test_tokens_are_not_interchangeable_between_servers(flow, box):
    v2 = flow.tokens(profile="v2")
    response = flow.refresh(v2["refresh_token"], client=box.v2_client, profile="v3")
    assert response.status_code == 400 and json.loads(response.text)["error"] == "invalid_grant"


def test_revoke_endpoint(flow, box):
    tokens = flow.tokens()
    assert flow.api(tokens["access_token"], "/Account.json").status_code == 200
    base = {"client_id": box.client.client_id, "client_secret": box.client.client_secret}
    wrong = flow.http.post("/auth/oauth/revoke", data={**base, "client_secret": "x",
                                                        "refresh_token": tokens["refresh_token"]})
    assert wrong.status_code == 401
    response = flow.http.post("/auth/oauth/revoke", data={**base, "refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200 and response.content == b""
    dead = flow.api(tokens["access_token"], "/Account.json")
    assert dead.status_code == 401 and dead.json()["hint"] == "Access token has been revoked"
    refresh = flow.refresh(tokens["refresh_token"])
    assert refresh.status_code == 400 and refresh.json()["hint"] == "Token has been revoked"
    unknown = flow.http.post("/auth/oauth/revoke", json={**base, "refresh_token": "never-issued"})
    assert unknown.status_code == 200
    assert flow.http.post("/auth/oauth/revoke", data=base).status_code == 400
    assert flow.http.get("/auth/oauth/revoke").status_code == 405
