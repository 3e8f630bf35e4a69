"""A day of changes to sales (changes.py), keeping every sale consistent with its SaleLines.

A sale's money fields are the sums of its lines (data.py), and the lines are both a table of their own
(``SaleLine.json``, ``Sale/{id}/SaleLine.json``) and the ``SaleLines`` relation; all three must tell the same story
after a change, and each line carries its own ``timeStamp``, moved only when that line changes:
- an edit adds one unit to one line (its amounts follow the unit price and the sale's tax rate) and completes the sale
  if it was still open; the sale's totals are summed again from its lines;
- a new sale is a completed one of 1-5 lines that sell live items, each line with a new ``saleLineID``;
- "archiving" a sale voids it (sales have no archived flag here): it stays listed, ``voided`` "true";
- a deleted sale takes its lines with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import LINE_COUNTS, QUANTITIES, cents, line_amounts, line_record, money, sale_record, sale_totals

if TYPE_CHECKING:
    from .changes import Day, TableEdit


def change_sales(day: "Day") -> dict:
    sales_edit, lines_edit = day.edit("Sale"), day.edit("SaleLine")
    sales = day.data.table("Sale").records
    live = [s for s in sales if s["voided"] == "false"]
    edited, voided, deleted = day.pick(sales, live, set(), "saleID")
    changed_lines = []
    for sale_id in edited:
        changed_lines.append(_edit_sale(day, sales_edit, lines_edit, sales_edit.current(sale_id)))
    for sale_id in voided:
        sales_edit.replace({**sales_edit.current(sale_id), "voided": "true", "timeStamp": day.stamp,
                            "updateTime": day.stamp})
    gone_lines = []
    for sale_id in deleted:
        sales_edit.delete(sale_id)
        for line in day.data.sale_lines(sales_edit.current(sale_id)):
            lines_edit.delete(line["saleLineID"])
            gone_lines.append(line["saleLineID"])
        day.data.set_sale_lines(sale_id, None)
    for _ in range(day.counts["adds"]):
        if not _add_sale(day, sales_edit, lines_edit):
            break  # nothing left to sell
    sales_edit.commit()
    lines_edit.commit()
    ordered = lambda ids: sorted(ids, key=int)  # noqa: E731
    return {
        "Sale": {"edited": ordered(edited), "added": [s["saleID"] for s in sales_edit.added],
                 "voided": ordered(voided), "deleted": ordered(deleted)},
        "SaleLine": {"edited": ordered(changed_lines), "added": [r["saleLineID"] for r in lines_edit.added],
                     "deleted": ordered(gone_lines)},
    }


def _edit_sale(day: "Day", sales_edit: "TableEdit", lines_edit: "TableEdit", sale: dict) -> str:
    """One more unit on one line; returns that line's ID."""
    lines = list(day.data.sale_lines(sale))
    k = day.rng.randrange(len(lines))
    line = lines[k]
    rate = _rate(sale)
    quantity = int(line["unitQuantity"]) + 1
    line_sub, line_tax = line_amounts(cents(line["unitPrice"]), quantity, rate)
    lines[k] = {**line, "timeStamp": day.stamp, "unitQuantity": str(quantity),
                "displayableSubtotal": money(line_sub), "calcTotal": money(line_sub + line_tax),
                "calcSubtotal": money(line_sub), "calcTax1": money(line_tax)}
    lines_edit.replace(lines[k])
    day.data.set_sale_lines(sale["saleID"], lines)
    subtotal = sum(cents(x["calcSubtotal"]) for x in lines)
    tax = sum(cents(x["calcTax1"]) for x in lines)
    cost = sum(cents(x["avgCost"]) * int(x["unitQuantity"]) for x in lines)
    changed = {**sale, "timeStamp": day.stamp, "updateTime": day.stamp, "completed": "true"}
    changed.update(sale_totals(subtotal, tax, cost, completed=True))
    changed.setdefault("completeTime", day.stamp)  # an open sale is rung up now
    sales_edit.replace(changed)
    return line["saleLineID"]


def _rate(sale: dict) -> int:
    """``"0.08875"`` -> 8875 (records.line_amounts' unit)."""
    return int(sale["tax1Rate"].partition(".")[2].ljust(5, "0")[:5])


def _add_sale(day: "Day", sales_edit: "TableEdit", lines_edit: "TableEdit") -> bool:
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
    specs = []
    for _ in range(LINE_COUNTS[rng.randrange(100)]):
        item, quantity = rng.choice(items), QUANTITIES[rng.randrange(100)]
        specs.append((item, quantity, *line_amounts(cents(item["Prices"]["ItemPrice"][0]["amount"]), quantity, rate)))
    sale = sale_record(
        sales_edit.new_id(), created=day.stamp, stamp=day.stamp, sold=day.now, rate=rate, completed=True,
        voided=False, subtotal=sum(s[2] for s in specs), tax=sum(s[3] for s in specs),
        cost=sum(cents(item["avgCost"]) * quantity for item, quantity, _, _ in specs), customer_id=customer_id,
        employee_id=rng.choice(employees or ["1"]), register_id=register["registerID"], shop_id=shop_id)
    lines = [line_record(lines_edit.new_id(), sale, item, quantity, line_sub, line_tax)
             for item, quantity, line_sub, line_tax in specs]
    sales_edit.added.append(sale)
    lines_edit.added.extend(lines)
    data.set_sale_lines(sale["saleID"], lines)
    return True
