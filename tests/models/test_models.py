"""The analysts' models (docs/models.md) against the sandbox's ground truth, on DuckDB and on PostgreSQL.

Each destination gets one sandbox (six shops: New York, Los Angeles, Chicago, London, and two whose zone is unknown
or empty) with traps planted (conftest.py: sales around daylight saving time changes, an archived sale, an item with
one price as an object) and one sync of ``MODEL_INPUTS``. Every expected figure is computed in truth.py from the
sandbox's records; the tests compare the models' rows with it, column by column. The day of changes runs last: it
changes the data the module's sandbox holds.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ls_widget.errors import ConfigurationError
from ls_widget.models import MODEL_INPUTS

from .conftest import DATA, UNKNOWN_ZONE, Mismatches, rows_by, same, signed_in
from .truth import ZERO, Truth, is_counted, zone_of

MODELS = ("sales", "sale_lines", "daily_sales", "stock", "items", "customers")


# -- the checks, shared by the first sync's tests and the day of changes -------------------------------------------
def check_sales(world, truth: Truth) -> dict:
    frame = world.read("sales")
    got = rows_by(frame, "sale_id")
    found = Mismatches("sales")
    if set(got) != set(truth.sales):
        found.note("sale_id", "set of sales", f"{len(truth.sales)} counted", f"{len(got)} rows; extra "
                   f"{sorted(set(got) - set(truth.sales), key=int)[:10]}, missing "
                   f"{sorted(set(truth.sales) - set(got), key=int)[:10]}")
    for sale_id, sale in truth.sales.items():
        if sale_id in got:
            found.check(sale_id, {
                "shop_id": sale.shop_id, "shop": truth.shops[sale.shop_id]["name"], "customer_id": sale.customer_id,
                "completed_at": sale.completed_at, "local_time": sale.local_time, "local_date": sale.local_date,
                "lines": sale.lines, "units": sale.units, "subtotal": sale.subtotal, "discount": sale.discount,
                "net": sale.net, "tax": sale.tax, "total": sale.total, "cost": sale.cost,
                "fifo_cost": sale.fifo_cost, "margin": sale.margin, "tips": sale.tips, "is_refund": sale.is_refund,
                "ticket_number": truth.all_sales[sale_id]["ticketNumber"],
            }, got[sale_id])
    found.verify()
    return got


def check_sale_lines(world, truth: Truth) -> dict:
    got = rows_by(world.read("sale_lines"), "sale_line_id")
    found = Mismatches("sale_lines")
    if set(got) != set(truth.lines):
        found.note("sale_line_id", "set of lines", len(truth.lines), len(got))
    for line_id, line in truth.lines.items():
        if line_id in got:
            sale = truth.sales[line.sale_id]
            found.check(line_id, {
                "sale_id": line.sale_id, "shop_id": sale.shop_id, "local_date": sale.local_date,
                "local_time": sale.local_time, "item_id": line.item_id, "quantity": line.quantity,
                "unit_price": line.unit_price, "subtotal": line.subtotal, "discount": line.discount,
                "net": line.net, "tax": line.tax, "total": line.total, "unit_cost": line.unit_cost,
                "cost": line.cost, "margin": line.margin, "is_refund": line.is_refund,
                "refunded_sale_line_id": line.refunded_sale_line_id,
            }, got[line_id])
    found.verify()
    return got


def check_daily(world, truth: Truth) -> dict:
    expected = truth.daily()
    got = rows_by(world.read("daily_sales"), "shop_id", "local_date")
    found = Mismatches("daily_sales")
    if set(got) != set(expected):
        found.note("(shop_id, local_date)", "set of days", sorted(set(expected) - set(got))[:10],
                   f"extra {sorted(set(got) - set(expected))[:10]}")
    for key, figures in expected.items():
        if key in got:
            found.check(key, {"shop": truth.shops[key[0]]["name"], "local_date": key[1], **figures}, got[key])
    found.verify()
    return got


def check_stock(world, truth: Truth) -> dict:
    got = rows_by(world.read("stock"), "item_id", "shop_id")
    expected = truth.stock()
    found = Mismatches("stock")
    if set(got) != set(expected):
        found.note("(item_id, shop_id)", "set of rows", f"{len(expected)} (no shop '0')",
                   f"{len(got)}; extra {sorted(set(got) - set(expected))[:10]}")
    for key, row in expected.items():
        if key in got:
            found.check(key, row, got[key])
    found.verify()
    return got


def check_items(world, truth: Truth) -> dict:
    return check_keyed(world, "items", "item_id", truth.items())


def check_customers(world, truth: Truth) -> dict:
    return check_keyed(world, "customers", "customer_id", truth.customers())


def check_keyed(world, model: str, key: str, expected: dict) -> dict:
    """``model``'s rows by ``key`` equal ``expected`` (the same keys, and every column of each row)."""
    got = rows_by(world.read(model), key)
    found = Mismatches(model)
    if set(got) != set(expected):
        found.note(key, f"set of {model}", len(expected), len(got))
    for value, row in expected.items():
        if value in got:
            found.check(value, row, got[value])
    found.verify()
    return got


def test_daily_sales_per_shop_and_local_day_equal_the_sandboxs_sales(world):
    truth = world.truth()
    days = check_daily(world, truth)
    # several shops sold, in different zones; every row is one shop's local day
    zones = {truth.shops[shop_id]["timeZone"] for shop_id, _ in days}
    assert {"America/New_York", "America/Los_Angeles", "America/Chicago", "Europe/London"} <= zones
    assert sum(int(row["sales"]) for row in days.values()) == len(truth.sales) > 500


def test_sales_and_sale_lines_equal_the_sandboxs_counted_sales(world):
    truth = world.truth()
    check_sales(world, truth)
    check_sale_lines(world, truth)


# -- 2. the traps ----------------------------------------------------------------------------------------------------
def test_voided_open_and_archived_sales_are_left_out(world):
    truth = world.truth()
    voided = [s for s in truth.all_sales.values() if s["voided"] == "true"]
    still_open = [s for s in truth.all_sales.values() if s["completed"] != "true"]
    archived = truth.all_sales[world.traps.archived_sale]
    assert voided and still_open and archived["archived"] == "true" and archived["completed"] == "true"
    sales = rows_by(world.read("sales"), "sale_id")
    lines = world.read("sale_lines")
    left_out = {s["saleID"] for s in voided + still_open + [archived]}
    assert not left_out & set(sales)
    assert not left_out & set(lines["sale_id"].astype(str))
    # each voided (or archived) completed sale's shop-day holds the counted sales only, not it
    days = rows_by(world.read("daily_sales"), "shop_id", "local_date")
    expected = truth.daily()
    for sale in [s for s in voided if s.get("completeTime")] + [archived]:
        wall = datetime.fromisoformat(sale["completeTime"]).astimezone(zone_of(truth.shops[sale["shopID"]]))
        key = (sale["shopID"], wall.date())
        counted_total = expected.get(key, {}).get("total", ZERO)
        got_total = days[key]["total"] if key in days else ZERO
        assert same(counted_total, got_total), (sale["saleID"], key, counted_total, got_total)
        if key in days:
            assert not same(counted_total + Decimal(sale["calcTotal"]), got_total), sale["saleID"]


def test_refunds_count_once_and_negative(world):
    truth = world.truth()
    refunds = [s for s in truth.sales.values() if s.is_refund]
    assert len(refunds) >= 3
    sales = rows_by(world.read("sales"), "sale_id")
    lines = world.read("sale_lines")
    days = rows_by(world.read("daily_sales"), "shop_id", "local_date")
    expected = truth.daily()
    for refund in refunds:
        row = sales[refund.sale_id]  # not dropped
        assert bool(row["is_refund"]) and float(row["total"]) < 0 and same(refund.total, row["total"])
        mine = lines[lines["sale_id"].astype(str) == refund.sale_id]
        assert len(mine) == refund.lines and (mine["quantity"].astype(float) < 0).all()
        assert mine["is_refund"].astype(bool).all()
        day = days[(refund.shop_id, refund.local_date)]
        figures = expected[(refund.shop_id, refund.local_date)]
        # once: the day's total is the counted sales' with the refund's negative total in it, neither dropped
        # (figures - refund) nor doubled (figures + refund)
        assert same(figures["total"], day["total"])
        assert not same(figures["total"] - refund.total, day["total"])
        assert not same(figures["total"] + refund.total, day["total"])
        assert int(day["refund_lines"]) >= refund.refund_lines > 0
        assert float(day["refunds"]) < 0 and float(day["refunded_units"]) > 0
        assert same(figures["refunds"], day["refunds"])


def test_sales_near_local_midnight_land_on_the_shops_local_day(world):
    truth = world.truth()
    sales = rows_by(world.read("sales"), "sale_id")
    near = [s for s in truth.sales.values() if s.sale_id not in world.traps.dst
            and (s.local_time.hour == 23 and s.local_time.minute >= 50 or s.local_time.hour == 0
                 and s.local_time.minute < 10)]
    crossing = [s for s in near if s.local_date != s.completed_at.date()]
    assert len(near) >= 4 and len(crossing) >= 2, "the generator rings 1.5 % of sales up near local midnight"
    for sale in near:
        row = sales[sale.sale_id]
        assert same(sale.local_date, row["local_date"]), (sale.sale_id, sale.local_time, row["local_date"])
        assert same(sale.local_time, row["local_time"]), (sale.sale_id, sale.local_time, row["local_time"])
    # and the day rows count them on that local day: the crossing sales' days hold them
    days = rows_by(world.read("daily_sales"), "shop_id", "local_date")
    for sale in crossing:
        assert (sale.shop_id, sale.local_date) in days


def test_sales_around_daylight_saving_changes_take_the_zones_offset_of_their_moment(world):
    truth = world.truth()
    sales = rows_by(world.read("sales"), "sale_id")
    offsets = {}
    for sale_id, (instant, wall) in world.traps.dst.items():
        sale = truth.sales[sale_id]
        assert sale.completed_at == instant and sale.local_time == wall  # truth.py agrees with the plan
        row = sales[sale_id]
        assert same(instant, row["completed_at"]), (sale_id, instant, row["completed_at"])
        assert same(wall, row["local_time"]), (sale_id, wall, row["local_time"])
        assert same(wall.date(), row["local_date"]), (sale_id, wall.date(), row["local_date"])
        offsets.setdefault(sale.shop_id, set()).add(wall - instant.replace(tzinfo=None))
    # both sides of the transitions: two offsets per zone (EDT/EST, BST/GMT)
    assert offsets == {"1": {timedelta(hours=-4), timedelta(hours=-5)}, "4": {timedelta(0), timedelta(hours=1)}}
    # the two sales at 01:30 on New York's fall-back night are an hour apart, on the same local day
    ambiguous = sorted(s for s, (_, wall) in world.traps.dst.items() if wall == datetime(2025, 11, 2, 1, 30))
    assert len(ambiguous) == 2
    first, second = (sales[s]["completed_at"] for s in ambiguous)
    assert abs(first - second) == timedelta(hours=1)


def test_shops_with_an_unknown_or_empty_zone_count_in_utc(world):
    truth = world.truth()
    assert truth.shops["5"]["timeZone"] == UNKNOWN_ZONE and truth.shops["6"]["timeZone"] == ""
    sales = rows_by(world.read("sales"), "sale_id")
    mine = [s for s in truth.sales.values() if s.shop_id in ("5", "6")]
    assert len(mine) > 50
    for sale in mine:
        utc = sale.completed_at.astimezone(timezone.utc)
        assert same(utc.replace(tzinfo=None), sales[sale.sale_id]["local_time"]), sale.sale_id
        assert same(utc.date(), sales[sale.sale_id]["local_date"]), sale.sale_id
    # and the sync said so, naming the zone and what to do
    said = [note for note in world.first_sync.notes if UNKNOWN_ZONE in note]
    assert len(said) == 1 and "UTC midnight" in said[0] and "Shop setup" in said[0], world.first_sync.notes


def test_discounts_reduce_net_on_lines_and_sales(world):
    truth = world.truth()
    discounted = [line for line in truth.lines.values() if line.discount != 0]
    assert len(discounted) >= 10
    lines = rows_by(world.read("sale_lines"), "sale_line_id")
    sales = rows_by(world.read("sales"), "sale_id")
    for line in discounted:
        row = lines[line.sale_line_id]
        assert same(line.discount, row["discount"]) and same(line.subtotal - line.discount, row["net"]), line
        sale = truth.sales[line.sale_id]
        assert sale.discount != 0
        assert same(sale.discount, sales[line.sale_id]["discount"])
        assert same(sale.subtotal - sale.discount, sales[line.sale_id]["net"])


# -- 3. stock ----------------------------------------------------------------------------------------------------
def test_stock_is_the_real_shops_item_shop_rows_and_the_summary_apart(world):
    truth = world.truth()
    stock = rows_by(world.read("stock"), "item_id", "shop_id")
    rows = truth.item_shops()
    real = sum(Decimal(r["qoh"]) for r in rows if r["shopID"] != "0")
    naive = sum(Decimal(r["qoh"]) for r in rows)
    assert real != 0 and naive == 2 * real  # the summary row doubles every figure
    assert same(real, sum(Decimal(str(row["quantity_on_hand"])) for row in stock.values()))
    assert "0" not in {shop for _, shop in stock} and None not in {shop for _, shop in stock}
    assert len(stock) == len([r for r in rows if r["shopID"] != "0"]) == DATA["items"] * DATA["shops"]
    check_stock(world, truth)  # then every row and column, per item and shop


# -- 4. items ----------------------------------------------------------------------------------------------------
def test_items_price_is_the_default_level_and_each_level_has_its_column(world):
    truth = world.truth()
    levels = truth.price_levels()
    assert len(levels) >= 4 and levels["1"] == "price_default"
    items = check_items(world, truth)
    one = items[world.traps.one_price_item]  # Prices.ItemPrice is one object, the Default level's
    source = truth.items_by_id()[world.traps.one_price_item]["Prices"]["ItemPrice"]
    assert isinstance(source, dict) and source["useTypeID"] == "1"
    assert same(Decimal(source["amount"]), one["price"]) and same(Decimal(source["amount"]), one["price_default"])
    assert all(same(None, one[column]) for level_id, column in levels.items() if level_id != "1")
    listed = next(i for i, item in truth.items_by_id().items() if isinstance(item["Prices"]["ItemPrice"], list))
    msrp = next(p for p in truth.items_by_id()[listed]["Prices"]["ItemPrice"] if p["useTypeID"] == "2")
    assert same(Decimal(msrp["amount"]), items[listed][levels["2"]])
    custom = items[world.traps.custom_sku_item]
    assert custom["sku"] == f"CUSTOM-{world.traps.custom_sku_item}" != custom["system_sku"]


# -- 5. customers ----------------------------------------------------------------------------------------------------
def test_customers_contacts_and_purchases(world):
    truth = world.truth()
    customers = check_customers(world, truth)
    data = truth.data
    contacts = {c["customerID"]: data.contact("Customer", c) for c in data.table("Customer").records}
    # the sandbox's contacts give every case docs/models.md orders (records.customer_emails/customer_phones)
    secondary_first = [c for c, contact in contacts.items() if isinstance((contact["Emails"] or {}).get(
        "ContactEmail"), list) and contact["Emails"]["ContactEmail"][0]["useType"] == "Secondary"]
    phone_lists = [c for c, contact in contacts.items()
                   if isinstance((contact["Phones"] or {}).get("ContactPhone"), list)]
    assert secondary_first and phone_lists
    for customer_id in secondary_first:
        primary = next(e for e in contacts[customer_id]["Emails"]["ContactEmail"] if e["useType"] == "Primary")
        assert customers[customer_id]["email"] == primary["address"]
    uses = set()
    for customer_id in phone_lists:
        phones = contacts[customer_id]["Phones"]["ContactPhone"]
        uses.add(tuple(p["useType"] for p in phones))
        wanted = next((p for use in ("Mobile", "Home", "Work") for p in phones if p["useType"] == use), phones[0])
        assert customers[customer_id]["phone"] == wanted["number"], (customer_id, phones)
    assert {("Home", "Mobile"), ("Work", "Home"), ("Fax", "Pager")} <= uses
    expected = truth.customers()
    buyers = [c for c, row in expected.items() if row["sales"]]
    never = [c for c, row in expected.items() if not row["sales"]]
    assert len(buyers) >= 10
    if never:
        assert all(same(None, customers[c]["first_purchase"]) for c in never)


# -- 7. reading, and models that cannot be built -------------------------------------------------------------------
def test_a_model_whose_inputs_were_never_synced_names_the_sync_it_needs(world):
    conn = signed_in(world.box, f"Fresh {world.destination or 'duckdb'}")
    destination = world.destination
    conn.sync(["Item"], destination=destination, progress=False)
    with pytest.raises(ConfigurationError, match=r"conn\.sync\(\[") as raised:
        conn.read("daily_sales", destination=destination)
    needed = needed_resources(str(raised.value))
    assert {"Sale", "Shop"} <= needed <= set(MODEL_INPUTS.names) - {"Item"}, str(raised.value)
    # models=False: every input of stock synced, yet stock is not built
    with pytest.raises(ConfigurationError) as raised:
        conn.read("stock", destination=destination)
    stock_needs = needed_resources(str(raised.value))
    assert stock_needs and "Item" not in stock_needs
    result = conn.sync(sorted(stock_needs), destination=destination, progress=False, models=False)
    assert not getattr(result, "models", None)
    with pytest.raises(ConfigurationError):
        conn.read("stock", destination=destination)
    # the next sync that touches one of its inputs builds it
    conn.sync(["Shop"], destination=destination, progress=False)
    truth = world.truth()
    stock = conn.read("stock", destination=destination)
    assert len(stock) == len([r for r in truth.item_shops() if r["shopID"] != "0"])


def needed_resources(message: str) -> set:
    found = re.search(r"conn\.sync\(\[([^\]]*)\]\)", message)
    assert found, message
    return {name.strip().strip("'\"") for name in found.group(1).split(",") if name.strip()}


# -- 6. a day of changes (last: it changes the module's sandbox) ----------------------------------------------------
def test_a_day_of_changes_moves_the_days_the_changed_sales_were_completed(world):
    before = world.truth()
    old_days = before.daily()
    world.box.advance_clock(3600)
    changes = world.box.day_of_changes(edits=6, adds=4, archives=3, deletes=0, resources=("Item", "Customer", "Sale"),
                                       seed="models")
    after = world.truth()
    new_days = after.daily()
    voided = [s for s in changes["Sale"]["voided"] if s in before.sales]
    edited = [s for s in changes["Sale"]["edited"] if s in before.sales]  # completed before: their day stays
    assert voided and edited
    world.sync()
    days = rows_by(world.read("daily_sales"), "shop_id", "local_date")
    for sale_id in voided:  # its completion day lost it, not the day it was voided
        sale = before.sales[sale_id]
        key = (sale.shop_id, sale.local_date)
        assert old_days[key]["sales"] - 1 == new_days.get(key, {"sales": 0})["sales"]
        left = old_days[key]["total"] - sale.total
        assert same(left, days[key]["total"] if key in days else ZERO), (sale_id, key)
    for sale_id in edited:  # one more unit (one more given back, on a refund), on the day it was completed
        old, new = before.sales[sale_id], after.sales[sale_id]
        assert (new.shop_id, new.local_date) == (old.shop_id, old.local_date)
        assert abs(new.units - old.units) == 1 and new.total != old.total
        key = (old.shop_id, old.local_date)
        assert same(new_days[key]["total"], days[key]["total"]), (sale_id, key)
    # the day of the change itself holds only sales completed that day (the new ones, an open one rung up now)
    now = datetime.fromisoformat(changes["timeStamp"])
    changed_today = set(changes["Sale"]["added"]) | {s for s in changes["Sale"]["edited"] if s not in before.sales}
    for shop_id, shop in after.shops.items():
        today = now.astimezone(zone_of(shop)).date()
        todays = {s.sale_id for s in after.sales.values() if (s.shop_id, s.local_date) == (shop_id, today)}
        assert todays <= changed_today
        if todays:
            assert int(days[(shop_id, today)]["sales"]) == len(todays)
        else:
            assert (shop_id, today) not in days
    assert any(is_counted(after.all_sales[s]) for s in changes["Sale"]["added"])
    # and every model equals a fresh computation again (each one checked, the failures reported together)
    failures = []
    for check in (check_daily, check_sales, check_sale_lines, check_stock, check_items, check_customers):
        try:
            check(world, after)
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n".join(failures)

