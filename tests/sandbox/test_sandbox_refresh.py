"""Refresh tokens on the v3 server: rotation, deferred revocation, the 5-a-minute cap, idle expiry
(docs/lightspeed-api.md section 1.8)."""

from __future__ import annotations


def test_refresh_rotates_and_kills_the_old_access_token(flow):
    first = flow.tokens()
    response = flow.refresh(first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"token_type", "expires_in", "access_token", "refresh_token"}
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    old = flow.api(first["access_token"], "/Account.json")
    assert old.status_code == 401
    assert old.json() == {"error": "access_denied",
                          "error_description": "The resource owner or authorization server denied the request.",
                          "hint": "Access token has been revoked"}
    assert flow.api(second["access_token"], "/Account.json").status_code == 200


def test_used_refresh_token_stays_valid_until_the_new_access_token_is_used(flow):
    first = flow.tokens()
    lost = flow.refresh(first["refresh_token"]).json()  # as if the response never arrived
    retry = flow.refresh(first["refresh_token"])
    assert retry.status_code == 200
    second = retry.json()
    assert second["refresh_token"] not in (lost["refresh_token"], first["refresh_token"])
    assert flow.api(second["access_token"], "/Account.json").status_code == 200  # first use revokes the old one
    spent = flow.refresh(first["refresh_token"])
    assert spent.status_code == 400
    assert spent.json()["error"] == "invalid_grant" and spent.json()["hint"] == "Token has been revoked"
    assert flow.refresh(second["refresh_token"]).status_code == 200  # the chain goes on


def test_a_chain_of_refreshes(fresh):
    box, flow = fresh()
    tokens = flow.tokens()
    for _ in range(4):
        new = flow.refresh(tokens["refresh_token"]).json()
        assert flow.api(new["access_token"], "/Account.json").status_code == 200
        assert flow.refresh(tokens["refresh_token"]).status_code == 400  # also an attempt: the cap counts it
        tokens = new
        box.advance_clock(30)


def test_refresh_belongs_to_its_client(fresh):
    box, flow = fresh()
    other = box.register_client("Other app", "https://localhost/other")
    tokens = flow.tokens()
    response = flow.refresh(tokens["refresh_token"], client=other)
    assert response.status_code == 400 and response.json()["hint"] == "Token is not linked to client"


def test_at_most_five_refreshes_a_minute_per_connection(fresh):
    box, flow = fresh()
    tokens = flow.tokens()
    other_connection = flow.tokens()
    for _ in range(5):
        assert flow.refresh(tokens["refresh_token"]).status_code == 200  # retries of the same token
    capped = flow.refresh(tokens["refresh_token"])
    assert capped.status_code == 429
    assert capped.json()["error"] == "too_many_requests"
    retry_after = int(capped.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert flow.refresh(other_connection["refresh_token"]).status_code == 200  # per connection
    box.advance_clock(retry_after)
    assert flow.refresh(tokens["refresh_token"]).status_code == 200


def test_refresh_tokens_unused_for_30_days_expire(fresh):
    box, flow = fresh()
    kept, idle = flow.tokens(), flow.tokens()
    box.advance_clock(20 * 86400)
    kept = flow.refresh(kept["refresh_token"]).json()
    box.advance_clock(11 * 86400)
    expired = flow.refresh(idle["refresh_token"])
    assert expired.status_code == 400
    assert expired.json()["error"] == "invalid_grant" and expired.json()["hint"] == "Token has expired"
    assert flow.refresh(kept["refresh_token"]).status_code == 200


def test_access_tokens_expire_after_an_hour(fresh):
    box, flow = fresh()
    tokens = flow.tokens()
    box.advance_clock(3599)
    assert flow.api(tokens["access_token"], "/Account.json").status_code == 200
    box.advance_clock(2)
    expired = flow.api(tokens["access_token"], "/Account.json")
    assert expired.status_code == 401 and expired.json()["hint"] == "Access token could not be verified"
    assert flow.refresh(tokens["refresh_token"]).status_code == 200


def test_expire_all_access_tokens_and_revoke_all_refresh_tokens(fresh):
    box, flow = fresh()
    a, b = flow.tokens(), flow.tokens(profile="v2")
    assert box.expire_access_tokens() == 2
    for token, version in ((a, "v3"), (b, "v2")):
        response = flow.api(token["access_token"], "Item.json", version=version)
        assert response.status_code == 401 and response.json()["hint"] == "Access token could not be verified"
    fresh_pair = flow.refresh(a["refresh_token"]).json()
    assert flow.api(fresh_pair["access_token"], "Item.json").status_code == 200
    assert box.revoke_refresh_tokens() >= 2
    revoked = flow.refresh(fresh_pair["refresh_token"])
    assert revoked.status_code == 400 and revoked.json()["hint"] == "Token has been revoked"
    assert flow.refresh(b["refresh_token"], profile="v2").status_code == 400
