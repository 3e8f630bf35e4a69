"""How a sale, its lines and its payments agree in Lightspeed, checked with exact decimals (shared by the tests).

Lines keep their tax exact, taxable amount times rate (a recorded line: ``"calcTax1": "0.2214"``); the sale rounds
the sum of its lines' tax to the cent, half away from zero (the recorded sale of that line: ``"calcTax1": "0.22"``);
subtotal and
discount are exact sums; the total is subtotal - discount + tax; a completed sale's payments add up to its total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def dec(text: str) -> Decimal:
    return Decimal(text)


def check_line(line: dict) -> None:
    subtotal = dec(line["unitPrice"]) * int(line["unitQuantity"])
    assert subtotal == dec(line["calcSubtotal"]), line
    taxable = subtotal - dec(line["calcLineDiscount"])
    assert dec(line["displayableSubtotal"]) == taxable
    tax = taxable * dec(line["tax1Rate"])
    assert dec(line["calcTax1"]) == tax, line
    assert dec(line["calcTotal"]) == taxable + tax


def check_sale(sale: dict, lines: list, payments: list | None = None) -> None:
    for line in lines:
        check_line(line)
        assert line["saleID"] == sale["saleID"]
    assert sum(dec(line["calcSubtotal"]) for line in lines) == dec(sale["calcSubtotal"])
    assert sum(dec(line["calcLineDiscount"]) for line in lines) == dec(sale["calcDiscount"])
    tax = sum(dec(line["calcTax1"]) for line in lines).quantize(CENT, rounding=ROUND_HALF_UP)
    assert tax == dec(sale["calcTax1"])
    total = dec(sale["calcSubtotal"]) - dec(sale["calcDiscount"]) + tax
    assert total == dec(sale["calcTotal"]) == dec(sale["total"])
    if payments is not None:
        paid = sum(dec(p["amount"]) for p in payments)
        assert paid == dec(sale["calcPayments"])
        assert sum(dec(p["tipAmount"]) for p in payments) == dec(sale["calcTips"])
        if sale["completed"] == "true":
            assert paid == total and dec(sale["balance"]) == 0
        else:
            assert not payments and dec(sale["balance"]) == total


def as_list(value) -> list:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]
