"""A deterministic, realistic retail dataset: what one Lightspeed account holds.

Equal ``DataOptions`` (seed and sizes) give byte-identical data, built lazily per table and cached per process, so
many sandboxes in one test run share the work. Records look like Lightspeed's (section 3.3 of lightspeed-api.md):
every scalar is a string (booleans "true"/"false", money with two decimals), timestamps are ISO 8601 UTC with an
explicit ``+00:00`` offset, and IDs grow with creation time.

What makes it realistic enough to test against: items are imported in batches that share ``createTime`` and often
``timeStamp`` (ties for cursor pagination), sales spread over the year before ``end_date`` in opening hours, busier at
weekends, a nightly job touches a few sales at the same second (more ties), each sale has 1-5 lines that sell real
items created before the sale, at that item's price, with tax at the shop's rate, and the sale's totals are the sums
of its lines. Some customers are walk-ins (``customerID`` "0"), a few records are archived, a few sales voided or
left open.
"""

from __future__ import annotations

import bisect
import functools
import random
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from . import words
from .config import DataOptions

DAY = 86400
YEAR = 365 * DAY
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
            leaf = category["name"] if category else ""
            top = category["fullPathName"].split("/")[0] if category else ""
            nouns = words.ITEM_NOUNS.get(leaf) or words.ITEM_NOUNS.get(top) or ("Gift Card",)
            low, high = words.PRICE_BANDS.get(top, (499, 9999))
            price = rng.randrange(low // 100 + 1, high // 100 + 2) * 100 - 1  # ends in .99
            cost = int(price * rng.uniform(0.38, 0.62))
            touched = created if rng.random() < 0.65 else rng.randrange(created, max(created + 1, self.end))
            records.append({
                "itemID": str(i), "systemSku": str(210000000000 + i), "defaultCost": money(cost),
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
            })
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
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            made = created[c - 1]
            touched = made if rng.random() < 0.5 else rng.randrange(made, self.end)
            records.append({
                "customerID": str(c), "firstName": first, "lastName": last, "title": "",
                "company": f"{last} & Co." if rng.random() < 0.1 else "", "companyRegistrationNumber": "",
                "vatNumber": "", "creditAccountID": "0", "customerTypeID": "2" if rng.random() < 0.15 else "1",
                "discountID": "0", "taxCategoryID": "0", "measurementID": "0", "contactID": str(5000 + c),
                "createTime": iso(made), "timeStamp": iso(touched),
                "archived": "true" if rng.random() < 0.03 else "false",
            })
            city, state, zipcode = rng.choice(words.CITIES)
            email = f"{first}.{last}{c}@{rng.choice(words.EMAIL_DOMAINS)}".lower().replace("'", "")
            self._contacts[str(c)] = {
                "contactID": str(5000 + c), "custom": "", "noEmail": "false", "noPhone": "false", "noMail": "false",
                "Emails": {"ContactEmail": {"address": email, "useType": "Primary"}},
                "Phones": {"ContactPhone": {"number": f"555-01{rng.randrange(100):02d}", "useType": "Mobile"}},
                "Addresses": {"ContactAddress": {
                    "address1": f"{rng.randrange(1, 9999)} {rng.choice(words.STREETS)}", "address2": "",
                    "city": city, "state": state, "zip": zipcode, "country": "United States",
                    "countryCode": "US", "stateCode": state}},
                "Websites": "", "timeStamp": iso(touched),
            }
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
            sale_id = str(s)
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
            for _ in range(_LINE_COUNTS[int(rand() * 100)]):
                k = int(rand() * stocked)
                quantity = _QUANTITIES[int(rand() * 100)]
                line_sub = prices[k] * quantity
                line_tax = (line_sub * rate + 50000) // 100000
                subtotal, tax, cost = subtotal + line_sub, tax + line_tax, cost + costs[k] * quantity
                specs.append((k, quantity, line_sub, line_tax))
            self._line_specs.append(specs)
            total = subtotal + tax
            total_text, rate_text = money(total), f"0.{rate:05d}"
            sale = {
                "saleID": sale_id, "timeStamp": stamp, "discountPercent": "0",
                "completed": "true" if completed else "false", "voided": "true" if voided else "false",
                "enablePromotions": "true", "isTaxInclusive": "false", "createTime": created, "updateTime": stamp,
                "referenceNumber": "", "referenceNumberSource": "", "tax1Rate": rate_text, "tax2Rate": "0",
                "change": "0", "receiptPreference": "printed", "displayableSubtotal": money(subtotal),
                "ticketNumber": str(220000000000 + s), "calcDiscount": "0", "calcTotal": total_text,
                "calcSubtotal": money(subtotal), "calcTaxable": money(subtotal), "calcNonTaxable": "0",
                "calcAvgCost": money(cost), "calcFIFOCost": money(cost), "calcTax1": money(tax), "calcTax2": "0",
                "calcPayments": total_text if completed else "0", "total": total_text,
                "totalDue": total_text, "displayableTotal": total_text,
                "balance": "0" if completed else total_text, "customerID": customer_id, "discountID": "0",
                "employeeID": employee_id, "quoteID": "0", "registerID": register_id,
                "shipToID": "0", "shopID": shop_id, "taxCategoryID": shop_id,
            }
            if completed:
                sale["completeTime"] = iso(sold)
            sales.append(sale)
        self._tables["Sale"] = Table("Sale", "saleID", sales)

    def _build_saleline(self) -> list:
        sales = self.table("Sale").records
        items = self.table("Item").records
        lines = []
        self._lines_by_sale = {}
        for sale, specs in zip(sales, self._line_specs):
            mine = []
            for k, quantity, line_sub, line_tax in specs:
                item = items[k]
                unit = item["Prices"]["ItemPrice"][0]["amount"]
                line = _LINE_TEMPLATE.copy()
                line.update({
                    "saleLineID": str(len(lines) + len(mine) + 1), "createTime": sale["createTime"],
                    "timeStamp": sale["timeStamp"], "unitQuantity": str(quantity), "unitPrice": unit,
                    "normalUnitPrice": unit, "avgCost": item["avgCost"], "fifoCost": item["avgCost"],
                    "tax1Rate": sale["tax1Rate"], "displayableSubtotal": money(line_sub),
                    "displayableUnitPrice": unit, "calcTotal": money(line_sub + line_tax),
                    "calcSubtotal": money(line_sub), "calcTax1": money(line_tax),
                    "customerID": sale["customerID"], "employeeID": sale["employeeID"], "itemID": item["itemID"],
                    "shopID": sale["shopID"], "saleID": sale["saleID"],
                })
                mine.append(line)
            lines.extend(mine)
            self._lines_by_sale[sale["saleID"]] = mine
        return lines

    def sale_lines(self, sale: dict) -> list:
        self.table("SaleLine")
        return self._lines_by_sale[sale["saleID"]]


# 1-5 lines per sale (40/25/18/10/7 %) and 1-3 units per line (80/15/5 %), as lookup tables for one random() each.
_LINE_COUNTS = (1,) * 40 + (2,) * 25 + (3,) * 18 + (4,) * 10 + (5,) * 7
_QUANTITIES = (1,) * 80 + (2,) * 15 + (3,) * 5

# A sale line's fields in Lightspeed's order; the constant ones keep these values.
_LINE_TEMPLATE = dict.fromkeys((
    "saleLineID", "createTime", "timeStamp", "unitQuantity", "unitPrice", "normalUnitPrice", "discountAmount",
    "discountPercent", "avgCost", "fifoCost", "tax", "tax1Rate", "tax2Rate", "isLayaway", "isWorkorder",
    "isSpecialOrder", "displayableSubtotal", "displayableUnitPrice", "calcLineDiscount", "calcTransactionDiscount",
    "calcTotal", "calcSubtotal", "calcTax1", "calcTax2", "taxClassID", "customerID", "discountID", "employeeID",
    "itemID", "noteID", "parentSaleLineID", "shopID", "saleID",
), "0")
_LINE_TEMPLATE.update({"tax": "true", "isLayaway": "false", "isWorkorder": "false", "isSpecialOrder": "false",
                       "taxClassID": "1"})
