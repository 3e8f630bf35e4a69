"""What one record of each kind looks like, in Lightspeed's field order (docs/lightspeed-api.md section 3.3).

data.py builds the initial dataset with these, and changes.py the records a day of changes adds or rewrites, so a
record made later cannot drift from the ones made at start. The builders that draw random numbers draw them in a fixed
order from the stream they are given: moving code here must not change the dataset (equal options, equal bytes).
Money is handled in whole cents and written with two decimals; timestamps are whole seconds since the epoch, written
as Lightspeed does: ``2026-03-01T14:22:05+00:00``.
"""

from __future__ import annotations

import functools
from datetime import date

from . import words

DAY = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def iso(epoch: int) -> str:
    """``2026-03-01T14:22:05+00:00`` (what ``datetime.isoformat`` gives in UTC, a little faster)."""
    day, rest = divmod(epoch, DAY)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{_day(day)}T{hours:02d}:{minutes:02d}:{seconds:02d}+00:00"


@functools.lru_cache(maxsize=8192)
def _day(days_since_epoch: int) -> str:
    return date.fromordinal(_EPOCH_ORDINAL + days_since_epoch).isoformat()


@functools.lru_cache(maxsize=65536)
def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def cents(text: str) -> int:
    """``"12.99"`` -> 1299 (the inverse of ``money``)."""
    whole, _, fraction = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or "0")) * 100 + int((fraction + "00")[:2]))


def item_record(rng, item_id: int, created: int, end: int, category: dict | None) -> dict:
    """An item made at ``created`` and last touched at or after it, before ``end``."""
    leaf = category["name"] if category else ""
    top = category["fullPathName"].split("/")[0] if category else ""
    nouns = words.ITEM_NOUNS.get(leaf) or words.ITEM_NOUNS.get(top) or ("Gift Card",)
    low, high = words.PRICE_BANDS.get(top, (499, 9999))
    price = rng.randrange(low // 100 + 1, high // 100 + 2) * 100 - 1  # ends in .99
    cost = int(price * rng.uniform(0.38, 0.62))
    touched = created if rng.random() < 0.65 else rng.randrange(created, max(created + 1, end))
    return {
        "itemID": str(item_id), "systemSku": str(210000000000 + item_id), "defaultCost": money(cost),
        "avgCost": money(int(cost * rng.uniform(0.95, 1.06))), "discountable": "true", "tax": "true",
        "archived": "true" if rng.random() < 0.04 else "false", "itemType": "default",
        "serialized": "false", "description": f"{rng.choice(words.ADJECTIVES)} {rng.choice(nouns)} - "
                                              f"{rng.choice(words.COLORS)}",
        "modelYear": "0", "upc": f"{rng.randrange(10**11, 10**12)}", "ean": "", "customSku": "",
        "manufacturerSku": f"SO-{rng.randrange(10000, 99999)}-{rng.choice('ABCDEFGH')}",
        "createTime": iso(created), "timeStamp": iso(touched), "publishToEcom": "false",
        "categoryID": category["categoryID"] if category else "0", "taxClassID": "1",
        "departmentID": "0", "itemMatrixID": "0", "manufacturerID": str(rng.randrange(1, 9)),
        "seasonID": "0", "defaultVendorID": str(rng.randrange(1, 6)),
        "Prices": {"ItemPrice": [
            {"amount": money(price), "useTypeID": "1", "useType": "Default"},
            {"amount": money(price + rng.choice((0, 0, 500, 1000))), "useTypeID": "2", "useType": "MSRP"},
            {"amount": money(price), "useTypeID": "3", "useType": "Online"},
        ]},
    }


def customer_record(rng, customer_id: int, made: int, end: int) -> tuple[dict, dict]:
    """(customer, its Contact) made at ``made``, last touched before ``end``."""
    c = customer_id
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    touched = made if rng.random() < 0.5 else rng.randrange(made, end)
    record = {
        "customerID": str(c), "firstName": first, "lastName": last, "title": "",
        "company": f"{last} & Co." if rng.random() < 0.1 else "", "companyRegistrationNumber": "",
        "vatNumber": "", "creditAccountID": "0", "customerTypeID": "2" if rng.random() < 0.15 else "1",
        "discountID": "0", "taxCategoryID": "0", "measurementID": "0", "contactID": str(5000 + c),
        "createTime": iso(made), "timeStamp": iso(touched),
        "archived": "true" if rng.random() < 0.03 else "false",
    }
    city, state, zipcode = rng.choice(words.CITIES)
    email = f"{first}.{last}{c}@{rng.choice(words.EMAIL_DOMAINS)}".lower().replace("'", "")
    contact = {
        "contactID": str(5000 + c), "custom": "", "noEmail": "false", "noPhone": "false", "noMail": "false",
        "Emails": {"ContactEmail": {"address": email, "useType": "Primary"}},
        "Phones": {"ContactPhone": {"number": f"555-01{rng.randrange(100):02d}", "useType": "Mobile"}},
        "Addresses": {"ContactAddress": {
            "address1": f"{rng.randrange(1, 9999)} {rng.choice(words.STREETS)}", "address2": "",
            "city": city, "state": state, "zip": zipcode, "country": "United States",
            "countryCode": "US", "stateCode": state}},
        "Websites": "", "timeStamp": iso(touched),
    }
    return record, contact


def sale_record(sale_id: int, *, created: str, stamp: str, sold: int, rate: int, completed: bool, voided: bool,
                subtotal: int, tax: int, cost: int, customer_id: str, employee_id: str, register_id: str,
                shop_id: str) -> dict:
    """A sale whose money fields are the sums of its lines (``subtotal``, ``tax``, ``cost`` in cents)."""
    sale = {
        "saleID": str(sale_id), "timeStamp": stamp, "discountPercent": "0",
        "completed": "true" if completed else "false", "voided": "true" if voided else "false",
        "enablePromotions": "true", "isTaxInclusive": "false", "createTime": created, "updateTime": stamp,
        "referenceNumber": "", "referenceNumberSource": "", "tax1Rate": f"0.{rate:05d}", "tax2Rate": "0",
        "change": "0", "receiptPreference": "printed", "displayableSubtotal": "",
        "ticketNumber": str(220000000000 + sale_id), "calcDiscount": "0", "calcTotal": "",
        "calcSubtotal": "", "calcTaxable": "", "calcNonTaxable": "0",
        "calcAvgCost": "", "calcFIFOCost": "", "calcTax1": "", "calcTax2": "0",
        "calcPayments": "", "total": "", "totalDue": "", "displayableTotal": "",
        "balance": "", "customerID": customer_id, "discountID": "0",
        "employeeID": employee_id, "quoteID": "0", "registerID": register_id,
        "shipToID": "0", "shopID": shop_id, "taxCategoryID": shop_id,
    }
    sale.update(sale_totals(subtotal, tax, cost, completed))  # fills the blanks above in place: the order stays
    if completed:
        sale["completeTime"] = iso(sold)
    return sale


def sale_totals(subtotal: int, tax: int, cost: int, completed: bool) -> dict:
    """The money fields of a sale from its lines' sums; a completed sale is paid in full."""
    total = money(subtotal + tax)
    return {
        "displayableSubtotal": money(subtotal), "calcTotal": total, "calcSubtotal": money(subtotal),
        "calcTaxable": money(subtotal), "calcAvgCost": money(cost), "calcFIFOCost": money(cost),
        "calcTax1": money(tax), "calcPayments": total if completed else "0", "total": total, "totalDue": total,
        "displayableTotal": total, "balance": "0" if completed else total,
    }


def line_amounts(unit_cents: int, quantity: int, rate: int) -> tuple[int, int]:
    """(subtotal, tax) of a line in cents; ``rate`` is the tax rate in 1/100000 (8875 = 8.875 %)."""
    line_sub = unit_cents * quantity
    return line_sub, (line_sub * rate + 50000) // 100000


def line_record(line_id: int, sale: dict, item: dict, quantity: int, line_sub: int, line_tax: int) -> dict:
    """A sale line selling ``quantity`` of ``item`` at its default price, stamped as its sale."""
    unit = item["Prices"]["ItemPrice"][0]["amount"]
    line = LINE_TEMPLATE.copy()
    line.update({
        "saleLineID": str(line_id), "createTime": sale["createTime"],
        "timeStamp": sale["timeStamp"], "unitQuantity": str(quantity), "unitPrice": unit,
        "normalUnitPrice": unit, "avgCost": item["avgCost"], "fifoCost": item["avgCost"],
        "tax1Rate": sale["tax1Rate"], "displayableSubtotal": money(line_sub),
        "displayableUnitPrice": unit, "calcTotal": money(line_sub + line_tax),
        "calcSubtotal": money(line_sub), "calcTax1": money(line_tax),
        "customerID": sale["customerID"], "employeeID": sale["employeeID"], "itemID": item["itemID"],
        "shopID": sale["shopID"], "saleID": sale["saleID"],
    })
    return line


# 1-5 lines per sale (40/25/18/10/7 %) and 1-3 units per line (80/15/5 %), as lookup tables for one random() each.
LINE_COUNTS = (1,) * 40 + (2,) * 25 + (3,) * 18 + (4,) * 10 + (5,) * 7
QUANTITIES = (1,) * 80 + (2,) * 15 + (3,) * 5

# A sale line's fields in Lightspeed's order; the constant ones keep these values.
LINE_TEMPLATE = dict.fromkeys((
    "saleLineID", "createTime", "timeStamp", "unitQuantity", "unitPrice", "normalUnitPrice", "discountAmount",
    "discountPercent", "avgCost", "fifoCost", "tax", "tax1Rate", "tax2Rate", "isLayaway", "isWorkorder",
    "isSpecialOrder", "displayableSubtotal", "displayableUnitPrice", "calcLineDiscount", "calcTransactionDiscount",
    "calcTotal", "calcSubtotal", "calcTax1", "calcTax2", "taxClassID", "customerID", "discountID", "employeeID",
    "itemID", "noteID", "parentSaleLineID", "shopID", "saleID",
), "0")
LINE_TEMPLATE.update({"tax": "true", "isLayaway": "false", "isWorkorder": "false", "isSpecialOrder": "false",
                      "taxClassID": "1"})
