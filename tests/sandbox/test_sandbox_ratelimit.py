"""Rate limits (docs/lightspeed-api.md section 4): the leaky bucket and the burst limiter, per account + client,
and their headers."""

from __future__ import annotations

import math
import re

import pytest

DEFAULTS = dict(bucket_size=None, drip_rate=None, burst_limit=None)  # Lightspeed's formula


def level(response) -> tuple[float, float]:
    current, size = response.headers["x-ls-api-bucket-level"].split("/")
    return float(current), float(size)


def until_limited(flow, token, path="Item.json", most=300, **kwargs):
    for count in range(1, most + 1):
        response = flow.api(token, path, **kwargs)
        if response.status_code == 429:
            return count, response
    raise AssertionError("never limited")


def test_headers_on_every_api_response(fresh):
    box, flow = fresh(bucket_size=5, drip_rate=0.001)
    token = flow.tokens(scopes=("employee:inventory_read",))["access_token"]
    responses = [flow.api(token, "Item.json"), flow.api(token, "Item.json", params={"limit": 500}),
                 flow.api(token, "Sale.json"), flow.api(token, "Nope.json"), flow.api(token, "/Account.json"),
                 flow.http.delete(f"/API/V3/Account/{box.account_id}/Item/1.json",
                                  headers={"Authorization": f"Bearer {token}"})]
    responses.append(until_limited(flow, token)[1])
    assert [r.status_code for r in responses] == [200, 400, 403, 404, 200, 405, 429]
    for response in responses:
        headers = response.headers
        assert re.fullmatch(r"\d+(\.\d+)?/5", headers["x-ls-api-bucket-level"])
        assert re.fullmatch(r"\d+/\d+", headers["x-ls-api-burst-level"])
        assert headers["x-ls-api-drip-rate"] == "0.001"
        assert headers["x-ls-api-request-cost"] == "1"
        assert headers["x-ls-acct-id"] == box.account_id
        assert headers["x-ls-oauth-client-id"] == box.client.client_id
        assert re.fullmatch(r"[0-9a-f]{16}-\w+", headers["cf-ray"])
        assert ("x-ls-api-ratelimit-type" in headers) == (response.status_code == 429)
        assert ("retry-after" in headers) == (response.status_code == 429)


def test_lightspeed_defaults(fresh):
    box, flow = fresh(**DEFAULTS)
    response = flow.api(flow.tokens()["access_token"], "Item.json")
    assert response.headers["x-ls-api-bucket-level"].endswith("/90")
    assert response.headers["x-ls-api-drip-rate"] == "1"
    assert response.headers["x-ls-api-burst-level"] == "1/20"


def test_more_registers_mean_a_bigger_bucket(fresh):
    box, flow = fresh(registers=3, shops=2, **DEFAULTS)
    response = flow.api(flow.tokens()["access_token"], "Register.json")
    assert len(response.json()["Register"]) == 3
    assert response.headers["x-ls-api-bucket-level"].endswith("/110")
    assert response.headers["x-ls-api-drip-rate"] == "2"
    assert response.headers["x-ls-api-burst-level"] == "1/24"


def test_level_is_a_float_that_drains(fresh):
    box, flow = fresh(bucket_size=90, drip_rate=0.01)  # slow enough that real time does not show
    token = flow.tokens()["access_token"]
    first = flow.api(token, "Sale.json", params={"load_relations": '["SaleLines"]'})
    assert first.headers["x-ls-api-request-cost"] == "1.4"
    assert first.headers["x-ls-api-bucket-level"] == "1.4/90"
    second = flow.api(token, "Sale.json", params={"load_relations": '["SaleLines","Customer"]'})
    assert level(second)[0] == pytest.approx(3.0, abs=0.01)
    box.advance_clock(250)  # drains 2.5
    third = flow.api(token, "Item.json")
    assert level(third)[0] == pytest.approx(1.5, abs=0.01)
    assert re.fullmatch(r"1\.\d{1,2}/90", third.headers["x-ls-api-bucket-level"])


def test_the_request_that_overflows_is_allowed_then_429_until_below(fresh):
    box, flow = fresh(bucket_size=10, drip_rate=0.01)
    token = flow.tokens()["access_token"]
    for _ in range(9):
        assert flow.api(token, "Item.json").status_code == 200
    big = flow.api(token, "Item.json", params={"count": "1"})  # level 9 -> 19: allowed, it is the first over
    assert big.status_code == 200 and level(big)[0] == pytest.approx(19, abs=0.01)
    blocked = flow.api(token, "Item.json")
    assert blocked.status_code == 429
    assert blocked.headers["x-ls-api-ratelimit-type"] == "api-leaky-bucket"
    assert blocked.headers["x-ls-api-request-cost"] == "1"
    body = blocked.json()
    assert body["httpCode"] == "429" and "Rate limit exceeded" in body["message"]
    retry_after = int(blocked.headers["retry-after"])
    assert 895 <= retry_after <= 900  # (19 - 10) / 0.01, rounded up (less what drained meanwhile)
    assert level(flow.api(token, "Item.json"))[0] == pytest.approx(19, abs=0.01)  # refused requests cost nothing
    box.advance_clock(retry_after - 2)
    assert flow.api(token, "Item.json").status_code == 429
    box.advance_clock(2)
    assert flow.api(token, "Item.json").status_code == 200


def test_retry_after_is_really_enough(fresh):
    box, flow = fresh(bucket_size=3, drip_rate=8)
    token = flow.tokens()["access_token"]
    _, blocked = until_limited(flow, token, params={"count": "1"})  # 10 over a size of 3: under 1 s to drain
    retry_after = int(blocked.headers["retry-after"])
    # The drain time of the level the refusal reports, rounded up to whole seconds: never less than what is needed.
    assert retry_after == math.ceil((level(blocked)[0] - 3) / 8) == 1
    # The limiter reads nothing but the sandbox clock, which runs with the wall clock plus the offset advance_clock
    # adds: moving it by Retry-After is waiting that long, as far as the bucket can tell (real time that passes as
    # well only drains it further). So no sleep is needed to show the header is enough.
    box.advance_clock(retry_after)
    assert flow.api(token, "Item.json").status_code == 200


def test_burst_limiter(fresh):
    box, flow = fresh(bucket_size=1000, drip_rate=1, burst_limit=5)
    token = flow.tokens()["access_token"]
    count, blocked = until_limited(flow, token, most=40)
    assert count >= 6
    assert blocked.headers["x-ls-api-ratelimit-type"] == "api-burst-limiter"
    assert blocked.headers["retry-after"] == "1"
    assert "burst rate limit exceeded" in blocked.json()["message"]
    assert re.fullmatch(r"\d+/5", blocked.headers["x-ls-api-burst-level"])
    assert int(blocked.headers["x-ls-api-burst-level"].split("/")[0]) > 5
    box.advance_clock(1)
    assert flow.api(token, "Item.json").headers["x-ls-api-burst-level"] == "1/5"


def test_buckets_are_per_account_and_client(fresh):
    box, flow = fresh(accounts=2, bucket_size=5, drip_rate=0.001)
    other_client = box.register_client("Second app", "https://localhost/second")
    mine = flow.tokens()["access_token"]
    theirs = flow.tokens(client=other_client)["access_token"]
    until_limited(flow, mine)
    assert flow.api(mine, "Item.json").status_code == 429
    fine = flow.api(theirs, "Item.json")
    assert fine.status_code == 200 and level(fine)[0] == pytest.approx(1, abs=0.01)
    assert fine.headers["x-ls-oauth-client-id"] == other_client.client_id
    second_account = box.state.account_ids[1]
    response = flow.http.get(f"/API/V3/Account/{second_account}/Item.json",
                             headers={"Authorization": f"Bearer {mine}"})
    assert response.status_code == 200 and response.headers["x-ls-acct-id"] == second_account
    assert level(response)[0] == pytest.approx(1, abs=0.01)


def test_v2_and_v3_share_the_bucket(fresh):
    box, flow = fresh(bucket_size=5, drip_rate=0.001)
    token = flow.tokens()["access_token"]
    flow.api(token, "Item.json")
    assert level(flow.api(token, "Item.json", version="v2"))[0] == pytest.approx(2, abs=0.01)


@pytest.mark.parametrize("offset", [10**30, 10**7, 1_000_001])
def test_a_huge_v2_offset_is_refused_naming_the_limit_and_never_locks_the_bucket(fresh, offset):
    box, flow = fresh(**DEFAULTS)  # Lightspeed's bucket: 90 drips, 1 a second
    token = flow.tokens()["access_token"]
    refused = flow.api(token, "Item.json", params={"offset": str(offset)}, version="v2")
    assert refused.status_code == 400 and "1000000" in refused.text
    assert level(refused)[0] == pytest.approx(1, abs=0.01)  # charged like any refused request, not 0.0005 x offset
    after = flow.api(token, "Item.json", version="v2")
    assert after.status_code == 200 and level(after)[0] < 3
    most = flow.api(token, "Item.json", params={"offset": "1000000"}, version="v2")  # the limit itself is served
    assert most.status_code == 200 and most.json()["@attributes"]["offset"] == "1000000"
