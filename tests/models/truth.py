"""What the models should hold, computed from the sandbox's own records in Python (Decimal, zoneinfo), never from SQL.

Read straight from the generator's in-process tables (``box.state.account(...)``): the Sale, SaleLine, Shop, Item,
ItemShop, PriceLevel and Customer records Lightspeed would answer, and each customer's Contact. Every rule is
docs/models.md's, written out once here so the tests compare against it, not against the models' SQL.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZERO = Decimal(0)
DAILY_MONEY = ("subtotal", "discounts", "net_sales", "tax", "total", "cost", "margin", "refunds")
DAILY_COUNTS = ("sales", "lines", "refund_lines")
DAILY_UNITS = ("units", "refunded_units")
PHONE_PREFERENCE = ("Mobile", "Home", "Work")


def money(text) -> Decimal:
    return Decimal(str(text)) if text not in (None, "") else ZERO


def listed(value, inner: str) -> list:
    """``{"ContactEmail": {...}}`` or ``{"ContactEmail": [...]}`` or ``""`` -> a list of entries."""
    if not value:
        return []
    entries = value.get(inner) or []
    return [entries] if isinstance(entries, dict) else list(entries)


def zone_of(shop: dict):
    """The shop's zone; empty or unknown -> UTC (docs/models.md)."""
    name = shop.get("timeZone") or ""
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def is_counted(sale: dict) -> bool:
    return sale.get("completed") == "true" and sale.get("voided") != "true" and sale.get("archived") != "true"


@dataclass
class SaleTruth:
    sale_id: str
    shop_id: str
    customer_id: str | None
    completed_at: datetime  # aware, UTC
    local_time: datetime  # naive wall clock
    local_date: date
    lines: int
    units: Decimal
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal
    fifo_cost: Decimal
    margin: Decimal
    tips: Decimal
    is_refund: bool
    refund_lines: int
    refunded_units: Decimal
    refunds: Decimal


@dataclass
class LineTruth:
    sale_line_id: str
    sale_id: str
    item_id: str | None
    quantity: Decimal
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    unit_cost: Decimal
    cost: Decimal
    margin: Decimal
    is_refund: bool
    refunded_sale_line_id: str | None


@dataclass
class Truth:
    """Everything the tests compare with, from one reading of the sandbox's data."""

    data: object  # the sandbox's AccountData
    shops: dict = field(default_factory=dict)
    sales: dict = field(default_factory=dict)  # counted sales: ID -> SaleTruth
    all_sales: dict = field(default_factory=dict)  # every Sale record, by ID
    lines: dict = field(default_factory=dict)  # lines of counted sales: ID -> LineTruth
    lines_of: dict = field(default_factory=dict)  # saleID -> [SaleLine record]

    @classmethod
    def read(cls, box) -> "Truth":
        data = box.state.account(box.account_id)
        truth = cls(data)
        with box.state.lock:
            truth.shops = {s["shopID"]: s for s in data.table("Shop").records}
            sales = list(data.table("Sale").records)
            lines = list(data.table("SaleLine").records)
        truth.all_sales = {s["saleID"]: s for s in sales}
        for line in lines:
            truth.lines_of.setdefault(line["saleID"], []).append(line)
        for sale in sales:
            if is_counted(sale):
                truth._count(sale)
        return truth

    def _count(self, sale: dict) -> None:
        shop = self.shops[sale["shopID"]]
        completed = datetime.fromisoformat(sale["completeTime"]).astimezone(timezone.utc)
        wall = completed.astimezone(zone_of(shop))
        lines = self.lines_of.get(sale["saleID"], [])
        refund_lines = refunded = refunds = 0
        for line in lines:
            quantity = money(line["unitQuantity"])
            subtotal = money(line["calcSubtotal"])
            discount = money(line["calcLineDiscount"]) + money(line["calcTransactionDiscount"])
            unit_cost = money(line["avgCost"])
            self.lines[line["saleLineID"]] = LineTruth(
                line["saleLineID"], sale["saleID"], None if line["itemID"] == "0" else line["itemID"], quantity,
                money(line["unitPrice"]), subtotal, discount, subtotal - discount,
                money(line["calcTax1"]) + money(line["calcTax2"]), money(line["calcTotal"]), unit_cost,
                unit_cost * quantity, subtotal - discount - unit_cost * quantity, quantity < 0,
                None if line["parentSaleLineID"] == "0" else line["parentSaleLineID"])
            if quantity < 0:
                refund_lines += 1
                refunded -= quantity
                refunds += subtotal - discount
        subtotal, discount, cost = money(sale["calcSubtotal"]), money(sale["calcDiscount"]), money(sale["calcAvgCost"])
        total = money(sale["calcTotal"])
        self.sales[sale["saleID"]] = SaleTruth(
            sale["saleID"], sale["shopID"], None if sale["customerID"] == "0" else sale["customerID"], completed,
            wall.replace(tzinfo=None), wall.date(), len(lines),
            sum((money(line["unitQuantity"]) for line in lines), ZERO), subtotal, discount, subtotal - discount,
            money(sale["calcTax1"]) + money(sale["calcTax2"]), total, cost, money(sale["calcFIFOCost"]),
            subtotal - discount - cost, money(sale["calcTips"]), total < 0, refund_lines, Decimal(refunded),
            Decimal(refunds))

    # -- daily_sales --------------------------------------------------------------------------------------------------
    def daily(self) -> dict:
        """(shop_id, local date) -> the row's figures."""
        days: dict = defaultdict(lambda: {**dict.fromkeys(DAILY_COUNTS, 0), **dict.fromkeys(DAILY_UNITS, ZERO),
                                          **dict.fromkeys(DAILY_MONEY, ZERO)})
        for sale in self.sales.values():
            day = days[(sale.shop_id, sale.local_date)]
            day["sales"] += 1
            day["lines"] += sale.lines
            day["units"] += sale.units
            day["subtotal"] += sale.subtotal
            day["discounts"] += sale.discount
            day["net_sales"] += sale.net
            day["tax"] += sale.tax
            day["total"] += sale.total
            day["cost"] += sale.cost
            day["margin"] += sale.margin
            day["refund_lines"] += sale.refund_lines
            day["refunded_units"] += sale.refunded_units
            day["refunds"] += sale.refunds
        return dict(days)

    # -- stock ---------------------------------------------------------------------------------------------------------
    def item_shops(self) -> list:
        with self.data._lock:
            return list(self.data.table("ItemShop").records)

    def stock(self) -> dict:
        """(item_id, shop_id) -> expected stock row, from the real shops' ItemShop rows and the summary row."""
        rows = self.item_shops()
        summary = {r["itemID"]: r for r in rows if r["shopID"] == "0"}
        items = self.items_by_id()
        out = {}
        for row in rows:
            if row["shopID"] == "0":
                continue
            account = summary[row["itemID"]]
            qoh, value = money(row["qoh"]), money(row["totalValueAvgCost"])
            point = money(row["reorderPoint"])
            item = items[row["itemID"]]
            out[(row["itemID"], row["shopID"])] = {
                "item_shop_id": row["itemShopID"], "item": item["description"], "sku": sku_of(item),
                "archived": item["archived"] == "true", "shop": self.shops[row["shopID"]]["name"],
                "quantity_on_hand": qoh, "sellable": money(row["sellable"]), "backorder": money(row["backorder"]),
                "reorder_point": point, "reorder_level": money(row["reorderLevel"]),
                "needs_reorder": point > 0 and qoh <= point,
                "stock_value": value, "stock_value_fifo": money(row["totalValueFifo"]),
                # docs/models.md: stock_value / quantity_on_hand; "where nothing is on hand" (read: on hand <= 0,
                # a negative count holds nothing either) the account's average cost
                "average_cost": value / qoh if qoh > 0 else money(account["averageCost"]),
                "account_quantity_on_hand": money(account["qoh"]), "account_sellable": money(account["sellable"]),
                "account_average_cost": money(account["averageCost"]),
                "account_stock_value": money(account["totalValueAvgCost"]),
            }
        return out

    # -- items ---------------------------------------------------------------------------------------------------------
    def items_by_id(self) -> dict:
        with self.data._lock:
            return {i["itemID"]: i for i in self.data.table("Item").records}

    def price_levels(self) -> dict:
        """priceLevelID -> the column docs/models.md names after it (``price_<snake case name>``)."""
        with self.data._lock:
            levels = list(self.data.table("PriceLevel").records)
        names = [snake(level["name"]) for level in levels]
        return {level["priceLevelID"]: f"price_{name}" if names.count(name) == 1
                else f"price_{name}_{level['priceLevelID']}" for level, name in zip(levels, names)}

    def items(self) -> dict:
        levels = self.price_levels()
        with self.data._lock:
            categories = {c["categoryID"]: c for c in self.data.table("Category").records}
            brands = {m["manufacturerID"]: m["name"] for m in self.data.table("Manufacturer").records}
            vendors = {v["vendorID"]: v["name"] for v in self.data.table("Vendor").records}
        out = {}
        for item_id, item in self.items_by_id().items():
            prices = listed(item.get("Prices"), "ItemPrice")  # one price: an object; several: a list
            by_level = {p["useTypeID"]: money(p["amount"]) for p in prices}
            category = categories.get(item["categoryID"])
            out[item_id] = {
                "description": item["description"], "sku": sku_of(item), "system_sku": item["systemSku"],
                "price": by_level.get("1"),
                **{column: by_level.get(level_id) for level_id, column in levels.items()},
                "default_cost": money(item["defaultCost"]), "average_cost": money(item["avgCost"]),
                "archived": item["archived"] == "true",
                "category": category["name"] if category else None,
                "category_path": category["fullPathName"] if category else None,
                "manufacturer": brands.get(item["manufacturerID"]), "vendor": vendors.get(item["defaultVendorID"]),
            }
        return out

    # -- customers -----------------------------------------------------------------------------------------------------
    def customers(self) -> dict:
        with self.data._lock:
            customers = list(self.data.table("Customer").records)
            contacts = {c["customerID"]: self.data.contact("Customer", c) for c in customers}
        bought: dict = defaultdict(list)
        for sale in self.sales.values():
            if sale.customer_id:
                bought[sale.customer_id].append(sale)
        out = {}
        for customer in customers:
            contact = contacts[customer["customerID"]] or {}
            emails = listed(contact.get("Emails"), "ContactEmail")
            phones = listed(contact.get("Phones"), "ContactPhone")
            email = next((e for e in emails if e.get("useType") == "Primary"), emails[0] if emails else None)
            phone = next((p for use in PHONE_PREFERENCE for p in phones if p.get("useType") == use),
                         phones[0] if phones else None)
            mine = bought.get(customer["customerID"], [])
            out[customer["customerID"]] = {
                "first_name": customer["firstName"], "last_name": customer["lastName"],
                "email": email["address"] if email else None, "phone": phone["number"] if phone else None,
                "archived": customer["archived"] == "true",
                "first_purchase": min((s.completed_at for s in mine), default=None),
                "last_purchase": max((s.completed_at for s in mine), default=None),
                "sales": len(mine), "lifetime_total": sum((s.total for s in mine), ZERO),
            }
        return out


def sku_of(item: dict) -> str:
    return item.get("customSku") or item["systemSku"]
