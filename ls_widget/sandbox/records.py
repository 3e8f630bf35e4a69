"""What one record of each kind looks like, in Lightspeed's field order (docs/lightspeed-api.md section 3.3).

data.py, sales.py and stock.py build the initial dataset with these, and changes.py the records a day of changes
adds or rewrites, so a record made later cannot drift from the ones made at start. The builders that draw random
numbers draw them in a fixed order from the stream they are given: equal options give equal bytes.

Values are written as Lightspeed writes them: every scalar a string; decimals without trailing zeros (``"12.5"``,
``"12"``, ``"0"``; no recorded answer ever pads); timestamps in whole seconds as ``2026-03-01T14:22:05+00:00``.
Money is kept as whole numbers of 1/10^7 (``SCALE``) and rates (tax, discount percentages) as whole numbers of
1/100000 (``RATE``: 8875 is 0.08875, written ``"0.08875"``). Prices and payments are whole cents; a sale line's tax is
its taxable amount times the rate, exactly (a recorded line: ``"calcTax1": "0.2214"``, 2.46 x 0.09; a documented one:
``"4.48875"``); cents times a five-decimal rate always fit seven decimals, so nothing is rounded there. A sale rounds
the sum of its lines' tax to the cent, half away from zero (the recorded sale of that line says ``"calcTax1":
"0.22"``; the rounding rule itself is UNCONFIRMED), and its total and payments are in cents.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import NamedTuple

from . import words

DAY = 86400
SCALE = 10_000_000  # money in 1/10^7: 129_900_000 is 12.99
CENT = SCALE // 100
RATE = 100_000  # rates in 1/100000: 8875 is 0.08875
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Price levels: (priceLevelID, name, canBeArchived). Default, MSRP and Online are Lightspeed's built-in ones (a
# recorded account and the documentation's Item sample); Wholesale is one a merchant adds.
PRICE_LEVELS = (("1", "Default", "false"), ("2", "MSRP", "false"), ("3", "Online", "false"),
                ("4", "Wholesale", "true"))


# -- value formats -------------------------------------------------------------------------------------------------
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
def decimal(amount: int) -> str:
    """Money: 125_000_000 -> ``"12.5"``, 120_000_000 -> ``"12"``, 0 -> ``"0"``, 2_214_000 -> ``"0.2214"``."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), SCALE)
    if not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:07d}".rstrip("0")


def units(text: str) -> int:
    """Money: ``"12.5"`` -> 125_000_000 (the inverse of ``decimal``; up to seven decimals)."""
    whole, _, fraction = text.strip().partition(".")
    value = abs(int(whole or "0")) * SCALE + int((fraction + "0000000")[:7])
    return -value if whole.startswith("-") else value


def rate_text(rate: int) -> str:
    """8875 -> ``"0.08875"``, 10000 -> ``"0.1"`` (Lightspeed writes rates as fractions)."""
    return decimal(rate * (SCALE // RATE))


def rate_of(text: str) -> int:
    """``"0.08875"`` -> 8875 (the inverse of ``rate_text``)."""
    return units(text) // (SCALE // RATE)


def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, so a refund mirrors its sale to the last digit."""
    quotient, rest = divmod(abs(numerator), denominator)
    quotient += 2 * rest >= denominator
    return -quotient if numerator < 0 else quotient


def to_cents(amount: int) -> int:
    return _round_div(amount, CENT) * CENT


def times(amount: int, rate: int) -> int:
    """``amount`` x ``rate`` (a money amount and a rate in 1/100000): exact for whole cents."""
    return _round_div(amount * rate, RATE)


def dollars(low: int, high: int, rng) -> int:
    """A shelf price between ``low`` and ``high`` whole dollars: most end in .99, some are round or end in .5."""
    whole = rng.randrange(low, high + 1)
    ending = rng.random()
    if ending < 0.7:
        return whole * SCALE - CENT
    return whole * SCALE + (SCALE // 2 if ending < 0.85 else 0)


# -- items and customers -------------------------------------------------------------------------------------------
def item_record(rng, item_id: int, created: int, end: int, category: dict | None, like: dict | None = None,
                color: str | None = None) -> dict:
    """An item made at ``created`` and last touched at or after it, before ``end``. ``like``: another variant of
    the same ItemMatrix (same name, prices, category, brand, vendor; ``color`` differs)."""
    leaf = category["name"] if category else ""
    top = category["fullPathName"].split("/")[0] if category else ""
    nouns = words.ITEM_NOUNS.get(leaf) or words.ITEM_NOUNS.get(top) or ("Gift Card",)
    low, high = words.PRICE_BANDS.get(top, (499, 9999))
    price = dollars(low // 100 + 1, high // 100 + 1, rng)
    msrp = price + rng.choice((0, 0, 5, 10)) * SCALE
    cost = to_cents(price * rng.randrange(38, 63) // 100)
    avg_cost = to_cents(cost * rng.randrange(95, 107) // 100)
    touched = created if rng.random() < 0.65 else rng.randrange(created, max(created + 1, end))
    name = f"{rng.choice(words.ADJECTIVES)} {rng.choice(nouns)}"
    color = color or rng.choice(words.COLORS)
    manufacturer, vendor = str(rng.randrange(1, len(words.MANUFACTURERS) + 1)), str(rng.randrange(1, 6))
    archived = "true" if rng.random() < 0.04 else "false"
    if like is not None:
        name = like["description"].rpartition(" - ")[0]
        cost, avg_cost = units(like["defaultCost"]), units(like["avgCost"])
        price, msrp = units(like["Prices"]["ItemPrice"][0]["amount"]), units(like["Prices"]["ItemPrice"][1]["amount"])
        manufacturer, vendor = like["manufacturerID"], like["defaultVendorID"]
    record = {
        "itemID": str(item_id), "systemSku": str(210000000000 + item_id), "defaultCost": decimal(cost),
        "avgCost": decimal(avg_cost), "discountable": "true", "tax": "true", "archived": archived,
        "itemType": "default", "serialized": "false", "description": f"{name} - {color}",
        "modelYear": "0", "upc": f"{rng.randrange(10**11, 10**12)}", "ean": "", "customSku": "",
        "manufacturerSku": f"SO-{rng.randrange(10000, 99999)}-{rng.choice('ABCDEFGH')}",
        "createTime": iso(created), "timeStamp": iso(touched), "publishToEcom": "false",
        "categoryID": category["categoryID"] if category else "0", "taxClassID": "1",
        "departmentID": "0", "itemMatrixID": like["itemMatrixID"] if like is not None else "0", "itemECommerceID": "0",
        "manufacturerID": manufacturer, "seasonID": "0", "defaultVendorID": vendor,
        "Prices": {"ItemPrice": item_prices(price, msrp)},
    }
    return record


def item_prices(price: int, msrp: int) -> list:
    """One ItemPrice per price level: ``useTypeID`` is the priceLevelID, ``useType`` its name. The MSRP is never
    below the price; wholesale is 70 % of it, in cents."""
    amounts = {"Default": price, "MSRP": max(msrp, price), "Online": price, "Wholesale": to_cents(price * 7 // 10)}
    return [{"amount": decimal(amounts[name]), "useTypeID": level_id, "useType": name}
            for level_id, name, _ in PRICE_LEVELS]


def customer_record(rng, customer_id: int, made: int, end: int) -> tuple[dict, dict]:
    """(customer, its Contact) made at ``made``, last touched before ``end``, in Lightspeed's field order (names
    first, ``customerID`` after the tax category, no ``contactID``: a documented and a recorded Customer). Some
    customers left no e-mail or no phone: Lightspeed then writes the empty list as ``""`` (recorded:
    ``"Emails": ""``); some gave two (``customer_emails``, ``customer_phones``)."""
    c = customer_id
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    touched = made if rng.random() < 0.5 else rng.randrange(made, end)
    record = {
        "firstName": first, "lastName": last, "title": "",
        "company": f"{last} & Co." if rng.random() < 0.1 else "", "companyRegistrationNumber": "",
        "vatNumber": "", "creditAccountID": "0", "customerTypeID": "2" if rng.random() < 0.15 else "1",
        "discountID": "4" if rng.random() < 0.05 else "0", "taxCategoryID": "0", "customerID": str(c),
        "createTime": iso(made), "timeStamp": iso(touched), "archived": "true" if rng.random() < 0.03 else "false",
    }
    if rng.random() < 0.4:  # a known birthday: local midnight in UTC, as recorded ("2019-04-29T04:00:00+00:00")
        born = made // DAY - rng.randrange(18 * 365, 80 * 365)
        record["dob"] = iso(born * DAY + 4 * 3600)
    city, state, zipcode = rng.choice(words.CITIES)
    email = f"{first}.{last}{c}@{rng.choice(words.EMAIL_DOMAINS)}".lower().replace("'", "")
    phone = f"555-01{rng.randrange(100):02d}"
    has_email, has_phone = rng.random() >= 0.15, rng.random() >= 0.25
    contact = contact_record(
        "", iso(touched), customer_emails(c, first, email) if has_email else "",
        customer_phones(c, phone) if has_phone else "", "Mobile",
        (f"{rng.randrange(1, 9999)} {rng.choice(words.STREETS)}", city, state, zipcode))
    return record, contact


def customer_emails(customer_id: int, first: str, email: str) -> list:
    """A customer's e-mails, ``[(address, useType)]``: the one ``email``, Primary; a second one, Secondary, for one
    customer in three, listed first for half of them (Lightspeed keeps the order they were typed in: a recorded
    Contact lists two, Primary then Secondary); one in nine left only a Secondary. Decided by the customer's ID,
    not drawn from the random stream, so every other record stays what it was."""
    c = customer_id
    other = f"{first}{c}@{words.EMAIL_DOMAINS[c % len(words.EMAIL_DOMAINS)]}".lower().replace("'", "")
    if c % 9 == 0:
        return [(email, "Secondary")]
    if c % 6 == 2:
        return [(other, "Secondary"), (email, "Primary")]
    if c % 6 == 4:
        return [(email, "Primary"), (other, "Secondary")]
    return [(email, "Primary")]


def customer_phones(customer_id: int, phone: str) -> list:
    """A customer's phones, ``[(number, useType)]``: the one ``phone``, Mobile; two for some customers, the one to
    call (Mobile, else Home, else Work) not always listed first: Home then Mobile, Work then Home, or a Fax and a
    Pager (no number to call). Decided by the customer's ID, as ``customer_emails``."""
    c = customer_id
    other = f"555-04{c % 100:02d}"
    kind = c % 7
    if kind == 1:
        return [(other, "Home"), (phone, "Mobile")]
    if kind == 3:
        return [(phone, "Work"), (other, "Home")]
    if kind == 5:
        return [(phone, "Fax"), (other, "Pager")]
    return [(phone, "Mobile")]


def contact_record(contact_id: str, stamp: str, email: str | list, phone: str | list, phone_use: str,
                   address: tuple) -> dict:
    """A Contact; an empty e-mail or phone list is ``""``, as Lightspeed writes it. Only the contacts of records
    that name a ``contactID`` (Shop, Employee) carry it; a Customer's or Vendor's has none (recorded).
    ``email``: one address (Primary) or ``[(address, useType)]``; ``phone``: one number (of ``phone_use``) or
    ``[(number, useType)]``. One entry is an object, several a list (``one_or_many``)."""
    street, city, state, zipcode = address
    emails = [(email, "Primary")] if isinstance(email, str) and email else email or []
    phones = [(phone, phone_use)] if isinstance(phone, str) and phone else phone or []
    return {
        **({"contactID": contact_id} if contact_id else {}), "custom": "", "noEmail": "false", "noPhone": "false",
        "noMail": "false",
        "Emails": {"ContactEmail": one_or_many([{"address": a, "useType": u} for a, u in emails])} if emails else "",
        "Phones": {"ContactPhone": one_or_many([{"number": n, "useType": u} for n, u in phones])} if phones else "",
        "Addresses": {"ContactAddress": {
            "address1": street, "address2": "", "city": city, "state": state, "zip": zipcode,
            "country": "United States", "countryCode": "US", "stateCode": state}},
        "Websites": "", "timeStamp": stamp,
    }


def one_or_many(values: list):
    """One entry as itself, several as a list: how Lightspeed writes a collection (recorded: one ``ContactPhone``
    as an object beside two ``ContactEmail`` in a list, marketplacer__vendor_by_id_with_contact.json)."""
    return values[0] if len(values) == 1 else values


def contact_entries(contact: dict | None, collection: str, entry: str) -> list:
    """The entries of a Contact's ``collection`` (``"Emails"``, ``"ContactEmail"``) as a list, whatever the form."""
    listed = ((contact or {}).get(collection) or {}).get(entry) or []
    return [listed] if isinstance(listed, dict) else list(listed)


# -- sales, their lines and payments -------------------------------------------------------------------------------
class LineSpec(NamedTuple):
    """A sale line's numbers, kept so the SaleLine records can be built when first asked for."""

    line_id: int
    item: int  # index into the Item table
    quantity: int  # negative on a refund
    unit: int  # unit price
    discount_id: str
    percent: int  # the line's discount: a rate (1/100000) ...
    amount: int  # ... or an amount off the line (signed like the subtotal)
    parent: int  # the refunded line's saleLineID, else 0
    subtotal: int
    discount: int
    tax: int  # exact
    cost: int  # unit cost


def line_spec(line_id: int, item: int, quantity: int, unit: int, cost: int, rate: int,
              discount: tuple = ("0", 0, 0), parent: int = 0) -> LineSpec:
    """A line's amounts: a percentage discount is rounded to the cent (a documented line: 5 % of 69.9 is
    ``"calcLineDiscount": "3.5"``); tax is the rate times what is left, exactly."""
    discount_id, percent, amount = discount
    subtotal = unit * quantity
    if percent:
        off = to_cents(times(subtotal, percent))
    elif amount:
        off = amount if abs(amount) <= abs(subtotal) else subtotal
    else:
        off = 0
    return LineSpec(line_id, item, quantity, unit, discount_id, percent, amount, parent, subtotal, off,
                    times(subtotal - off, rate), cost)


class PaymentSpec(NamedTuple):
    payment_id: int
    type_id: str
    amount: int  # cents, negative on a refund
    tip: int
    ref: int  # the refunded payment's salePaymentID, else 0


def sale_money(lines, payments, completed: bool) -> dict:
    """A sale's money fields from its lines and payments: subtotal, discount and cost are their exact sums, tax the
    lines' tax rounded to the cent, the total what is left plus tax, the payments what was paid (tips apart)."""
    subtotal = discount = tax = cost = paid = tips = 0
    for line in lines:  # one pass: this runs for every sale of the dataset
        subtotal += line.subtotal
        discount += line.discount
        tax += line.tax
        cost += line.cost * line.quantity
    for payment in payments:
        paid += payment.amount
        tips += payment.tip
    tax = to_cents(tax)
    net, total = decimal(subtotal - discount), decimal(subtotal - discount + tax)
    tax_text, cost_text = decimal(tax), decimal(cost)
    return {
        "displayableSubtotal": net, "calcDiscount": decimal(discount), "calcTotal": total,
        "calcSubtotal": decimal(subtotal), "calcTaxable": net, "calcNonTaxable": "0", "calcAvgCost": cost_text,
        "calcFIFOCost": cost_text, "calcTax1": tax_text, "calcTax2": "0", "calcPayments": decimal(paid),
        "calcTips": decimal(tips), "total": total, "totalDue": total, "displayableTotal": total,
        "balance": decimal(subtotal - discount + tax - paid) if completed else total, "taxTotal": tax_text,
    }


def sale_record(sale_id: int, *, created: str, stamp: str, sold: int, rate: int, completed: bool, voided: bool,
                lines, payments, customer_id: str, employee_id: str, register: dict, shop_id: str) -> dict:
    """A sale whose money fields agree with its lines and payments (``sale_money``); ``completeTime`` only once
    completed. Field order as in Lightspeed's documented Sale."""
    money = sale_money(lines, payments, completed)
    tax_total = money.pop("taxTotal")  # last, as in the documented Sale
    tips = register["tipEnabled"]
    sale = {
        "saleID": str(sale_id), "timeStamp": stamp, "discountPercent": "0",
        "completed": "true" if completed else "false", "archived": "false", "voided": "true" if voided else "false",
        "enablePromotions": "true", "isTaxInclusive": "false", "createTime": created, "updatetime": stamp}
    if completed:
        sale["completeTime"] = iso(sold)
    sale.update({
        "referenceNumber": "", "referenceNumberSource": "", "tax1Rate": rate_text(rate), "tax2Rate": "0",
        "change": "0", "tipEnabled": tips, "receiptPreference": "printed",
        "displayableSubtotal": money["displayableSubtotal"], "ticketNumber": str(220000000000 + sale_id)})
    sale.update(money)  # the rest of the money fields, in order (displayableSubtotal keeps its place)
    sale.update({
        "customerID": customer_id, "discountID": "0", "employeeID": employee_id,
        "tipEmployeeID": employee_id if tips == "true" else "0", "quoteID": "0",
        "registerID": register["registerID"], "shipToID": "0", "shopID": shop_id, "taxCategoryID": shop_id,
        "taxTotal": tax_total})
    return sale


def line_record(sale: dict, item: dict, spec: LineSpec, stamp: str | None = None) -> dict:
    """A sale line of ``spec``, stamped as its sale (or ``stamp``)."""
    line = LINE_TEMPLATE.copy()
    unit = decimal(spec.unit)
    line.update({
        "saleLineID": str(spec.line_id), "createTime": sale["createTime"], "timeStamp": stamp or sale["timeStamp"],
        "unitQuantity": str(spec.quantity), "unitPrice": unit,
        "discountAmount": decimal(abs(spec.amount)), "discountPercent": rate_text(spec.percent),
        "avgCost": decimal(spec.cost), "fifoCost": decimal(spec.cost), "tax1Rate": sale["tax1Rate"],
        "displayableSubtotal": decimal(spec.subtotal - spec.discount), "displayableUnitPrice": unit,
        "calcLineDiscount": decimal(spec.discount), "calcTotal": decimal(spec.subtotal - spec.discount + spec.tax),
        "calcSubtotal": decimal(spec.subtotal), "calcTax1": decimal(spec.tax), "customerID": sale["customerID"],
        "discountID": spec.discount_id, "employeeID": sale["employeeID"], "itemID": item["itemID"],
        "parentSaleLineID": str(spec.parent), "shopID": sale["shopID"], "taxCategoryID": sale["taxCategoryID"],
        "saleID": sale["saleID"],
    })
    return line


def payment_record(sale: dict, spec: PaymentSpec, created: str) -> dict:
    """A payment of ``sale``: ``amount`` excludes the tip, which is ``tipAmount`` (UNCONFIRMED split)."""
    return {
        "salePaymentID": str(spec.payment_id), "amount": decimal(spec.amount), "createTime": created,
        "archived": "false", "remoteReference": "", "tipAmount": decimal(spec.tip), "paymentID": "",
        "saleID": sale["saleID"], "paymentTypeID": spec.type_id, "ccChargeID": "0", "refPaymentID": str(spec.ref),
        "registerID": sale["registerID"], "employeeID": sale["employeeID"], "creditAccountID": "0",
    }


# 1-5 lines per sale (40/25/18/10/7 %) and 1-3 units per line (80/15/5 %), as lookup tables for one random() each.
LINE_COUNTS = (1,) * 40 + (2,) * 25 + (3,) * 18 + (4,) * 10 + (5,) * 7
QUANTITIES = (1,) * 80 + (2,) * 15 + (3,) * 5

# A sale line's fields in Lightspeed's order (a documented and a recorded SaleLine); the constant ones keep these.
LINE_TEMPLATE = dict.fromkeys((
    "saleLineID", "createTime", "timeStamp", "unitQuantity", "unitPrice", "normalUnitPrice", "discountAmount",
    "discountPercent", "avgCost", "fifoCost", "tax", "tax1Rate", "tax2Rate", "isLayaway", "isWorkorder",
    "isSpecialOrder", "displayableSubtotal", "displayableUnitPrice", "calcLineDiscount", "calcTransactionDiscount",
    "calcTotal", "calcSubtotal", "calcTax1", "calcTax2", "taxClassID", "customerID", "discountID", "employeeID",
    "itemID", "noteID", "parentSaleLineID", "shopID", "taxCategoryID", "saleID", "itemFeeID", "lineType",
), "0")
LINE_TEMPLATE.update({"tax": "true", "isLayaway": "false", "isWorkorder": "false", "isSpecialOrder": "false",
                      "lineType": "", "taxClassID": "1"})
