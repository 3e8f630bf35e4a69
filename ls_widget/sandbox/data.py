"""A deterministic, realistic retail dataset: what one Lightspeed account holds.

Equal ``DataOptions`` (seed and sizes) give byte-identical data, built lazily per table and cached per process, so
many sandboxes in one test run share the work. Records look like Lightspeed's (docs/lightspeed-api.md section 3.3):
every scalar is a string (booleans "true"/"false", money with two decimals), timestamps are ISO 8601 UTC with an
explicit ``+00:00`` offset, and IDs grow with creation time.

What makes it realistic enough to test against: items are imported in batches that share ``createTime`` and often
``timeStamp`` (ties for cursor pagination), sales spread over the year before ``end_date`` in opening hours, busier at
weekends, a nightly job touches a few sales at the same second (more ties), each sale has 1-5 lines that sell real
items created before the sale, at that item's price, with tax at the shop's rate, and the sale's totals are the sums
of its lines. Some customers are walk-ins (``customerID`` "0"), a few records are archived, a few sales voided or
left open. No timeStamp is later than 06:00 the morning after ``end_date`` (the nightly job), and the default
``end_date`` is in the past, so a sandbox's "now" comes after all of them and a day of changes (changes.py) is the
newest thing a sync by timeStamp sees.

What one record looks like is records.py's business (changes.py makes new records with the same builders); this
module decides how many, when, and how they relate.
"""

from __future__ import annotations

import bisect
import copy
import functools
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timezone

from . import records as records_mod
from . import words
from .config import DataOptions
from .records import DAY, LINE_COUNTS, QUANTITIES, iso, line_amounts

YEAR = 365 * DAY


@dataclass
class Table:
    name: str
    id_field: str
    records: list  # dicts, ascending by ID
    by_id: dict = field(init=False)
    derived: dict = field(default_factory=dict, repr=False)  # what query.py computes from the records, cached

    def __post_init__(self) -> None:
        self.by_id = {record[self.id_field]: record for record in self.records}


@functools.lru_cache(maxsize=8)
def account_data(options: DataOptions, index: int) -> "AccountData":
    return AccountData(options, index)


def account_ids(options: DataOptions) -> list[str]:
    base = random.Random(f"accounts:{options.seed}").randrange(100000, 900000)
    return [str(base + 7919 * i) for i in range(options.accounts)]


class AccountData:
    """One account's records. Tables are built on first use; each has its own random stream, so building them in
    any order gives the same data."""

    def __init__(self, options: DataOptions, index: int) -> None:
        self.options = options
        self.index = index
        self.account_id = account_ids(options)[index]
        name = words.ACCOUNT_NAMES[index % len(words.ACCOUNT_NAMES)]
        self.name = name if index < len(words.ACCOUNT_NAMES) else f"{name} {index + 1}"
        self.end = int(datetime.combine(options.end_date, time(23, 59, 59), timezone.utc).timestamp())
        self.start = self.end - YEAR
        self._tables: dict[str, Table] = {}
        self._lock = threading.RLock()

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"{self.options.seed}:{self.index}:{purpose}")

    @property
    def account(self) -> dict:
        return {"accountID": self.account_id, "name": self.name}

    def table(self, name: str) -> Table:
        # Cached data is shared by every sandbox of the process, each serving from its own thread.
        with self._lock:
            if name not in self._tables:
                if name == "Sale":
                    self._build_sales()
                else:
                    builder = getattr(self, f"_build_{name.lower()}")
                    self._tables[name] = Table(name, f"{name[0].lower()}{name[1:]}ID", builder())
            return self._tables[name]

    def fork(self) -> "AccountData":
        """A private copy of this account for one sandbox to change (changes.py), leaving the cached one that every
        sandbox of the process shares untouched. The tables that change are built first, then copied as lists of
        the same record dicts: a change swaps a record for a new dict and never edits one in place, so sharing the
        unchanged ones is safe and forking stays cheap. Tables not built yet are built by the copy when first read
        (the same data: every table has its own random stream)."""
        with self._lock:
            for name in ("Item", "Customer", "Sale", "SaleLine"):
                self.table(name)
            twin = copy.copy(self)
            twin._lock = threading.RLock()
            twin._tables = {name: Table(name, t.id_field, list(t.records)) for name, t in self._tables.items()}
            twin._contacts, twin._lines_by_sale = dict(self._contacts), dict(self._lines_by_sale)
        return twin

    @property
    def authorizing_employee(self) -> dict:
        """The employee who "signs in" on the consent page: the account's owner (employee 1, an admin)."""
        return self.table("Employee").records[0]

    @property
    def register_count(self) -> int:
        return len(self.table("Register").records)

    def tax_rate(self, shop_id: str) -> int:
        return words.TAX_RATES[(int(shop_id) - 1) % len(words.TAX_RATES)]

    # -- small tables -------------------------------------------------------------------------------------------
    def _build_shop(self) -> list:
        opened = self.start - 3 * YEAR
        names = words.SHOP_NAMES
        return [{
            "shopID": str(s), "name": names[(s - 1) % len(names)] + ("" if s <= len(names) else f" {s}"),
            "serviceRate": "0", "timeZone": "America/New_York", "taxLabor": "false", "labelTitle": "Shop Name",
            "labelMsrp": "false", "archived": "false", "timeStamp": iso(opened + s * DAY), "contactID": str(s),
            "taxCategoryID": str(s), "receiptSetupID": "1", "ccGatewayID": "0", "priceLevelID": "1",
        } for s in range(1, self.options.shops + 1)]

    def _build_register(self) -> list:
        opened = self.start - 3 * YEAR
        return [{
            "registerID": str(r), "name": f"Register {r}", "openReceiptNotes": "", "archived": "false",
            "shopID": str((r - 1) % self.options.shops + 1), "timeStamp": iso(opened + r * DAY),
        } for r in range(1, self.options.registers + 1)]

    def _build_employee(self) -> list:
        rng = self.rng("employees")
        count = self.options.employees
        hired = sorted(rng.randrange(self.start - 3 * YEAR, self.end - 30 * DAY) for _ in range(count))
        records = []
        for e in range(1, count + 1):
            role = "1" if e == 1 else ("2" if e <= 3 else "3")  # admin, managers, sales staff
            records.append({
                "employeeID": str(e), "firstName": rng.choice(words.FIRST_NAMES),
                "lastName": rng.choice(words.LAST_NAMES), "lockOut": "false",
                "archived": "true" if count >= 4 and e == count else "false",  # one former employee
                "contactID": str(1000 + e), "clockInEmployeeHoursID": "0", "employeeRoleID": role,
                "limitToShopID": "0", "lastShopID": "1", "lastSaleID": "0", "lastRegisterID": "1",
                "timeStamp": iso(hired[e - 1] + rng.randrange(0, 30 * DAY)),
            })
        return records

    def _category_nodes(self) -> list[tuple[str, str]]:
        tree = list(words.CATEGORY_TREE[: self.options.categories])
        tree += [("", f"Collection {k}") for k in range(len(tree) + 1, self.options.categories + 1)]
        return tree

    def _build_category(self) -> list:
        nodes = self._category_nodes()
        paths = [f"{parent}/{name}" if parent else name for parent, name in nodes]
        ids = {path: str(i) for i, path in enumerate(paths, start=1)}
        children: dict[str, list[str]] = {}
        for (parent, _), path in zip(nodes, paths):
            children.setdefault(parent, []).append(path)
        bounds: dict[str, tuple[int, int]] = {}
        counter = 0

        def number(path: str) -> None:  # nested-set numbering, depth first
            nonlocal counter
            counter += 1
            left = counter
            for child in children.get(path, ()):
                number(child)
            counter += 1
            bounds[path] = (left, counter)

        for root in children.get("", ()):
            number(root)
        created = self.start - 2 * YEAR
        return [{
            "categoryID": ids[path], "name": name, "nodeDepth": str(path.count("/")), "fullPathName": path,
            "leftNode": str(bounds[path][0]), "rightNode": str(bounds[path][1]),
            "parentID": ids.get(parent, "0"), "createTime": iso(created + i * 3600),
            "timeStamp": iso(created + i * 3600 + (DAY if i % 3 == 0 else 0)),
        } for i, ((parent, name), path) in enumerate(zip(nodes, paths), start=1)]

    # -- items and customers ------------------------------------------------------------------------------------
    def _build_item(self) -> list:
        rng = self.rng("items")
        categories = self.table("Category").records
        parents = {c["parentID"] for c in categories}
        choices = [c for c in categories if c["categoryID"] not in parents] or [None]
        records, created = [], self.start - 2 * YEAR
        batch_left = 0
        for i in range(1, self.options.items + 1):
            if batch_left == 0:  # a new import batch: one createTime for all its items
                batch_left = rng.randrange(20, 61)
                horizon = self.start if rng.random() < 0.85 else self.end - 7 * DAY
                created = min(max(created + rng.randrange(3600, 10 * DAY), created), max(horizon, created + 60))
            batch_left -= 1
            category = rng.choice(choices)
            records.append(records_mod.item_record(rng, i, created, self.end, category))
        return records

    def item_shops(self, item: dict) -> list:
        """The ItemShops relation (stock per shop), made on demand from the item's ID."""
        rng = self.rng(f"itemshops:{item['itemID']}")
        shops = self.options.shops
        return [{
            "itemShopID": str((int(item["itemID"]) - 1) * shops + s), "qoh": str(rng.randrange(0, 40)),
            "sellable": "true", "backorder": "0", "componentQoh": "0", "componentBackorder": "0",
            "reorderPoint": str(rng.choice((0, 2, 5))), "reorderLevel": str(rng.choice((0, 10, 20))),
            "itemID": item["itemID"], "shopID": str(s), "timeStamp": item["timeStamp"],
        } for s in range(1, shops + 1)]

    def _build_customer(self) -> list:
        rng = self.rng("customers")
        count = self.options.customers
        created = sorted(rng.randrange(self.end - 3 * YEAR, self.end - DAY) for _ in range(count))
        records, self._contacts = [], {}
        for c in range(1, count + 1):
            record, self._contacts[str(c)] = records_mod.customer_record(rng, c, created[c - 1], self.end)
            records.append(record)
        return records

    def contact(self, customer: dict) -> dict:
        self.table("Customer")
        return self._contacts[customer["customerID"]]

    # -- sales and their lines ----------------------------------------------------------------------------------
    def _build_sales(self) -> None:
        """Sales are made with their lines' numbers; the line records themselves are built when first asked for
        (the SaleLine table or ``load_relations``), which keeps a Sale-only sandbox fast."""
        rng = self.rng("sales")
        rand, randrange = rng.random, rng.randrange
        items = self.table("Item").records
        customers = self.table("Customer").records
        employees = [e["employeeID"] for e in self.table("Employee").records]
        registers = [(r["registerID"], r["shopID"]) for r in self.table("Register").records]
        item_created = [int(datetime.fromisoformat(i["createTime"]).timestamp()) for i in items]
        customer_created = [int(datetime.fromisoformat(c["createTime"]).timestamp()) for c in customers]
        prices = [int(i["Prices"]["ItemPrice"][0]["amount"].replace(".", "")) for i in items]
        costs = [int(i["avgCost"].replace(".", "")) for i in items]
        day0 = self.start - self.start % DAY
        days = [d for d in range(365) for _ in range(3 if (day0 // DAY + d + 4) % 7 in (5, 6) else 2)]
        times = sorted(day0 + days[int(rand() * len(days))] * DAY + 13 * 3600 + randrange(12 * 3600)
                       for _ in range(self.options.sales))
        sales, self._line_specs = [], []
        for s, sold in enumerate(times, start=1):
            register_id, shop_id = registers[int(rand() * len(registers))]
            rate = self.tax_rate(shop_id)
            employee_id = employees[int(rand() * len(employees))]
            known = bisect.bisect_right(customer_created, sold)
            customer_id = "0" if not known or rand() < 0.3 else customers[int(rand() * known)]["customerID"]
            completed, voided = rand() >= 0.02, rand() < 0.01
            touched = sold + randrange(0, 6)
            if rand() < 0.05:  # the nightly job: every sale it touches gets the same second
                touched = sold - sold % DAY + DAY + 6 * 3600
            elif rand() < 0.03:
                touched = min(self.end, sold + randrange(DAY, 60 * DAY))
            created, stamp = iso(sold - randrange(30, 600)), iso(touched)
            stocked = max(1, bisect.bisect_right(item_created, sold))
            subtotal = tax = cost = 0
            specs = []
            for _ in range(LINE_COUNTS[int(rand() * 100)]):
                k = int(rand() * stocked)
                quantity = QUANTITIES[int(rand() * 100)]
                line_sub, line_tax = line_amounts(prices[k], quantity, rate)
                subtotal, tax, cost = subtotal + line_sub, tax + line_tax, cost + costs[k] * quantity
                specs.append((k, quantity, line_sub, line_tax))
            self._line_specs.append(specs)
            sales.append(records_mod.sale_record(
                s, created=created, stamp=stamp, sold=sold, rate=rate, completed=completed, voided=voided,
                subtotal=subtotal, tax=tax, cost=cost, customer_id=customer_id, employee_id=employee_id,
                register_id=register_id, shop_id=shop_id))
        self._tables["Sale"] = Table("Sale", "saleID", sales)

    def _build_saleline(self) -> list:
        sales = self.table("Sale").records
        items = self.table("Item").records
        lines = []
        self._lines_by_sale = {}
        for sale, specs in zip(sales, self._line_specs):
            mine = []
            for k, quantity, line_sub, line_tax in specs:
                line_id = len(lines) + len(mine) + 1
                mine.append(records_mod.line_record(line_id, sale, items[k], quantity, line_sub, line_tax))
            lines.extend(mine)
            self._lines_by_sale[sale["saleID"]] = mine
        return lines

    def sale_lines(self, sale: dict) -> list:
        self.table("SaleLine")
        return self._lines_by_sale[sale["saleID"]]

    # -- what a fork's changes (changes.py) set beside the tables ---------------------------------------------------
    def set_sale_lines(self, sale_id: str, lines: list | None) -> None:
        self.table("SaleLine")
        if lines is None:
            self._lines_by_sale.pop(sale_id, None)
        else:
            self._lines_by_sale[sale_id] = lines

    def set_contact(self, customer_id: str, contact: dict | None) -> None:
        self.table("Customer")
        if contact is None:
            self._contacts.pop(customer_id, None)
        else:
            self._contacts[customer_id] = contact
