"""Fault injection: failing, dropped and slow requests, in-process and through the admin endpoints."""

from __future__ import annotations

import time

import httpx
import pytest


def test_fail_next_n_requests(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    box.fail_next(2, status=502)
    first, second, third = (flow.api(token, "Item.json") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (502, 502, 200)
    assert first.json()["httpCode"] == "502" and "cf-ray" in first.headers
    assert "x-ls-api-bucket-level" not in first.headers


def test_faults_are_per_target(fresh):
    box, flow = fresh()
    box.fail_next(1, status=503, target="token")
    code, verifier = flow.code()
    assert flow.exchange(code, verifier).status_code == 503
    tokens = flow.exchange(code, verifier)  # the code was never spent
    assert tokens.status_code == 200
    box.fail_next(1, status=500, target="any")
    assert flow.api(tokens.json()["access_token"], "Item.json").status_code == 500
    box.fail_next(1, status=504, target="authorize")
    assert flow.consent(box.client.client_id).status_code == 504


def test_drop_connection(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    box.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        flow.api(token, "Item.json")
    assert flow.api(token, "Item.json").status_code == 200


def held(box) -> None:
    """Wait until a delay holds one request back (a condition; the deadline only ends a failing run)."""
    deadline = time.monotonic() + 30
    while box.state.faults.holding() != 1:
        assert time.monotonic() < deadline, "no request was ever held by the delay"
        time.sleep(0.01)


def test_delay(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    # A delay far longer than the client waits: the client gives up while the sandbox still holds the request (a
    # condition, not a stopwatch: no machine is slow enough to make a minute pass here). The server's shutdown
    # cancels the rest of the wait.
    box.delay_next(1, seconds=60)
    with pytest.raises(httpx.ReadTimeout):
        flow.api(token, "Item.json", timeout=0.2)
    held(box)  # (on a loaded machine the server may reach the request only after the client gave up)
    assert box.state.faults.pending() == []
    # A short delay, waited out: the request is then answered normally, once the delay let it go (the count is
    # back to the first request alone).
    box.delay_next(1, seconds=0.05)
    assert flow.api(token, "Item.json").status_code == 200
    assert box.state.faults.pending() == [] and box.state.faults.holding() == 1


def test_faults_queue_in_order_and_clear(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    box.fail_next(1, status=500)
    box.fail_next(1, status=503)
    assert [flow.api(token, "Item.json").status_code for _ in range(2)] == [500, 503]
    box.fail_next(5)
    box.clear_faults()
    assert flow.api(token, "Item.json").status_code == 200
    with pytest.raises(ValueError):
        box.fail_next(1, status=404)


def test_admin_endpoints(fresh):
    box, flow = fresh()
    http = flow.http
    info = http.get("/_sandbox").json()
    assert info["url"] == box.url
    assert info["demo_client"]["client_id"] == box.client.client_id
    assert info["demo_client"]["client_secret"] == box.client.client_secret
    assert info["accounts"] == [{"accountID": box.account_id, "name": "Sandbox Outfitters"}]

    made = http.post("/_sandbox/clients", json={"name": "Browser app", "redirect_uri": "http://127.0.0.1:9/cb",
                                                  "public": True})
    assert made.status_code == 201 and made.json()["client_secret"] is None
    client_id = made.json()["client_id"]
    moved = http.put(f"/_sandbox/clients/{client_id}", json={"redirect_uri": "https://localhost/elsewhere"})
    assert moved.status_code == 200 and box.redirect_uri(client_id) == "https://localhost/elsewhere"
    assert http.put(f"/_sandbox/clients/{client_id}", json={"redirect_uri": "http://example.com"}).status_code == 400
    assert http.put("/_sandbox/clients/nobody", json={"redirect_uri": "https://localhost"}).status_code == 400

    token = flow.tokens()["access_token"]
    assert http.post("/_sandbox/faults", json={"kind": "error", "status": 500}).status_code == 201
    assert flow.api(token, "Item.json").status_code == 500
    assert http.post("/_sandbox/faults", json={"kind": "drop", "count": 3}).status_code == 201
    assert http.delete("/_sandbox/faults").status_code == 200
    assert http.post("/_sandbox/faults", json={"kind": "explode"}).status_code == 400
    assert flow.api(token, "Item.json").status_code == 200

    assert http.post("/_sandbox/tokens/expire").json() == {"expired": 1}
    assert flow.api(token, "Item.json").status_code == 401
    assert http.post("/_sandbox/tokens/revoke").json()["revoked"] >= 1
    assert http.post("/_sandbox/clock/advance", json={"seconds": 30}).json() == {"offset": 30.0}
    assert http.post("/_sandbox/clock/advance", json={"seconds": -1}).status_code == 400


def test_admin_endpoints_can_be_turned_off(fresh):
    box, flow = fresh(admin_endpoints=False)
    assert flow.http.get("/_sandbox").status_code == 404
