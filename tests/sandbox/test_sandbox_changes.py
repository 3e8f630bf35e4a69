"""A day of changes (``Sandbox.day_of_changes``, ``POST /_sandbox/changes``) and what incremental sync reads of it:
``timeStamp>=`` boundaries, ``sort=timeStamp`` cursors over ties, V2 ``orderby=timeStamp``, ``archived``, ``count=1``
(docs/lightspeed-api.md sections 3.3-3.5). Black-box over HTTP; every test changes data, so each has its own sandbox."""

from __future__ import annotations

import base64
import json
import logging
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from .consistency import as_list, check_sale

ID = {"Item": "itemID", "Customer": "customerID", "Sale": "saleID", "SaleLine": "saleLineID"}
STAMP = "%Y-%m-%dT%H:%M:%S+00:00"


def walk(flow, token, name, params=None, version="v3") -> list:
    """Every matching record: V3 follows ``next`` verbatim, V2 steps ``offset`` by ``limit``."""
    params = dict(params or {})
    out = []
    if version == "v2":
        limit = int(params.setdefault("limit", 100))
        while True:
            body = flow.api(token, f"{name}.json", params={**params, "offset": len(out)}, version="v2").json()
            page = as_list(body.get(name))
            out += page
            if len(out) >= int(body["@attributes"]["count"]) or len(page) < limit:
                return out
    response = flow.api(token, f"{name}.json", params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        out += as_list(body.get(name))
        if not body["@attributes"]["next"]:
            return out
        response = flow.api(token, body["@attributes"]["next"])


def ids(records, name) -> list:
    return [r[ID[name]] for r in records]


def second(box) -> str:
    """The sandbox clock's current second, as Lightspeed writes timestamps."""
    return box.clock.now().strftime(STAMP)


def count(flow, token, name, version="v3", **params) -> int:
    return int(flow.api(token, f"{name}.json", params={"count": "1", **params}, version=version)
               .json()["@attributes"]["count"])


@pytest.fixture
def changed(fresh):
    """A sandbox, a token, the second before a day of changes, and its summary."""
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    before = second(box)
    summary = box.day_of_changes(edits=5, adds=4, archives=3, deletes=2, seed="test")
    return box, flow, token, before, summary


def test_a_day_of_changes_is_exactly_what_timestamp_since_returns(changed):
    box, flow, token, before, summary = changed
    assert summary["timeStamp"] >= before and summary["accountID"] == box.account_id
    expected = {
        "Item": summary["Item"]["edited"] + summary["Item"]["added"] + summary["Item"]["archived"],
        "Customer": summary["Customer"]["edited"] + summary["Customer"]["added"] + summary["Customer"]["archived"],
        "Sale": summary["Sale"]["edited"] + summary["Sale"]["added"] + summary["Sale"]["voided"],
        "SaleLine": summary["SaleLine"]["edited"] + summary["SaleLine"]["added"],
    }
    assert [len(summary["Item"][k]) for k in ("edited", "added", "archived", "deleted")] == [5, 4, 3, 2]
    for name, wanted in expected.items():
        for version in ("v3", "v2"):
            sort = {"sort": "timeStamp"} if version == "v3" else {"orderby": "timeStamp"}
            got = walk(flow, token, name, {"timeStamp": f">=,{before}", "archived": "true", **sort}, version)
            assert sorted(ids(got, name), key=int) == sorted(wanted, key=int), (name, version)
            assert {r["timeStamp"] for r in got} == {summary["timeStamp"]}
        # inclusive at one-second precision: >= the changes' own second has them all, > it has nothing
        assert count(flow, token, name, timeStamp=f">=,{summary['timeStamp']}", archived="true") == len(wanted)
        assert count(flow, token, name, timeStamp=f">,{summary['timeStamp']}", archived="true") == 0
        assert count(flow, token, name, "v2", timeStamp=f">=,{summary['timeStamp']}", archived="true") == len(wanted)


def test_the_initial_dataset_is_older_than_now_so_changes_come_last(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    now = box.clock.now()
    for name in ID:
        newest = flow.api(token, f"{name}.json", params={"sort": "-timeStamp", "archived": "true", "limit": 1})
        assert datetime.fromisoformat(newest.json()[name]["timeStamp"]) < now, name
    sales = walk(flow, token, "Sale", {"sort": "timeStamp"})
    first, last = (datetime.fromisoformat(sales[k]["timeStamp"]) for k in (0, -1))
    assert last - first > timedelta(days=330)  # a year of trading
    summary = box.day_of_changes(edits=2, adds=1, archives=0, deletes=0)
    for name in ID:
        newest = flow.api(token, f"{name}.json", params={"sort": "-timeStamp", "limit": 1}).json()[name]
        assert newest["timeStamp"] == summary["timeStamp"], name


def test_a_dataset_reaching_past_now_is_warned_about(fresh, caplog):
    box, _ = fresh(end_date=(datetime.now(timezone.utc) + timedelta(days=60)).date().isoformat())
    with caplog.at_level(logging.WARNING, logger="ls_widget.sandbox"):
        box.day_of_changes(edits=1, adds=0, archives=0, deletes=0, resources=["Sale"])
    assert "after the sandbox's now" in caplog.text


def test_changes_are_stamped_by_the_sandbox_clock(fresh):
    box, flow = fresh()
    box.advance_clock(3 * 86400)
    token = flow.tokens()["access_token"]  # after the jump: a token issued before it would have expired
    summary = box.day_of_changes(edits=1, adds=1, archives=0, deletes=0, resources=["Item"])
    stamp = datetime.fromisoformat(summary["timeStamp"])
    assert abs(stamp - (datetime.now(timezone.utc) + timedelta(days=3))) < timedelta(seconds=5)
    item = flow.api(token, f"Item/{summary['Item']['added'][0]}.json").json()["Item"]
    assert item["timeStamp"] == item["createTime"] == summary["timeStamp"]


def test_edits_change_a_visible_field(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    before = {name: {r[ID[name]]: r for r in walk(flow, token, name, {"archived": "true"})}
              for name in ("Item", "Customer", "Sale")}
    summary = box.day_of_changes(edits=6, adds=0, archives=0, deletes=0, seed=3)
    for name in ("Item", "Customer", "Sale"):
        for record_id in summary[name]["edited"]:
            now = flow.api(token, f"{name}/{record_id}.json").json()[name]
            old = before[name][record_id]
            changed = {k for k in old if k not in ("timeStamp", "updatetime") and old[k] != now.get(k)}
            assert changed, (name, record_id)
            assert now["timeStamp"] == summary["timeStamp"] != old["timeStamp"]


def test_archived_records_only_come_back_with_archived_true_or_only(changed):
    box, flow, token, before, summary = changed
    for name in ("Item", "Customer"):
        archived = summary[name]["archived"]
        wanted = {ID[name]: f"IN,[{','.join(archived)}]"}
        for version in ("v3", "v2"):
            assert walk(flow, token, name, wanted, version) == []
            for mode in ("true", "only"):
                got = walk(flow, token, name, {**wanted, "archived": mode}, version)
                assert sorted(ids(got, name), key=int) == archived
                assert {r["archived"] for r in got} == {"true"}
        since = {"timeStamp": f">=,{before}"}
        live = ids(walk(flow, token, name, since), name)
        assert not set(live) & set(archived) and set(live) == set(summary[name]["edited"] + summary[name]["added"])
        only = ids(walk(flow, token, name, {**since, "archived": "only"}), name)
        assert sorted(only, key=int) == archived
        one = flow.api(token, f"{name}/{archived[0]}.json").json()[name]
        assert one["archived"] == "true"
    voided = summary["Sale"]["voided"]  # sales have no archived flag: a sale is voided, and stays listed
    got = walk(flow, token, "Sale", {"saleID": f"IN,[{','.join(voided)}]"})
    assert sorted(ids(got, "Sale"), key=int) == voided and {r["voided"] for r in got} == {"true"}


def test_deleted_records_are_gone_everywhere(changed):
    box, flow, token, before, summary = changed
    gone_lines = summary["SaleLine"]["deleted"]
    assert gone_lines  # a deleted sale takes its lines with it
    for name in ID:
        deleted = set(summary[name]["deleted"])
        assert deleted, name
        for version in ("v3", "v2"):
            for mode in ("false", "true", "only"):
                assert not deleted & set(ids(walk(flow, token, name, {"archived": mode}, version), name))
        for record_id in deleted:
            assert flow.api(token, f"{name}/{record_id}.json").status_code == 404
    for sale_id in summary["Sale"]["deleted"]:
        assert flow.api(token, f"Sale/{sale_id}/SaleLine.json").status_code == 404


def test_sales_stay_consistent_with_their_lines(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    old_lines = {r["saleLineID"]: r for r in walk(flow, token, "SaleLine")}
    summary = box.day_of_changes(edits=8, adds=6, archives=0, deletes=0, resources=["Sale"], seed=11)
    assert min(int(i) for i in summary["SaleLine"]["added"]) > max(int(i) for i in old_lines)
    assert len(summary["SaleLine"]["edited"]) == 8
    for sale_id in summary["Sale"]["edited"] + summary["Sale"]["added"]:
        sale = flow.api(token, f"Sale/{sale_id}.json", params={"load_relations": '["SaleLines"]'}).json()["Sale"]
        embedded = as_list(sale["SaleLines"]["SaleLine"])
        nested = as_list(flow.api(token, f"Sale/{sale_id}/SaleLine.json").json().get("SaleLine"))
        listed = walk(flow, token, "SaleLine", {"saleID": sale_id})
        assert embedded == nested == listed and embedded
        assert sale["completed"] == "true" and sale["timeStamp"] == sale["updatetime"] == summary["timeStamp"]
        payments = as_list(flow.api(token, f"Sale/{sale_id}/SalePayment.json").json().get("SalePayment"))
        check_sale(sale, embedded, payments)
        for line in embedded:
            if line["saleLineID"] in summary["SaleLine"]["edited"]:  # one more unit (given back, on a refund)
                assert abs(int(line["unitQuantity"])) == abs(int(old_lines[line["saleLineID"]]["unitQuantity"])) + 1
                assert line["timeStamp"] == summary["timeStamp"]
            elif line["saleLineID"] in old_lines:  # an untouched line keeps its own timeStamp
                assert line == old_lines[line["saleLineID"]]
            else:
                assert line["saleLineID"] in summary["SaleLine"]["added"] and line["saleID"] in summary["Sale"]["added"]


@pytest.mark.parametrize("sort", ["timeStamp", "-timeStamp"])
def test_cursors_over_250_equal_timestamps_neither_skip_nor_repeat(fresh, sort):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    summary = box.day_of_changes(edits=0, adds=250, archives=0, deletes=0, resources="Item")
    stamp = summary["timeStamp"]
    response = flow.api(token, "Item.json", params={"timeStamp": f">=,{stamp}", "sort": sort, "limit": 100})
    seen, pages = [], 0
    while True:
        body = response.json()
        page = as_list(body.get("Item"))
        seen += ids(page, "Item")
        pages += 1
        following = body["@attributes"]["next"]
        if not following:
            break
        query = urlsplit(following).query
        # the filter re-encoded as Lightspeed does (section 3.5), sort and limit carried, a [timeStamp, ID] cursor
        assert f"timeStamp=%3E%3D%2C{stamp.replace(':', '%3A').replace('+', '%2B')}" in query
        carried = dict(parse_qsl(query))
        assert carried["sort"] == sort and carried["limit"] == "100"
        assert json.loads(base64.b64decode(carried["after"])) == [stamp, int(page[-1]["itemID"])]
        response = flow.api(token, following)
    assert pages == 3 and len(seen) == len(set(seen)) == 250
    assert seen == sorted(summary["Item"]["added"], key=int, reverse=sort.startswith("-"))  # ties by ID


@pytest.mark.parametrize("descending", [False, True])
def test_v2_orderby_timestamp_with_offsets_over_ties(fresh, descending):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    summary = box.day_of_changes(edits=30, adds=250, archives=0, deletes=0, resources=["Item"])
    params = {"timeStamp": f">=,{summary['timeStamp']}", "orderby": "timeStamp", "limit": 100}
    if descending:
        params["orderby_desc"] = "1"
    got, offset = [], 0
    while True:
        body = flow.api(token, "Item.json", params={**params, "offset": offset}, version="v2").json()
        assert body["@attributes"] == {"count": "280", "offset": str(offset), "limit": "100"}
        got += ids(as_list(body.get("Item")), "Item")
        offset += 100
        if offset >= 280:
            break
    assert len(got) == len(set(got)) == 280
    assert set(got) == set(summary["Item"]["added"] + summary["Item"]["edited"])


def test_a_cursor_walk_survives_changes_landing_mid_walk(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    everything = set(ids(walk(flow, token, "Customer", {"archived": "true"}), "Customer"))
    body = flow.api(token, "Customer.json", params={"sort": "timeStamp", "archived": "true", "limit": 10}).json()
    seen = ids(body["Customer"], "Customer")
    summary = box.day_of_changes(edits=6, adds=3, archives=2, deletes=0, resources=["Customer"])
    rest = body["@attributes"]["next"]
    while rest:
        body = flow.api(token, rest).json()
        seen += ids(as_list(body.get("Customer")), "Customer")
        rest = body["@attributes"]["next"]
    touched = set(summary["Customer"]["edited"] + summary["Customer"]["archived"])
    counts = Counter(seen)
    assert all(counts[i] == 1 for i in everything - touched)  # nothing untouched skipped or repeated
    assert set(seen) == everything | set(summary["Customer"]["added"])  # changed ones reappear at the end


def test_an_incremental_sync_with_lookback_and_full_reconciliation(fresh):
    """The sync the feature is for: a first full pull, a day of changes, a pull since the last timeStamp minus a
    lookback merged by primary key, and a full pull that finds the deletions."""
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    pull = dict(sort="timeStamp", archived="true")
    mirror = {r["itemID"]: r for r in walk(flow, token, "Item", pull)}
    assert len(mirror) == count(flow, token, "Item", archived="true")
    watermark = max(r["timeStamp"] for r in mirror.values())
    box.advance_clock(600)  # later the same day (within the token's hour)
    summary = box.day_of_changes(edits=7, adds=5, archives=4, deletes=3, resources=["Item"])
    since = (datetime.fromisoformat(watermark) - timedelta(minutes=5)).strftime(STAMP)
    delta = walk(flow, token, "Item", {**pull, "timeStamp": f">=,{since}"})
    assert {r["itemID"] for r in delta} >= set(summary["Item"]["edited"] + summary["Item"]["added"]
                                               + summary["Item"]["archived"])
    mirror.update({r["itemID"]: r for r in delta})
    server = {r["itemID"]: r for r in walk(flow, token, "Item", pull)}
    assert set(mirror) - set(server) == set(summary["Item"]["deleted"])  # only a full pull can tell
    assert all(mirror[i] == server[i] for i in server)


def test_admin_endpoint(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    http = httpx.Client(base_url=box.url, timeout=10)
    answer = http.post("/_sandbox/changes", json={"edits": {"Item": 2, "Sale": 1}, "adds": 3, "archives": 0,
                                                  "deletes": 1, "resources": ["Item", "Sale"], "seed": 5})
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert set(summary) == {"accountID", "timeStamp", "Item", "Sale", "SaleLine", "SalePayment"}
    assert len(summary["Item"]["edited"]) == 2 and len(summary["Sale"]["added"]) == 3
    got = walk(flow, token, "Item", {"timeStamp": f">=,{summary['timeStamp']}"})
    assert set(ids(got, "Item")) == set(summary["Item"]["edited"] + summary["Item"]["added"])
    form = http.post("/_sandbox/changes", data={"edits": "1", "adds": "0", "archives": "1", "deletes": "0",
                                                "resources": "Customer"})
    assert form.status_code == 201 and set(form.json()) == {"accountID", "timeStamp", "Customer"}
    assert http.get("/_sandbox").json()["days_of_changes"] == 2
    for bad in ({"resources": ["Employee"]}, {"edits": -1}, {"adds": "many"}, {"edits": {"Sale": 1},
                "resources": ["Item"]}, {"account": "1"}):
        refused = http.post("/_sandbox/changes", json=bad)
        assert refused.status_code == 400 and refused.json()["error"], bad
    assert http.post("/_sandbox/changes", content=b"[1]",
                     headers={"Content-Type": "application/json"}).status_code == 400
    http.close()


def test_changes_stay_in_their_own_sandbox_and_ids_are_never_reused(fresh):
    box, flow = fresh()
    twin, twin_flow = fresh()
    token, twin_token = flow.tokens()["access_token"], twin_flow.tokens()["access_token"]
    start = count(twin_flow, twin_token, "Item", archived="true")
    highest = str(max(int(i) for i in ids(walk(flow, token, "Item", {"archived": "true"}), "Item")))
    box.day_of_changes(edits=0, adds=0, archives=0, deletes=0)  # no-op days still count as days
    first = box.day_of_changes(edits=0, adds=0, archives=0, deletes=start, resources=["Item"])
    assert highest in first["Item"]["deleted"]  # every item gone, the highest ID too
    assert count(flow, token, "Item", archived="true") == 0
    second = box.day_of_changes(edits=0, adds=2, archives=0, deletes=0, resources=["Item"])
    assert second["Item"]["added"] == [str(int(highest) + 1), str(int(highest) + 2)]
    assert count(twin_flow, twin_token, "Item", archived="true") == start  # the shared dataset is untouched


def test_the_same_seed_makes_the_same_changes(fresh):
    one, _ = fresh()
    two, _ = fresh()
    a = one.day_of_changes(edits=4, adds=2, archives=2, deletes=2, seed=42)
    b = two.day_of_changes(edits=4, adds=2, archives=2, deletes=2, seed=42)
    assert {k: v for k, v in a.items() if k != "timeStamp"} == {k: v for k, v in b.items() if k != "timeStamp"}
    c = one.day_of_changes(edits=4, adds=0, archives=0, deletes=0)
    d = one.day_of_changes(edits=4, adds=0, archives=0, deletes=0)
    assert c["Item"]["edited"] != d["Item"]["edited"]  # without a seed, each day picks anew
