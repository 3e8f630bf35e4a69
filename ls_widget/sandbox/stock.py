"""Stock and purchasing: ItemShop rows, purchase orders (Order, OrderLine) and stock counts (InventoryCount).

ItemShop (docs/lightspeed-api.md section 3.6; fields as in Lightspeed's documented ItemShop): for each item one row
per shop plus the account-wide summary row with ``shopID`` "0", created first (a recorded item's summary row has the
lower ``itemShopID``). Its quantities and values (``qoh``, ``backorder``, ``componentQoh``, ``onLayaway``, ...,
``totalValueFifo``, ``totalValueAvgCost``, ``reorderPoint``, ``reorderLevel``) are the sums over the shops
(UNCONFIRMED for the reorder levels); ``sellable`` follows its own ``qoh`` like any row's; ``averageCost`` is the
value-weighted average; the lot fields are those of the most recent receipt.
``sellable`` is a quantity: "the amount that is available for sale. This value will match QOH unless it is negative,
in which case it will display 0" (Lightspeed's ItemShop page). ``averageCost`` "currently only shows a value for
ItemShops with shopID=0" (same page): the shops' rows say ``"0"`` (UNCONFIRMED whether ``"0"`` or ``""``).
The sandbox's stock does not move with its sales (UNCONFIRMED simplification: the numbers are plausible, not a
ledger).
"""

from __future__ import annotations

from datetime import datetime

from .records import DAY, decimal, iso, to_cents, units

# Quantities summed into the summary row, in field order.
SUMMED = ("qoh", "backorder", "componentQoh", "componentBackorder", "onLayaway", "onSpecialOrder",
          "onWorkorder", "onTransferOut", "onTransferIn")
VALUES = ("totalValueFifo", "totalValueAvgCost", "totalValueNegativeInventory")
LEVELS = ("reorderPoint", "reorderLevel")


def item_shop_rows(rng, item: dict, shop_ids: list, first_id: int, end: int) -> list:
    """The summary row then one row per shop for ``item``; IDs from ``first_id`` up."""
    created = int(_epoch(item["createTime"]))
    touched = max(int(_epoch(item["timeStamp"])), rng.randrange(created, max(created + 1, end)))
    shops = [_shop_row(rng, item, shop_id, first_id + n, touched) for n, shop_id in enumerate(shop_ids, start=1)]
    return [summary_row(item, shops, str(first_id)), *shops]


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _small(rng, chance: float, high: int) -> int:
    return rng.randrange(1, high + 1) if rng.random() < chance else 0


def _shop_row(rng, item: dict, shop_id: str, row_id: int, touched: int) -> dict:
    roll = rng.random()
    qoh = -rng.randrange(1, 4) if roll < 0.04 else 0 if roll < 0.2 else rng.randrange(1, 41)
    held = {"onLayaway": _small(rng, 0.03, 1), "onSpecialOrder": _small(rng, 0.03, 2),
            "onWorkorder": _small(rng, 0.02, 1)}
    average = to_cents(units(item["avgCost"]) * rng.randrange(97, 104) // 100)
    last_cost = units(item["defaultCost"])
    next_cost = to_cents(last_cost * rng.randrange(96, 101) // 100)
    on_hand = max(qoh, 0)
    lot = 300000 + 2 * row_id
    return {
        "itemShopID": str(row_id), "qoh": str(qoh), "sellable": str(max(0, qoh)),
        "backorder": str(_small(rng, 0.05, 3)), "componentQoh": "0", "componentBackorder": "0",
        **{name: str(value) for name, value in held.items()},
        "onTransferOut": str(_small(rng, 0.04, 3)), "onTransferIn": str(_small(rng, 0.04, 3)),
        "averageCost": "0", "nextFifoLotID": str(lot), "nextFifoLotCost": decimal(next_cost),
        "lastReceivedLotID": str(lot + 1), "lastReceivedCost": decimal(last_cost),
        "totalValueFifo": decimal(next_cost * on_hand), "totalValueAvgCost": decimal(average * on_hand),
        "totalValueNegativeInventory": decimal(average * -qoh if qoh < 0 else 0),
        "reorderPoint": str(rng.choice((0, 2, 5))), "reorderLevel": str(rng.choice((0, 10, 20))),
        "timeStamp": iso(touched), "itemID": item["itemID"], "shopID": shop_id,
    }


def summary_row(item: dict, shops: list, row_id: str) -> dict:
    """The shopID 0 row of ``shops`` (what ``changes.py`` recomputes when a shop's row changes)."""
    total = {name: sum(int(row[name]) for row in shops) for name in SUMMED + LEVELS}
    values = {name: sum(units(row[name]) for row in shops) for name in VALUES}
    on_hand = sum(max(int(row["qoh"]), 0) for row in shops)
    average = to_cents(values["totalValueAvgCost"] // on_hand) if on_hand else units(item["avgCost"])
    # (total["qoh"] may differ from on_hand: a shop below zero takes nothing from another shop's value)
    latest = max(shops, key=lambda row: int(row["lastReceivedLotID"]), default=None)
    oldest = min(shops, key=lambda row: int(row["nextFifoLotID"]), default=None)
    return {
        "itemShopID": row_id, "qoh": str(total["qoh"]), "sellable": str(max(0, total["qoh"])),
        **{name: str(total[name]) for name in SUMMED[1:]}, "averageCost": decimal(average),
        "nextFifoLotID": oldest["nextFifoLotID"] if oldest else "0",
        "nextFifoLotCost": oldest["nextFifoLotCost"] if oldest else "0",
        "lastReceivedLotID": latest["lastReceivedLotID"] if latest else "0",
        "lastReceivedCost": latest["lastReceivedCost"] if latest else "0",
        **{name: decimal(values[name]) for name in VALUES}, **{name: str(total[name]) for name in LEVELS},
        "timeStamp": max((row["timeStamp"] for row in shops), default=item["timeStamp"]),
        "itemID": item["itemID"], "shopID": "0",
    }


# -- purchase orders -----------------------------------------------------------------------------------------------
def purchase_orders(rng, data) -> tuple[list, list]:
    """(orders, lines): about one order per 50 items over the year, each to one vendor for one shop, with 3-10
    lines of that vendor's items at their default cost. Orders received in full are ``complete``; the last few are
    still open (no ``receivedDate``, nothing checked in)."""
    items = data.table("Item").records
    shops = [s["shopID"] for s in data.table("Shop").records]
    employees = [e["employeeID"] for e in data.table("Employee").records]
    by_vendor: dict = {}
    for item in items:
        by_vendor.setdefault(item["defaultVendorID"], []).append(item)
    vendors = sorted(by_vendor, key=int)
    count = max(4, len(items) // 50) if items else 0
    moments = sorted(rng.randrange(data.start, data.end - 2 * DAY) for _ in range(count))
    orders, lines = [], []
    for order_id, ordered in enumerate(moments, start=1):
        vendor = rng.choice(vendors)
        received = ordered + rng.randrange(3, 15) * DAY
        complete = received < data.end
        chosen = rng.sample(by_vendor[vendor], min(len(by_vendor[vendor]), rng.randrange(3, 11)))
        mine = [_order_line(rng, len(lines) + n, order_id, item, ordered, received if complete else ordered,
                            complete) for n, item in enumerate(chosen, start=1)]
        lines.extend(mine)
        orders.append(_order(rng, order_id, vendor, rng.choice(shops), rng.choice(employees), ordered,
                             received if complete else None, mine))
    return orders, lines


def _order_line(rng, line_id: int, order_id: int, item: dict, ordered: int, stamp: int, complete: bool) -> dict:
    quantity = rng.randrange(2, 25)
    cost = units(item["defaultCost"])
    return {
        "orderLineID": str(line_id), "quantity": str(quantity), "price": decimal(cost),
        "originalPrice": decimal(cost), "vendorCost": decimal(cost), "checkedIn": str(quantity if complete else 0),
        "numReceived": str(quantity if complete else 0), "timeStamp": iso(stamp), "total": decimal(cost * quantity),
        "createTime": iso(ordered), "shippingCost": "0", "shippingVendorCost": "0", "discountMoneyValue": "0",
        "discountMoneyVendorValue": "0", "discountPercentValue": "0", "orderID": str(order_id),
        "itemID": item["itemID"],
    }


def _order(rng, order_id: int, vendor: str, shop: str, employee: str, ordered: int, received: int | None,
           lines: list) -> dict:
    ship = rng.choice((0, 0, 1500000, 2500000))
    order = {
        "orderID": str(order_id), "orderedDate": iso(ordered), "receivedDate": iso(received or ordered),
        "arrivalDate": iso(ordered + 14 * 86400),
        "shipInstructions": "", "stockInstructions": "", "shipCost": decimal(ship), "shipVendorCost": decimal(ship),
        "otherCost": "0", "otherVendorCost": "0", "complete": "true" if received else "false", "archived": "false",
        "discount": "0", "totalDiscount": "0", "totalQuantity": str(sum(int(line["quantity"]) for line in lines)),
        "timeStamp": iso(received or ordered), "refNum": f"PO-{1000 + order_id}", "createTime": iso(ordered),
        "vendorCurrencyRate": "1", "vendorCurrencyCode": "USD", "shippingCostMethod": "evenly",
        "hasShipments": "false", "discountMethod": "proportionally", "discountMoneyValue": "0",
        "discountMoneyVendorValue": "0", "discountIsPercent": "false", "discountPercentValue": "0",
        "costsModifiedAfterShipment": "false", "b2bOrderUID": "", "b2bOrderNumber": "", "vendorID": vendor,
        "noteID": "0", "shopID": shop, "createdByEmployeeID": employee,
    }
    if received is None:
        del order["receivedDate"]  # not received yet: like a sale's completeTime, absent until it happens
    return order


def inventory_counts(rng, data) -> list:
    """Two to four stock counts per shop over the year; counts older than six months are archived."""
    counts = []
    for shop in data.table("Shop").records:
        for _ in range(rng.randrange(2, 5)):
            moment = rng.randrange(data.start, data.end)
            counts.append((moment, shop["shopID"]))
    counts.sort()
    return [{
        "inventoryCountID": str(n), "name": f"{shop_name(data, shop_id)} count {iso(moment)[:7]}",
        "timeStamp": iso(moment), "archived": "true" if moment < data.end - 182 * DAY else "false",
        "shopID": shop_id,
    } for n, (moment, shop_id) in enumerate(counts, start=1)]


def shop_name(data, shop_id: str) -> str:
    return data.table("Shop").by_id[shop_id]["name"]


def with_qoh(row: dict, qoh: int, stamp: str) -> dict:
    """``row`` (a shop's) with ``qoh`` units on hand: what is sellable and the stock values follow."""
    on_hand = max(qoh, 0)
    old = int(row["qoh"])
    # the shop's average cost shows only in its stock value (its own averageCost field says "0")
    average = to_cents(units(row["totalValueAvgCost"]) // old if old > 0 else
                       units(row["totalValueNegativeInventory"]) // -old if old < 0 else units(row["lastReceivedCost"]))
    return {**row, "qoh": str(qoh), "sellable": str(on_hand),
            "totalValueFifo": decimal(units(row["nextFifoLotCost"]) * on_hand),
            "totalValueAvgCost": decimal(average * on_hand),
            "totalValueNegativeInventory": decimal(average * -qoh if qoh < 0 else 0), "timeStamp": stamp}


def counted_items(rng, data) -> list:
    """What each stock count found: 5-15 items per count, each with the quantity counted (``qty``) by one
    employee, stamped at or a little before the count's own timeStamp."""
    items = data.table("Item").records
    employees = [e["employeeID"] for e in data.table("Employee").records]
    rows = []
    for count in data.table("InventoryCount").records:
        moment = int(_epoch(count["timeStamp"]))
        for item in rng.sample(items, min(len(items), rng.randrange(5, 16))):
            rows.append({
                "inventoryCountItemID": str(len(rows) + 1), "qty": str(rng.randrange(0, 41)),
                "timeStamp": iso(moment - rng.randrange(0, 3600)), "inventoryCountID": count["inventoryCountID"],
                "itemID": item["itemID"], "employeeID": rng.choice(employees),
            })
    return rows
