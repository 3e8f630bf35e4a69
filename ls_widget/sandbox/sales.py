"""A year of sales: when, where, what, how paid (data.py builds the tables from what this module decides).

- When: in each shop's own opening hours (09:00-21:00 local time, in the shop's time zone), busier at weekends, and
  a few (1.5 %) within ten minutes of the shop's local midnight, so that "the day" of a sale depends on the time zone
  it is read in. A shop sells only where it has a register (``registers=1``, the default: one shop sells).
- What: 1-5 lines of items that existed at the time, at their Default price; 8 % of lines carry a discount (a
  percentage or an amount off). Tax at the shop's rate, to 1/100000 per line (records.py).
- Refunds: about 3 % of completed sales give back some units of a sale the same shop completed in the 45 days
  before: negative ``unitQuantity`` and totals, ``parentSaleLineID`` naming the line refunded, a negative payment of
  the original payment's type whose ``refPaymentID`` names it.
- States: 2 % stay open (no ``completeTime``, no payment, balance due), 1 % are voided.
- Payments: completed sales are paid in full (cash, card, debit, check, gift card, sometimes split between a gift
  card and a card); on registers with tips enabled a quarter of card payments add a tip (``tipAmount``).

Everything draws from one random stream in a fixed order: equal options, equal sales.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from . import words
from .records import (DAY, LINE_COUNTS, QUANTITIES, RATE, SCALE, PaymentSpec, iso, line_spec, sale_record,
                      to_cents, units)

OPEN_HOURS = (9 * 3600, 21 * 3600)
NEAR_MIDNIGHT = 600  # seconds either side of local midnight
REFUND_WINDOW = 45 * DAY
CASH, CHECK, CARD, GIFT, DEBIT = "1", "2", "3", "5", "6"
# One random() picks the payment type: cash 30 %, card 45 %, debit 15 %, gift card 5 %, check 5 %.
PAYMENT_PICK = (CASH,) * 30 + (CARD,) * 45 + (DEBIT,) * 15 + (GIFT,) * 5 + (CHECK,) * 5
TIP_RATES = (10000, 15000, 20000)  # 10, 15, 20 % (1/100000)


def local_midnights(zone: str, first: date, days: int) -> list[int]:
    """Epoch seconds of local midnight in ``zone`` for ``days`` days from ``first`` (DST handled by zoneinfo)."""
    tz = ZoneInfo(zone)
    ordinal = first.toordinal()
    return [int(datetime.combine(date.fromordinal(ordinal + d), datetime.min.time(), tz).timestamp())
            for d in range(days)]


def sale_moments(rng, data, count: int) -> list[tuple[int, int]]:
    """(epoch second, register index) of ``count`` sales, in time order."""
    rand, randrange = rng.random, rng.randrange
    registers = data.table("Register").records
    first = datetime.fromtimestamp(data.start, timezone.utc).date()
    midnights = {r["shopID"]: local_midnights(data.shop_zone(r["shopID"]), first, 366) for r in registers}
    # weekends (local) count three times, other days twice; the last day is left out so no sale is after end_date
    days = [d for d in range(364) for _ in range(3 if date.fromordinal(first.toordinal() + d).weekday() >= 5 else 2)]
    moments = []
    for _ in range(count):
        r = int(rand() * len(registers))
        day = days[int(rand() * len(days))]
        nights = midnights[registers[r]["shopID"]]
        if rand() < 0.015:
            moment = nights[day + 1] + randrange(-NEAR_MIDNIGHT, NEAR_MIDNIGHT)
        else:
            moment = nights[day] + randrange(*OPEN_HOURS)
        moments.append((moment, r))
    moments.sort()
    return moments


class SalesBuilder:
    """Builds the Sale records and keeps, per sale, the specs of its lines and payments (built lazily)."""

    def __init__(self, data) -> None:
        self.data = data
        self.rng = data.rng("sales")
        items = data.table("Item").records
        self.item_created = [int(datetime.fromisoformat(i["createTime"]).timestamp()) for i in items]
        self.prices = [units(i["Prices"]["ItemPrice"][0]["amount"]) for i in items]
        self.costs = [units(i["avgCost"]) for i in items]
        self.customers = data.table("Customer").records
        self.customer_created = [int(datetime.fromisoformat(c["createTime"]).timestamp()) for c in self.customers]
        self.employees = [e["employeeID"] for e in data.table("Employee").records]
        self.registers = data.table("Register").records
        self.discounts = words.DISCOUNTS
        self.next_line = self.next_payment = 1
        self.lines: list = []  # per sale: [LineSpec]
        self.payments: list = []  # per sale: [PaymentSpec]
        self.refundable: dict = {}  # shopID -> [(sold, sale index)] of completed sales a refund may take back

    def build(self) -> list:
        rand, randrange = self.rng.random, self.rng.randrange
        sales = []
        for s, (sold, r) in enumerate(sale_moments(self.rng, self.data, self.data.options.sales), start=1):
            register = self.registers[r]
            shop_id = register["shopID"]
            rate = self.data.tax_rate(shop_id)
            employee_id = self.employees[int(rand() * len(self.employees))]
            known = bisect.bisect_right(self.customer_created, sold)
            customer_id = "0" if not known or rand() < 0.3 else self.customers[int(rand() * known)]["customerID"]
            completed, voided = rand() >= 0.02, rand() < 0.01
            touched = sold + randrange(0, 6)
            if rand() < 0.05:  # the nightly job: every sale it touches gets the same second
                touched = sold - sold % DAY + DAY + 6 * 3600
            elif rand() < 0.03:
                touched = min(self.data.end, sold + randrange(DAY, 60 * DAY))
            created, stamp = iso(sold - randrange(30, 600)), iso(touched)
            original = self._refund_of(shop_id, sold) if completed and not voided and rand() < 0.03 else None
            if original is not None:
                lines, payments = self._refund(original, rate)
                customer_id = sales[original]["customerID"]
            else:
                lines = self._lines(sold, rate)
                payments = self._payments(lines, register) if completed else []
                if completed and not voided:
                    self.refundable.setdefault(shop_id, []).append((sold, s - 1))
            self.lines.append(lines)
            self.payments.append(payments)
            sales.append(sale_record(
                s, created=created, stamp=stamp, sold=sold, rate=rate, completed=completed, voided=voided,
                lines=lines, payments=payments, customer_id=customer_id, employee_id=employee_id, register=register,
                shop_id=shop_id))
        return sales

    def _lines(self, sold: int, rate: int) -> list:
        rand = self.rng.random
        stocked = max(1, bisect.bisect_right(self.item_created, sold))
        lines = []
        for _ in range(LINE_COUNTS[int(rand() * 100)]):
            k = int(rand() * stocked)
            quantity = QUANTITIES[int(rand() * 100)]
            discount = ("0", 0, 0)
            if rand() < 0.08:
                discount_id, _, percent, amount = self.discounts[int(rand() * len(self.discounts))]
                discount = (discount_id, percent, amount * SCALE)
            lines.append(line_spec(self.next_line, k, quantity, self.prices[k], self.costs[k], rate, discount))
            self.next_line += 1
        return lines

    def _payments(self, lines: list, register: dict) -> list:
        """Payments of a completed sale, summing to its total; a tip on top on some card payments."""
        rand = self.rng.random
        total = _total(lines)
        kind = PAYMENT_PICK[int(rand() * 100)]
        parts = [(kind, total)]
        if rand() < 0.08 and total >= 20 * SCALE:  # part on a gift card, the rest on a card
            on_gift = to_cents(total * (20 + int(rand() * 40)) // 100)
            parts = [(GIFT, on_gift), (CARD, total - on_gift)]
        payments = []
        for kind, amount in parts:
            tip = 0
            if register["tipEnabled"] == "true" and kind in (CARD, DEBIT) and rand() < 0.25:
                tip = to_cents(amount * TIP_RATES[int(rand() * 3)] // RATE)
            payments.append(PaymentSpec(self.next_payment, kind, amount, tip, 0))
            self.next_payment += 1
        return payments

    def _refund_of(self, shop_id: str, sold: int) -> int | None:
        """A sale of the same shop completed in the last 45 days that was not refunded yet (its index), or None."""
        candidates = self.refundable.get(shop_id, [])
        start = bisect.bisect_left(candidates, (sold - REFUND_WINDOW, -1))
        if start >= len(candidates):
            return None
        pick = start + int(self.rng.random() * (len(candidates) - start))
        return candidates.pop(pick)[1]

    def _refund(self, original: int, rate: int) -> tuple[list, list]:
        """Lines giving back 1..all units of some of the original's lines (at least one), at the price paid: the
        same discount rate, an amount off in proportion; one negative payment of the original payment's type."""
        rand = self.rng.random
        lines = []
        for index, line in enumerate(self.lines[original]):
            if index and rand() < 0.4:
                continue
            back = 1 + int(rand() * line.quantity)
            amount = -to_cents(line.amount * back // line.quantity) if line.amount else 0
            lines.append(line_spec(self.next_line, line.item, -back, line.unit, line.cost, rate,
                                   (line.discount_id, line.percent, amount), parent=line.line_id))
            self.next_line += 1
        paid_with = self.payments[original][0]
        payment = PaymentSpec(self.next_payment, paid_with.type_id, _total(lines), 0, paid_with.payment_id)
        self.next_payment += 1
        return lines, [payment]


def _total(lines) -> int:
    """What a sale of ``lines`` comes to: as records.sale_money computes ``total``."""
    return (sum(line.subtotal - line.discount for line in lines)
            + to_cents(sum(line.tax for line in lines)))


def payment_time(sale: dict) -> str:
    """When a sale's payments were taken: at completion."""
    return sale.get("completeTime") or sale["createTime"]
