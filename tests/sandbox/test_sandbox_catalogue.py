"""The sandbox serves every catalogued resource with Lightspeed's rules and shapes (ls_widget.catalogue, and
docs/lightspeed-api.md sections 3.3-3.6): sorting by each sortable field, the ItemShop summary row, sales that add
up, refunds, value formats, envelopes, the IN filter, empty contact lists."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ls_widget.catalogue import CATALOGUE
from ls_widget.sandbox.config import DataOptions
from ls_widget.sandbox.data import AccountData

from .conftest import SMALL
from .consistency import as_list, check_sale

SERVED = [entry.name for entry in CATALOGUE if entry.name != "Account"]  # Account has its own paths (section 3.2)
SORTS = [(entry.name, field) for entry in CATALOGUE if entry.name != "Account" for field in entry.sortable]
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def data_of(box) -> AccountData:
    return box.state.account(box.account_id)


def live(box, name: str) -> list:
    """What a default listing shows: records without an archived flag, or with it "false"."""
    entry = CATALOGUE[name]
    records = data_of(box).table(name).records
    return [r for r in records if not entry.archivable or r.get("archived", "false") == "false"]


def walk(flow, token, name: str, params: dict) -> list:
    """Every record of a V3 listing, following ``next`` verbatim."""
    response = flow.api(token, f"{name}.json", params=params)
    records = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        records += as_list(body.get(name))
        if not body["@attributes"]["next"]:
            return records
        response = flow.api(token, body["@attributes"]["next"])


def expected_order(records: list, field: str, key: str, descending: bool) -> list:
    """The order Lightspeed's MySQL gives, computed here independently: records without the value first (ascending),
    numbers as numbers, instants as instants, text case-insensitively; ties by the primary ID."""
    present = [r[field] for r in records if r.get(field) not in (None, "")]
    if present and all(NUMBER.match(v) for v in present):
        typed = lambda v: Decimal(v)  # noqa: E731
    elif present and all(INSTANT.match(v) for v in present):
        typed = lambda v: datetime.fromisoformat(v)  # noqa: E731
    else:
        typed = str.casefold

    def sort_key(record):
        value = record.get(field)
        if value is None or (value == "" and typed is not str.casefold):
            return (0, 0, int(record[key]))
        return (1, typed(value), int(record[key]))

    ordered = sorted((r for r in records if r.get(field) is not None), key=sort_key)
    missing = sorted((r for r in records if r.get(field) is None), key=lambda r: int(r[key]))
    ascending = missing + ordered
    return [r[key] for r in (reversed(ascending) if descending else ascending)]


def test_every_catalogued_resource_is_served(flow, token, box):
    for name in SERVED:
        response = flow.api(token, f"{name}.json", params={"limit": 1})
        assert response.status_code == 200, (name, response.text)
        assert live(box, name), f"the sandbox has no {name} records"


@pytest.mark.parametrize("name, field", SORTS)
def test_sorting_by_each_sortable_field_pages_through_every_record_once(flow, token, box, name, field):
    key = CATALOGUE[name].key
    records = live(box, name)
    limit = min(100, max(3, len(records) // 6 + 1))  # several pages, so cursors are used
    for descending in (False, True):
        sort = ("-" if descending else "") + field
        ids = [r[key] for r in walk(flow, token, name, {"sort": sort, "limit": limit})]
        assert Counter(ids) == Counter(r[key] for r in records), sort
        assert ids == expected_order(records, field, key, descending), sort


def test_backwards_through_previous_gives_the_same_records(flow, token):
    forward = walk(flow, token, "Sale", {"sort": "-completeTime", "limit": 37})
    body = flow.api(token, "Sale.json", params={"sort": "-completeTime", "limit": 37}).json()
    while body["@attributes"]["next"]:
        body = flow.api(token, body["@attributes"]["next"]).json()
    backward = as_list(body.get("Sale"))
    while body["@attributes"]["previous"]:
        body = flow.api(token, body["@attributes"]["previous"]).json()
        backward = as_list(body.get("Sale")) + backward
    assert [s["saleID"] for s in backward] == [s["saleID"] for s in forward]


@pytest.mark.parametrize("name", SERVED)
def test_a_field_that_is_not_sortable_is_a_400_naming_the_allowed_ones(flow, token, box, name):
    sortable = CATALOGUE[name].sortable
    record = live(box, name)[0]
    field = next((f for f, v in record.items() if isinstance(v, str) and f not in sortable), "noSuchField")
    for sort in (field, "-" + field):
        response = flow.api(token, f"{name}.json", params={"sort": sort})
        assert response.status_code == 400, (name, sort)
        assert f"Sortable fields: {', '.join(sortable)}" in response.json()["message"]


def test_register_has_no_timestamp_and_register_and_shop_sort_only_by_id(flow, token):
    registers = walk(flow, token, "Register", {})
    assert registers and all("timeStamp" not in r for r in registers)
    for name in ("Register", "Shop"):
        assert flow.api(token, f"{name}.json", params={"sort": "timeStamp"}).status_code == 400


def test_item_shop_summary_row_is_the_sum_of_the_shops_for_every_item(flow, token, box):
    rows = walk(flow, token, "ItemShop", {})
    by_item = defaultdict(list)
    for row in rows:
        by_item[row["itemID"]].append(row)
    shop_ids = sorted(s["shopID"] for s in data_of(box).table("Shop").records)
    assert set(by_item) == {i["itemID"] for i in data_of(box).table("Item").records}
    for item_id, mine in by_item.items():
        summary = [r for r in mine if r["shopID"] == "0"]
        shops = [r for r in mine if r["shopID"] != "0"]
        assert len(summary) == 1 and sorted(r["shopID"] for r in shops) == shop_ids, item_id
        for name in ("qoh", "backorder", "componentQoh", "componentBackorder", "onLayaway",
                     "onSpecialOrder", "onWorkorder", "onTransferOut", "onTransferIn", "reorderPoint",
                     "reorderLevel"):
            assert int(summary[0][name]) == sum(int(r[name]) for r in shops), (item_id, name)
        for name in ("totalValueFifo", "totalValueAvgCost", "totalValueNegativeInventory"):
            assert Decimal(summary[0][name]) == sum(Decimal(r[name]) for r in shops), (item_id, name)
        for row in mine:  # "will match QOH unless it is negative, in which case it will display 0"
            assert int(row["sellable"]) == max(0, int(row["qoh"]))
    item = next(iter(by_item))
    related = flow.api(token, f"Item/{item}.json", params={"load_relations": '["ItemShops"]'}).json()
    assert as_list(related["Item"]["ItemShops"]["ItemShop"]) == sorted(by_item[item],
                                                                        key=lambda r: int(r["itemShopID"]))


def test_sales_lines_and_payments_add_up_over_the_api(flow, token):
    lines, payments = defaultdict(list), defaultdict(list)
    for line in walk(flow, token, "SaleLine", {}):
        lines[line["saleID"]].append(line)
    for payment in walk(flow, token, "SalePayment", {}):
        payments[payment["saleID"]].append(payment)
    sales = walk(flow, token, "Sale", {})
    for sale in sales:
        check_sale(sale, lines[sale["saleID"]], payments[sale["saleID"]])
        assert "updateTime" not in sale and sale["updatetime"] and sale["archived"] == "false"
        assert ("completeTime" in sale) == (sale["completed"] == "true")
    states = Counter((s["completed"], s["voided"]) for s in sales)
    assert states[("false", "false")] and states[("true", "true")] or states[("false", "true")]
    assert any(Decimal(s["calcDiscount"]) for s in sales) and any(Decimal(s["calcTips"]) for s in sales)
    one = next(s for s in sales if len(payments[s["saleID"]]) > 1)
    nested = as_list(flow.api(token, f"Sale/{one['saleID']}/SalePayment.json").json()["SalePayment"])
    embedded = flow.api(token, f"Sale/{one['saleID']}.json", params={"load_relations": '["SalePayments"]'}).json()
    assert nested == payments[one["saleID"]] == as_list(embedded["Sale"]["SalePayments"]["SalePayment"])


def test_refunds_are_sales_with_negative_quantities():
    data = AccountData(DataOptions(**{**SMALL, "sales": 1500}), 0)
    lines = data.table("SaleLine").by_id
    sales = data.table("Sale").by_id
    refunds = [s for s in data.table("Sale").records if Decimal(s["calcSubtotal"]) < 0]
    assert refunds
    for refund in refunds:
        assert refund["completed"] == "true" and Decimal(refund["total"]) < 0
        for line in data.sale_lines(refund):
            assert int(line["unitQuantity"]) < 0 and Decimal(line["calcTotal"]) <= 0
            parent = lines[line["parentSaleLineID"]]
            assert parent["itemID"] == line["itemID"] and int(parent["unitQuantity"]) >= -int(line["unitQuantity"])
            assert int(parent["saleID"]) < int(refund["saleID"])
            assert sales[parent["saleID"]]["shopID"] == refund["shopID"]
        payments = data.sale_payments(refund)
        assert len(payments) == 1 and Decimal(payments[0]["amount"]) == Decimal(refund["total"])
        original = {p["salePaymentID"] for p in data.sale_payments(sales[lines[
            data.sale_lines(refund)[0]["parentSaleLineID"]]["saleID"]])}
        assert payments[0]["refPaymentID"] in original


def test_shops_are_in_different_time_zones_and_some_sales_are_near_local_midnight():
    data = AccountData(DataOptions(**{**SMALL, "sales": 2000, "shops": 3, "registers": 3}), 0)
    shops = data.table("Shop").by_id
    assert len({s["timeZone"] for s in shops.values()}) == 3
    assert len({t["tax1Rate"] for t in data.table("TaxCategory").records}) == 3
    near, selling = 0, set()
    for sale in data.table("Sale").records:
        selling.add(sale["shopID"])
        local = datetime.fromisoformat(sale["createTime"]).astimezone(ZoneInfo(shops[sale["shopID"]]["timeZone"]))
        minutes = local.hour * 60 + local.minute
        near += minutes >= 23 * 60 + 30 or minutes <= 15
    assert selling == set(shops) and near >= 5


def test_decimals_have_no_trailing_zeros_and_every_scalar_is_a_string(box):
    padded = re.compile(r"^-?\d+\.\d*0$|^-0$")

    def scalars(value):
        if isinstance(value, dict):
            for inner in value.values():
                yield from scalars(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from scalars(inner)
        else:
            yield value

    data = data_of(box)
    for name in SERVED:
        for record in data.table(name).records:
            for value in scalars(record):
                assert isinstance(value, str), (name, value)
                assert not padded.match(value), (name, record)
    assert any(re.match(r"^\d+\.\d{3,}$", line["calcTax1"]) for line in data.table("SaleLine").records)


@pytest.mark.parametrize("name", SERVED)
def test_a_single_record_answer_carries_its_count(flow, token, box, name):
    record = live(box, name)[0]
    key = CATALOGUE[name].key
    body = flow.api(token, f"{name}/{record[key]}.json").json()
    assert body == {"@attributes": {"count": "1"}, name: record}


def test_in_takes_a_plain_list_as_well_as_a_bracketed_one(flow, token, box):
    ids = [r["itemID"] for r in live(box, "Item")[:5]]
    plain = walk(flow, token, "Item", {"itemID": "IN," + ",".join(ids)})
    bracketed = walk(flow, token, "Item", {"itemID": "IN,[" + ",".join(ids) + "]"})
    assert [r["itemID"] for r in plain] == [r["itemID"] for r in bracketed] == ids


def test_empty_contact_lists_are_empty_strings(flow, token):
    customers = walk(flow, token, "Customer", {"load_relations": '["Contact"]'})
    contacts = [c["Contact"] for c in customers]
    assert any(c["Emails"] == "" for c in contacts) and any(c["Phones"] == "" for c in contacts)
    assert all(c["Websites"] == "" for c in contacts)
    for contact in contacts:
        for name, inner in (("Emails", "ContactEmail"), ("Phones", "ContactPhone")):
            assert contact[name] == "" or set(contact[name]) == {inner}


def test_relations_of_the_catalogue_embed_what_the_sandbox_has(flow, token, box):
    data = data_of(box)
    item = next(i for i in live(box, "Item") if i["itemMatrixID"] != "0")
    body = flow.api(token, f"Item/{item['itemID']}.json",
                    params={"load_relations": '["Manufacturer","TaxClass","Images"]'}).json()["Item"]
    assert body["Manufacturer"]["manufacturerID"] == item["manufacturerID"]
    assert body["TaxClass"]["taxClassID"] == item["taxClassID"]
    assert "Images" not in body  # a relation the sandbox has no data for embeds nothing
    matrix = flow.api(token, f"ItemMatrix/{item['itemMatrixID']}.json",
                      params={"load_relations": '["Items"]'}).json()["ItemMatrix"]
    variants = as_list(matrix["Items"]["Item"])
    assert item["itemID"] in {v["itemID"] for v in variants} and len(variants) >= 2
    assert {v["description"].rpartition(" - ")[0] for v in variants} == {matrix["description"]}
    levels = {p["priceLevelID"]: p["name"] for p in data.table("PriceLevel").records}
    assert {p["useTypeID"]: p["useType"] for p in item["Prices"]["ItemPrice"]} == levels
    sale = next(s for s in live(box, "Sale") if s["completed"] == "true")
    deep = flow.api(token, f"Sale/{sale['saleID']}.json",
                    params={"load_relations": '["SaleLines.Item","SalePayments.PaymentType"]'}).json()["Sale"]
    for line in as_list(deep["SaleLines"]["SaleLine"]):
        assert line["Item"]["itemID"] == line["itemID"]
    for payment in as_list(deep["SalePayments"]["SalePayment"]):
        assert payment["PaymentType"]["paymentTypeID"] == payment["paymentTypeID"]


def test_a_day_of_changes_keeps_stock_sales_and_payments_consistent(fresh):
    box, flow = fresh()
    token = flow.tokens()["access_token"]
    before = {r["itemShopID"]: r for r in walk(flow, token, "ItemShop", {})}
    summary = box.day_of_changes(edits=6, adds=3, archives=2, deletes=1, seed=5)
    rows = walk(flow, token, "ItemShop", {})
    by_item = defaultdict(list)
    for row in rows:
        by_item[row["itemID"]].append(row)
    assert set(by_item) == {i["itemID"] for i in data_of(box).table("Item").records}  # deleted: gone; added: here
    for item_id in summary["Item"]["edited"] + summary["Item"]["added"]:
        mine = by_item[item_id]
        total = next(r for r in mine if r["shopID"] == "0")
        assert int(total["qoh"]) == sum(int(r["qoh"]) for r in mine if r["shopID"] != "0")
        assert total["timeStamp"] == summary["timeStamp"]
        if item_id in summary["Item"]["edited"]:  # one shop's stock moved, the summary followed
            assert sum(r != before[r["itemShopID"]] for r in mine) == 2
    for sale_id in summary["Sale"]["edited"] + summary["Sale"]["added"]:
        lines = as_list(flow.api(token, f"Sale/{sale_id}/SaleLine.json").json().get("SaleLine"))
        payments = as_list(flow.api(token, f"Sale/{sale_id}/SalePayment.json").json().get("SalePayment"))
        sale = flow.api(token, f"Sale/{sale_id}.json").json()["Sale"]
        check_sale(sale, lines, payments)
    for sale_id in summary["Sale"]["voided"]:
        assert flow.api(token, f"Sale/{sale_id}.json").json()["Sale"]["voided"] == "true"
    for payment_id in summary["SalePayment"]["deleted"]:
        assert flow.api(token, f"SalePayment/{payment_id}.json").status_code == 404
    edited = data_of(box).table("Item").by_id[summary["Item"]["edited"][0]]
    if edited["itemMatrixID"] != "0":
        matrix = flow.api(token, f"ItemMatrix/{edited['itemMatrixID']}.json",
                          params={"load_relations": '["Items"]'}).json()["ItemMatrix"]
        assert edited in as_list(matrix["Items"]["Item"])
