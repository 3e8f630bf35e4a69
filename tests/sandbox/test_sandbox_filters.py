"""Filters in Lightspeed's encoding, archived, timeStamp, or, load_relations and relation costs
(docs/lightspeed-api.md section 3.5)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest

from ls_widget.catalogue import CATALOGUE


def all_ids(flow, token, name, params, version="v3") -> list:
    """Every matching ID across pages (limit 100)."""
    id_field = name[0].lower() + name[1:] + "ID"
    ids, response = [], flow.api(token, f"{name}.json", params=params, version=version)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        page = body.get(name, [])
        ids += [r[id_field] for r in ([page] if isinstance(page, dict) else page)]
        following = body["@attributes"].get("next")
        if not following:
            return ids
        response = flow.api(token, following)


@pytest.fixture(scope="module")
def items(box):
    return box.state.account(box.account_id).table("Item").records


@pytest.fixture(scope="module")
def sales(box):
    return box.state.account(box.account_id).table("Sale").records


def live(records):
    return [r for r in records if r.get("archived", "false") == "false"]


def ids(records, field="itemID"):
    return [r[field] for r in records]


def price(r):
    return float(r["defaultCost"])


@pytest.mark.parametrize("op, test", [
    ("=", lambda v, x: v == x), (">", lambda v, x: v > x), (">=", lambda v, x: v >= x),
    ("<", lambda v, x: v < x), ("<=", lambda v, x: v <= x), ("!=", lambda v, x: v != x),
])
def test_comparison_operators_on_numbers(flow, token, items, op, test):
    pivot = price(items[10])
    expected = ids(r for r in live(items) if test(price(r), pivot))
    got = all_ids(flow, token, "Item", {"defaultCost": f"{op},{items[10]['defaultCost']}"})
    assert got == expected and got
    if op == "=":
        assert all_ids(flow, token, "Item", {"defaultCost": items[10]["defaultCost"]}) == expected  # bare value


def test_operators_arrive_percent_encoded(flow, token, items, box):
    url = f"/API/V3/Account/{box.account_id}/Item.json?defaultCost=%3E%3D%2C50&itemID=!%3D%2C3"
    body = flow.http.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    expected = ids(r for r in live(items) if price(r) >= 50 and r["itemID"] != "3")[:100]
    assert ids(body["Item"]) == expected


def test_like_and_not_like(flow, token, items):
    word = items[0]["description"].split()[1]
    like = re.compile(f".*{re.escape(word)}.*", re.IGNORECASE)
    expected = ids(r for r in live(items) if like.match(r["description"]))
    assert all_ids(flow, token, "Item", {"description": f"~,%{word.lower()}%"}) == expected
    rest = ids(r for r in live(items) if not like.match(r["description"]))
    assert all_ids(flow, token, "Item", {"description": f"!~,%{word}%"}) == rest
    assert len(expected) + len(rest) == len(live(items))
    one_char = all_ids(flow, token, "Item", {"systemSku": "~,21000000000_"})
    assert one_char == ids(r for r in live(items) if len(r["systemSku"]) == 12 and r["systemSku"].startswith(
        "21000000000"))


def test_in(flow, token, items):
    wanted = ["3", "5", "8", "13", "21", "999999"]
    assert all_ids(flow, token, "Item", {"itemID": "IN,[" + ",".join(wanted) + "]"}) == [
        r["itemID"] for r in live(items) if r["itemID"] in wanted]
    assert all_ids(flow, token, "Item", {"itemID": 'IN,["3","5"]'}) == [i for i in ("3", "5") if items[int(i) - 1][
        "archived"] == "false"]


def test_between(flow, token, items):
    expected = ids(r for r in live(items) if 20 <= price(r) <= 40)
    assert all_ids(flow, token, "Item", {"defaultCost": "><,20,40"}) == expected and expected


def test_text_equality_is_case_insensitive(flow, token, box):
    shop = box.state.account(box.account_id).table("Shop").records[0]
    body = flow.api(token, "Shop.json", params={"name": shop["name"].upper()}).json()
    assert body["Shop"]["shopID"] == shop["shopID"]


def test_archived(flow, token, items):
    archived = ids(r for r in items if r["archived"] == "true")
    assert archived
    assert all_ids(flow, token, "Item", {"archived": "only"}) == archived
    assert all_ids(flow, token, "Item", {"archived": "true"}) == ids(items)
    assert all_ids(flow, token, "Item", {"archived": "false"}) == ids(live(items))
    assert all_ids(flow, token, "Item", {}) == ids(live(items))


@pytest.mark.parametrize("offset", ["+00:00", "-05:00", "+02:30", "Z"])
def test_timestamp_comparisons_understand_offsets(flow, token, sales, offset):
    pivot = datetime.fromisoformat(sales[150]["timeStamp"])
    if offset == "Z":
        text = pivot.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = map(int, offset[1:].split(":"))
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        text = pivot.astimezone(zone).isoformat()
    expected = [r["saleID"] for r in sales if datetime.fromisoformat(r["timeStamp"]) > pivot]
    got = all_ids(flow, token, "Sale", {"timeStamp": f">,{text}", "sort": "timeStamp"})
    assert sorted(got, key=int) == sorted(expected, key=int) and got


def test_unencoded_plus_in_a_timestamp(flow, token, box, sales):
    pivot = sales[100]["timeStamp"]
    url = f"/API/V3/Account/{box.account_id}/Sale.json?count=1&timeStamp=>=,{pivot}"  # '+' left raw: a space
    body = flow.http.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    assert int(body["@attributes"]["count"]) == sum(1 for r in sales if r["timeStamp"] >= pivot)


def test_incremental_sync_by_timestamp(flow, token, sales):
    """The pattern Lightspeed recommends: timeStamp>=last seen, sorted by timeStamp, walked with cursors."""
    since = sales[200]["timeStamp"]
    got = all_ids(flow, token, "Sale", {"timeStamp": f">=,{since}", "sort": "timeStamp"})
    assert sorted(got, key=int) == sorted((r["saleID"] for r in sales if r["timeStamp"] >= since), key=int)


def test_combined_filters_and_or(flow, token, sales):
    expected = [r["saleID"] for r in sales if r["completed"] == "true" and r["shopID"] == "1"
                and float(r["total"]) > 100]
    assert all_ids(flow, token, "Sale", {"completed": "true", "shopID": "1", "total": ">,100"}) == expected
    either = [r["saleID"] for r in sales if r["voided"] == "true" or r["completed"] == "false"]
    response = flow.api(token, "Sale.json", params={"or": "voided=true|completed=false", "limit": 100})
    assert [r["saleID"] for r in response.json().get("Sale", [])] == either
    assert response.headers["x-ls-api-request-cost"] == "3"  # 1 + 1 per operand


def test_filters_work_in_v2(flow, token, items):
    expected = ids(r for r in live(items) if price(r) < 30)
    got = all_ids(flow, token, "Item", {"defaultCost": "<,30", "limit": 100}, version="v2")
    assert got == expected[:100]


# -- load_relations -----------------------------------------------------------------------------------------------
def test_sale_lines_embedded_and_consistent(flow, token, box):
    body = flow.api(token, "Sale.json", params={"load_relations": '["SaleLines"]', "limit": 50}).json()
    items = box.state.account(box.account_id).table("Item").by_id
    seen_single = seen_many = False
    for sale in body["Sale"]:
        lines = sale["SaleLines"]["SaleLine"]
        if isinstance(lines, dict):
            seen_single, lines = True, [lines]
        else:
            seen_many = True
        subtotal = sum(Decimal(line["unitPrice"]) * int(line["unitQuantity"]) for line in lines)
        assert subtotal == Decimal(sale["calcSubtotal"])
        # the sale rounds its lines' tax (kept to 1/100000) to the cent, half away from zero
        exact = sum(Decimal(line["calcTotal"]) for line in lines)
        assert exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal(sale["total"])
        for line in lines:
            assert line["saleID"] == sale["saleID"] and line["itemID"] in items
            assert line["unitPrice"] == items[line["itemID"]]["Prices"]["ItemPrice"][0]["amount"]
    assert seen_single and seen_many


def test_relations_and_costs(flow, token):
    cases = [
        ("Sale.json", '["SaleLines"]', "1.4"),  # list read: 0.2 x-to-many, doubled
        ("Sale.json", '["SaleLines","Customer"]', "1.6"),
        ("Sale.json", "all", str(round(1 + 2 * sum(0.2 if r.many else 0.1 for r in CATALOGUE["Sale"].relations), 4))),
        ("Item.json", '["Category","ItemShops"]', "1.6"),
        ("Sale/5.json", '["SaleLines"]', "1.2"),  # single read: not doubled
        ("Sale/5.json", '["SaleLines","Customer"]', "1.3"),
        ("Customer/4.json", '["Contact"]', "1.1"),
    ]
    for path, relations, cost in cases:
        response = flow.api(token, path, params={"load_relations": relations})
        assert response.status_code == 200
        assert float(response.headers["x-ls-api-request-cost"]) == pytest.approx(float(cost)), (path, relations)


def test_relation_shapes(flow, token, box):
    data = box.state.account(box.account_id)
    walk_in = next(s for s in data.table("Sale").records if s["customerID"] == "0")
    known = next(s for s in data.table("Sale").records if s["customerID"] != "0")
    body = flow.api(token, f"Sale/{walk_in['saleID']}.json", params={"load_relations": "all"}).json()["Sale"]
    assert "Customer" not in body and "SaleLines" in body
    body = flow.api(token, f"Sale/{known['saleID']}.json", params={"load_relations": '["Customer"]'}).json()["Sale"]
    assert body["Customer"]["customerID"] == known["customerID"] and "SaleLines" not in body
    item = flow.api(token, "Item/2.json", params={"load_relations": '["Category","ItemShops"]'}).json()["Item"]
    assert item["Category"]["categoryID"] == item["categoryID"]
    shops = item["ItemShops"]["ItemShop"]  # one per shop and the summary row (shopID 0)
    assert len(shops) == len(data.table("Shop").records) + 1 and all(s["itemID"] == "2" for s in shops)
    assert sorted(s["shopID"] for s in shops) == ["0", *sorted(s["shopID"] for s in data.table("Shop").records)]
    with_email = next(c for c in data.table("Customer").records
                      if data.contact("Customer", c)["Emails"] and c["archived"] == "false")["customerID"]
    customer = flow.api(token, f"Customer/{with_email}.json",
                        params={"load_relations": '["Contact"]'}).json()["Customer"]
    assert customer["Contact"]["Emails"]["ContactEmail"]["address"].endswith(("example.com", "example.org",
                                                                               "example.net"))
    plain = flow.api(token, "Customer/3.json").json()["Customer"]
    assert "Contact" not in plain


def test_count_and_v2_costs(flow, token):
    assert flow.api(token, "Item.json", params={"offset": 40, "limit": 10}, version="v2").headers[
        "x-ls-api-request-cost"] == "1.02"
    assert flow.api(token, "Item.json", params={"orderby": "manufacturerSku"}, version="v2").headers[
        "x-ls-api-request-cost"] == "5"
    assert flow.api(token, "Item.json", params={"orderby": "description"}, version="v2").headers[
        "x-ls-api-request-cost"] == "1"  # V3 sorts Item by description: no surcharge
    assert flow.api(token, "Item.json", params={"orderby": "timeStamp"}, version="v2").headers[
        "x-ls-api-request-cost"] == "1"
