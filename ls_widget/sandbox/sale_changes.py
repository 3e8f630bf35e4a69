"""A day of changes to sales (changes.py), keeping every sale consistent with its SaleLines and SalePayments.

A sale's money fields come from its lines and payments (records.sale_money), and lines and payments are both tables
of their own (``SaleLine.json``, ``Sale/{id}/SaleLine.json``, likewise SalePayment) and relations (``SaleLines``,
``SalePayments``); all of them must tell the same story after a change, and each record carries its own
``timeStamp``, moved only when that record changes (payments have none):
- an edit adds one unit to one line (one more unit given back, on a refund); its amounts follow the unit price, its
  discount and the sale's tax rate; the sale's totals are summed again, its last payment takes up the difference,
  and an open sale is completed and paid in cash;
- a new sale is a completed one of 1-5 lines that sell live items, each line with a new ``saleLineID``, paid by one
  new payment;
- "archiving" a sale voids it: it stays listed, ``voided`` "true";
- a deleted sale takes its lines and payments with it.
"""

from __future__ import annotations

from .edits import Day, TableEdit
from .records import (LINE_COUNTS, QUANTITIES, LineSpec, PaymentSpec, decimal, line_record, line_spec,
                      payment_record, rate_of, sale_money, sale_record, units)
from .sales import CARD, CASH, payment_time


def change_sales(day: Day) -> dict:
    sales_edit, lines_edit, pays_edit = day.edit("Sale"), day.edit("SaleLine"), day.edit("SalePayment")
    sales = day.data.table("Sale").records
    live = [s for s in sales if s["voided"] == "false"]
    edited, voided, deleted = day.pick(sales, live, set(), "saleID")
    changed_lines, changed_payments = [], []
    for sale_id in edited:
        line_id, payment_id = _edit_sale(day, sales_edit, lines_edit, pays_edit, sales_edit.current(sale_id))
        changed_lines.append(line_id)
        if payment_id:
            changed_payments.append(payment_id)
    for sale_id in voided:
        sales_edit.replace({**sales_edit.current(sale_id), "voided": "true", "timeStamp": day.stamp,
                            "updatetime": day.stamp})
    gone_lines, gone_payments = [], []
    for sale_id in deleted:
        sale = sales_edit.current(sale_id)
        sales_edit.delete(sale_id)
        for table, edit, gone, key in (("SaleLine", lines_edit, gone_lines, "saleLineID"),
                                       ("SalePayment", pays_edit, gone_payments, "salePaymentID")):
            for record in day.data.children(table, sale["saleID"]):
                edit.delete(record[key])
                gone.append(record[key])
            day.data.set_children(table, sale_id, None)
    for _ in range(day.counts["adds"]):
        if not _add_sale(day, sales_edit, lines_edit, pays_edit):
            break  # nothing left to sell
    for edit in (sales_edit, lines_edit, pays_edit):
        edit.commit()
    ordered = lambda ids: sorted(ids, key=int)  # noqa: E731
    return {
        "Sale": {"edited": ordered(edited), "added": [s["saleID"] for s in sales_edit.added],
                 "voided": ordered(voided), "deleted": ordered(deleted)},
        "SaleLine": {"edited": ordered(changed_lines), "added": [r["saleLineID"] for r in lines_edit.added],
                     "deleted": ordered(gone_lines)},
        "SalePayment": {"edited": ordered(set(changed_payments) - {p["salePaymentID"] for p in pays_edit.added}),
                        "added": [p["salePaymentID"] for p in pays_edit.added], "deleted": ordered(gone_payments)},
    }


def spec_of(line: dict) -> LineSpec:
    """The numbers of a SaleLine record, back as the LineSpec it was built from."""
    quantity = int(line["unitQuantity"])
    amount = units(line["discountAmount"])
    return LineSpec(int(line["saleLineID"]), -1, quantity, units(line["unitPrice"]), line["discountID"],
                    rate_of(line["discountPercent"]), -amount if quantity < 0 else amount,
                    int(line["parentSaleLineID"]), units(line["calcSubtotal"]), units(line["calcLineDiscount"]),
                    units(line["calcTax1"]), units(line["avgCost"]))


def payment_spec(payment: dict) -> PaymentSpec:
    return PaymentSpec(int(payment["salePaymentID"]), payment["paymentTypeID"], units(payment["amount"]),
                       units(payment["tipAmount"]), int(payment["refPaymentID"]))


def _edit_sale(day: Day, sales_edit: TableEdit, lines_edit: TableEdit, pays_edit: TableEdit,
               sale: dict) -> tuple[str, str]:
    """One more unit on one line; returns that line's ID and the ID of the payment that changed ("" if none)."""
    lines = list(day.data.sale_lines(sale))
    k = day.rng.randrange(len(lines))
    old = spec_of(lines[k])
    quantity = old.quantity + (1 if old.quantity > 0 else -1)
    amount = old.amount  # an amount off stays what it was; a percentage follows the new subtotal
    new = line_spec(old.line_id, old.item, quantity, old.unit, old.cost, _rate(sale),
                    (old.discount_id, old.percent, amount), parent=old.parent)
    lines[k] = {**line_record(sale, {"itemID": lines[k]["itemID"]}, new, day.stamp),
                "createTime": lines[k]["createTime"]}
    lines_edit.replace(lines[k])
    day.data.set_children("SaleLine", sale["saleID"], lines)
    specs = [spec_of(line) for line in lines]
    changed = {**sale, "timeStamp": day.stamp, "updatetime": day.stamp, "completed": "true"}
    changed.setdefault("completeTime", day.stamp)  # an open sale is rung up now
    payments, payment_id = _settle(day, pays_edit, changed, specs)
    changed.update(sale_money(specs, [payment_spec(p) for p in payments], completed=True))
    sales_edit.replace(changed)
    return lines[k]["saleLineID"], payment_id


def _settle(day: Day, pays_edit: TableEdit, sale: dict, specs: list) -> tuple[list, str]:
    """The sale's payments after an edit: the last one takes up the difference, or a cash payment pays it all."""
    total = units(sale_money(specs, [], completed=True)["total"])
    payments = list(day.data.sale_payments(sale))
    if payments:
        paid_before = sum(units(p["amount"]) for p in payments[:-1])
        payments[-1] = {**payments[-1], "amount": decimal(total - paid_before)}
        pays_edit.replace(payments[-1])
    else:
        spec = PaymentSpec(pays_edit.new_id(), CASH, total, 0, 0)
        payments = [payment_record(sale, spec, payment_time(sale))]
        pays_edit.added.extend(payments)
    day.data.set_children("SalePayment", sale["saleID"], payments)
    return payments, payments[-1]["salePaymentID"]


def _rate(sale: dict) -> int:
    """``"0.08875"`` -> 8875 (records' rate unit, 1/100000)."""
    return rate_of(sale["tax1Rate"])


def _add_sale(day: Day, sales_edit: TableEdit, lines_edit: TableEdit, pays_edit: TableEdit) -> bool:
    data, rng = day.data, day.rng
    items = [i for i in data.table("Item").records if i["archived"] == "false"]
    if not items:
        return False
    customers = [c for c in data.table("Customer").records if c["archived"] == "false"]
    employees = [e["employeeID"] for e in data.table("Employee").records if e["archived"] == "false"]
    register = rng.choice(data.table("Register").records)
    shop_id = register["shopID"]
    rate = data.tax_rate(shop_id)
    customer_id = "0" if not customers or rng.random() < 0.3 else rng.choice(customers)["customerID"]
    chosen, specs = [], []
    for _ in range(LINE_COUNTS[rng.randrange(100)]):
        item, quantity = rng.choice(items), QUANTITIES[rng.randrange(100)]
        chosen.append(item)
        specs.append(line_spec(lines_edit.new_id(), -1, quantity, units(item["Prices"]["ItemPrice"][0]["amount"]),
                               units(item["avgCost"]), rate))
    total = units(sale_money(specs, [], completed=True)["total"])
    payments = [PaymentSpec(pays_edit.new_id(), rng.choice((CASH, CARD)), total, 0, 0)]
    sale = sale_record(
        sales_edit.new_id(), created=day.stamp, stamp=day.stamp, sold=day.now, rate=rate, completed=True,
        voided=False, lines=specs, payments=payments, customer_id=customer_id,
        employee_id=rng.choice(employees or ["1"]), register=register, shop_id=shop_id)
    lines = [line_record(sale, item, spec) for item, spec in zip(chosen, specs)]
    paid = [payment_record(sale, spec, payment_time(sale)) for spec in payments]
    sales_edit.added.append(sale)
    lines_edit.added.extend(lines)
    pays_edit.added.extend(paid)
    data.set_children("SaleLine", sale["saleID"], lines)
    data.set_children("SalePayment", sale["saleID"], paid)
    return True
