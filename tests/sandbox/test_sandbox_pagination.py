"""Walking lists: V3 cursors, V2 offsets, the one-record and empty shapes, count=1
(docs/lightspeed-api.md sections 3.3-3.4)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest

from ls_widget.catalogue import CATALOGUE

RESOURCES = ["Shop", "Register", "Employee", "Category", "Item", "Customer", "Sale", "SaleLine"]
ID = {entry.name: entry.key for entry in CATALOGUE}
# A field where many records tie, to order V2 walks by (ties must still give every record once).
TIED = {"Shop": "timeZone", "Register": "shopID", "Employee": "employeeRoleID", "Category": "parentID",
        "Item": "categoryID", "Customer": "lastName", "Sale": "employeeID", "SaleLine": "itemID"}


def records_of(body: dict, name: str) -> list:
    value = body.get(name)
    if value is None:
        return []
    assert isinstance(value, (dict, list))
    if isinstance(value, dict):
        return [value]
    assert len(value) > 1, "a one-record page must be an object, not a list"
    return value


def walk_v3(flow, token, name, params=None, max_pages=1000) -> tuple[list, int]:
    response = flow.api(token, f"{name}.json", params=params)
    ids, pages = [], 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body["@attributes"]) == {"next", "previous"}
        if pages == 0:
            assert body["@attributes"]["previous"] == ""
        ids += [r[ID[name]] for r in records_of(body, name)]
        pages += 1
        following = body["@attributes"]["next"]
        if not following:
            return ids, pages
        assert pages < max_pages
        response = flow.api(token, following)


def walk_v2(flow, token, name, params=None, limit=100) -> list:
    ids, offset = [], 0
    while True:
        response = flow.api(token, f"{name}.json", params={**(params or {}), "offset": offset, "limit": limit},
                            version="v2")
        assert response.status_code == 200, response.text
        body = response.json()
        attributes = body["@attributes"]
        assert attributes["offset"] == str(offset) and attributes["limit"] == str(limit)
        page = records_of(body, name)
        ids += [r[ID[name]] for r in page]
        offset += limit
        if offset >= int(attributes["count"]):
            return ids


def live_ids(box, name) -> list:
    table = box.state.account(box.account_id).table(name)
    return [r[ID[name]] for r in table.records if r.get("archived", "false") == "false"]


@pytest.mark.parametrize("name", RESOURCES)
def test_v3_walk_yields_every_record_once(flow, box, token, name):
    expected = live_ids(box, name)
    limit = 7 if len(expected) < 100 else 41  # several pages, never aligned with anything
    by_time = ("timeStamp", "-timeStamp") if "timeStamp" in CATALOGUE[name].sortable else ()
    for sort in (None, ID[name], "-" + ID[name], *by_time):
        params = {"limit": limit}
        if sort:
            params["sort"] = sort
        ids, pages = walk_v3(flow, token, name, params)
        assert Counter(ids) == Counter(expected), sort
        assert pages == max(1, -(-len(expected) // limit))
        if sort and sort.lstrip("-") == ID[name]:
            assert [int(i) for i in ids] == sorted((int(i) for i in ids), reverse=sort.startswith("-"))


@pytest.mark.parametrize("name", RESOURCES)
def test_v2_walk_yields_every_record_once(flow, box, token, name):
    expected = live_ids(box, name)
    limit = 9 if len(expected) < 100 else 43
    # V2 orders by any field, timeStamp included where the records have it (Register has none)
    by_time = "timeStamp" if name != "Register" else "name"
    for params in ({}, {"orderby": by_time}, {"orderby": by_time, "orderby_desc": "1"},
                   {"orderby": ID[name], "orderby_desc": "1"}, {"orderby": TIED[name]},
                   {"orderby": TIED[name], "orderby_desc": "true"}):
        assert Counter(walk_v2(flow, token, name, params, limit=limit)) == Counter(expected), params


def test_timestamp_ties_do_not_lose_or_repeat_records(flow, box, token):
    stamps = Counter(r["timeStamp"] for r in box.state.account(box.account_id).table("Item").records
                     if r["archived"] == "false")
    assert max(stamps.values()) > 5  # an import batch shares one timeStamp
    ids, _ = walk_v3(flow, token, "Item", {"sort": "timeStamp", "limit": 3})
    assert len(ids) == len(set(ids)) == sum(stamps.values())
    ordered = [box.state.account(box.account_id).table("Item").by_id[i]["timeStamp"] for i in ids]
    assert ordered == sorted(ordered)


def test_next_urls_carry_the_query(flow, token, box):
    params = {"timeStamp": ">=,2020-01-01T00:00:00+00:00", "load_relations": '["SaleLines"]', "sort": "-timeStamp",
              "limit": "5", "completed": "true"}
    body = flow.api(token, "Sale.json", params=params).json()
    following = body["@attributes"]["next"]
    parts = urlsplit(following)
    assert f"{parts.scheme}://{parts.netloc}" == box.url
    assert parts.path == f"/API/V3/Account/{box.account_id}/Sale.json"
    carried = dict(parse_qsl(parts.query))
    assert {k: carried[k] for k in params} == params
    assert "timeStamp=%3E%3D%2C2020-01-01T00%3A00%3A00%2B00%3A00" in parts.query  # Lightspeed's re-encoding
    cursor = json.loads(base64.b64decode(carried["after"]))
    assert isinstance(cursor, list) and len(cursor) == 2


def test_id_cursor_looks_like_lightspeeds(flow, token):
    body = flow.api(token, "Item.json", params={"limit": 100}).json()
    after = dict(parse_qsl(urlsplit(body["@attributes"]["next"]).query))["after"]
    assert json.loads(base64.b64decode(after)) == [int(body["Item"][-1]["itemID"])]
    assert "limit=100" in body["@attributes"]["next"] and "sort=itemID" in body["@attributes"]["next"]


def test_previous_links_walk_back(flow, token, box):
    forward, pages = [], []
    url = None
    body = flow.api(token, "Customer.json", params={"limit": 6, "sort": "-timeStamp"}).json()
    while True:
        pages.append([r["customerID"] for r in records_of(body, "Customer")])
        url = body["@attributes"]["next"]
        if not url:
            break
        body = flow.api(token, url).json()
    backward = []
    while True:
        previous = body["@attributes"]["previous"]
        if not previous:
            break
        body = flow.api(token, previous).json()
        backward.append([r["customerID"] for r in records_of(body, "Customer")])
    assert backward == pages[-2::-1]
    forward = [i for page in pages for i in page]
    assert len(forward) == len(set(forward))


def test_one_record_page_is_an_object_and_empty_has_no_key(flow, box, token):
    live = live_ids(box, "Item")[0]
    one = flow.api(token, "Item.json", params={"itemID": live}).json()
    assert isinstance(one["Item"], dict) and one["Item"]["itemID"] == live
    assert one["@attributes"] == {"next": "", "previous": ""}
    none = flow.api(token, "Item.json", params={"itemID": "999999"}).json()
    assert none == {"@attributes": {"next": "", "previous": ""}}
    v2_none = flow.api(token, "Item.json", params={"itemID": "999999"}, version="v2").json()
    assert v2_none == {"@attributes": {"count": "0", "offset": "0", "limit": "100"}}
    v2_one = flow.api(token, "Item.json", params={"itemID": live}, version="v2").json()
    assert isinstance(v2_one["Item"], dict)


def test_last_page_of_exactly_one_record(flow, box, token):
    total = len(live_ids(box, "Shop"))
    body = flow.api(token, "Shop.json", params={"limit": total - 1}).json()
    last = flow.api(token, body["@attributes"]["next"]).json()
    assert isinstance(last["Shop"], dict) and last["@attributes"]["next"] == ""


def test_single_record(flow, token):
    body = flow.api(token, "Sale/3.json").json()  # one record: "@attributes": {"count": "1"} beside it
    assert body["@attributes"] == {"count": "1"} and set(body) == {"@attributes", "Sale"}
    assert body["Sale"]["saleID"] == "3"
    assert flow.api(token, "Item/5", params=None).json()["Item"]["itemID"] == "5"  # .json suffix optional
    v2 = flow.api(token, "Sale/3.json", version="v2").json()
    assert v2 == body


def test_archived_records_are_readable_by_id(flow, box, token):
    archived = next(r for r in box.state.account(box.account_id).table("Item").records if r["archived"] == "true")
    assert flow.api(token, f"Item/{archived['itemID']}.json").status_code == 200


def test_count(flow, box, token):
    total = len(live_ids(box, "Item"))
    for version in ("v3", "v2"):
        response = flow.api(token, "Item.json", params={"count": "1"}, version=version)
        assert response.json() == {"@attributes": {"count": str(total)}}
        assert response.headers["x-ls-api-request-cost"] == "10"
    filtered = flow.api(token, "Sale.json", params={"count": "1", "completed": "false"}).json()
    assert int(filtered["@attributes"]["count"]) == sum(
        1 for r in box.state.account(box.account_id).table("Sale").records if r["completed"] == "false")


def test_v2_count_offset_limit(flow, box, token):
    body = flow.api(token, "Customer.json", params={"offset": 10, "limit": 5}, version="v2").json()
    assert body["@attributes"] == {"count": str(len(live_ids(box, "Customer"))), "offset": "10", "limit": "5"}
    assert [r["customerID"] for r in body["Customer"]] == live_ids(box, "Customer")[10:15]


def test_default_limit_is_100(flow, token):
    body = flow.api(token, "Sale.json").json()
    assert len(body["Sale"]) == 100 and "limit=100" in body["@attributes"]["next"]


def test_nested_sale_lines(flow, box, token):
    lines = box.state.account(box.account_id).sale_lines(box.state.account(box.account_id).table("Sale").by_id["7"])
    body = flow.api(token, "Sale/7/SaleLine.json").json()
    assert [r["saleLineID"] for r in records_of(body, "SaleLine")] == [r["saleLineID"] for r in lines]


def test_account_json_lists_several_accounts(fresh):
    box, flow = fresh(accounts=3)
    token = flow.tokens()["access_token"]
    body = flow.api(token, "/Account.json").json()
    assert isinstance(body["Account"], list) and len(body["Account"]) == 3
    assert [a["accountID"] for a in body["Account"]] == box.state.account_ids
    second = box.state.account_ids[1]
    assert body["Account"][1]["link"] == {"@attributes": {"href": f"/API/V3/Account/{second}"}}
    response = flow.http.get(f"/API/V3/Account/{second}/Shop.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["x-ls-acct-id"] == second
    single = flow.http.get(f"/API/Account/{second}.json", headers={"Authorization": f"Bearer {token}"}).json()
    assert single["Account"]["link"]["@attributes"]["href"] == f"/API/Account/{second}"


def test_default_sizes_walk_all_sales(fresh):
    box, flow = fresh(items=2000, customers=500, sales=10000)
    token = flow.tokens()["access_token"]
    ids, pages = walk_v3(flow, token, "Sale")
    assert pages == 100 and len(set(ids)) == 10000
    ids, pages = walk_v3(flow, token, "Sale", {"sort": "-timeStamp"})
    assert pages == 100 and len(set(ids)) == 10000
    assert len(set(walk_v2(flow, token, "Sale"))) == 10000
    body = flow.api(token, "Sale.json", params={"count": "1"}).json()
    assert body["@attributes"]["count"] == "10000"
