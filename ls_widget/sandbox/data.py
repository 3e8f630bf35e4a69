"""A deterministic, realistic retail dataset: what one Lightspeed account holds, one table per catalogued resource.

Equal ``DataOptions`` (seed and sizes) give byte-identical data, built lazily per table and cached per process, so
many sandboxes in one test run share the work. Records look like Lightspeed's (docs/lightspeed-api.md section 3.3;
formats in records.py): every scalar a string, decimals without trailing zeros, timestamps ISO 8601 UTC with an
explicit ``+00:00`` offset, and IDs that grow with creation time.

What makes it realistic enough to test against: shops in different time zones with their own tax rates; items
imported in batches that share ``createTime`` and often ``timeStamp`` (ties for cursor pagination), some grouped in
an ItemMatrix, priced at every price level; stock per shop with the summary row (stock.py); sales over the year
before ``end_date`` in each shop's local opening hours, with discounts, refunds, tips, open and voided sales, and
payments that add up (sales.py); a nightly job touches a few sales at the same second (more ties); purchase orders
and stock counts. No timeStamp is later than 06:00 the morning after ``end_date`` (the nightly job), and the default
``end_date`` is in the past, so a sandbox's "now" comes after all of them and a day of changes (changes.py) is the
newest thing a sync by timeStamp sees.

What one record looks like is records.py's business (changes.py makes new records with the same builders); this
module decides how many, when, and how they relate.
"""

from __future__ import annotations

import copy
import functools
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timezone

from ..catalogue import CATALOGUE
from . import records as records_mod
from . import stock, words
from .config import DataOptions
from .records import DAY, PRICE_LEVELS, SCALE, contact_record, decimal, iso, line_record, payment_record, rate_text
from .sales import SalesBuilder, payment_time

YEAR = 365 * DAY
# Tables a day of changes edits (changes.py): built before an account is forked, so the fork owns their lists.
CHANGED_TABLES = ("Item", "ItemShop", "Customer", "Sale", "SaleLine", "SalePayment")
# Tables read by parent (a relation): the field that names the parent.
PARENT_KEYS = {"SaleLine": "saleID", "SalePayment": "saleID", "ItemShop": "itemID", "Item": "itemMatrixID",
               "OrderLine": "orderID"}


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


def _group(records: list, key: str) -> dict:
    grouped: dict = {}
    for record in records:
        grouped.setdefault(record[key], []).append(record)
    return grouped


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
        self._contacts: dict = {}  # (resource, ID) -> Contact
        self._children: dict = {}  # (table, parent key value) -> [records]: SaleLines, SalePayments, ItemShops, ...

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"{self.options.seed}:{self.index}:{purpose}")

    @property
    def account(self) -> dict:
        return {"accountID": self.account_id, "name": self.name}

    def table(self, name: str) -> Table:
        # Cached data is shared by every sandbox of the process, each serving from its own thread.
        with self._lock:
            if name not in self._tables:
                records = getattr(self, f"_build_{name.lower()}")()
                self._tables[name] = Table(name, CATALOGUE[name].key, records)
            return self._tables[name]

    def fork(self) -> "AccountData":
        """A private copy of this account for one sandbox to change (changes.py), leaving the cached one that every
        sandbox of the process shares untouched. The tables that change are built first, then copied as lists of
        the same record dicts: a change swaps a record for a new dict and never edits one in place, so sharing the
        unchanged ones is safe and forking stays cheap. Tables not built yet are built by the copy when first read
        (the same data: every table has its own random stream)."""
        with self._lock:
            for name in CHANGED_TABLES:
                self.table(name)
            twin = copy.copy(self)
            twin._lock = threading.RLock()
            twin._tables = {name: Table(name, t.id_field, list(t.records)) for name, t in self._tables.items()}
            twin._contacts, twin._children = dict(self._contacts), dict(self._children)
        return twin

    @property
    def authorizing_employee(self) -> dict:
        """The employee who "signs in" on the consent page: the account's owner (employee 1, an admin)."""
        return self.table("Employee").records[0]

    @property
    def register_count(self) -> int:
        return len(self.table("Register").records)

    def tax_rate(self, shop_id: str) -> int:
        """The shop's sales tax rate in 1/100000 (its TaxCategory's ``tax1Rate``)."""
        return words.TAX_RATES[(int(shop_id) - 1) % len(words.TAX_RATES)]

    def shop_zone(self, shop_id: str) -> str:
        return words.SHOP_TIME_ZONES[(int(shop_id) - 1) % len(words.SHOP_TIME_ZONES)]

    # -- relations: what resources.py's loaders read --------------------------------------------------------------
    def children(self, table: str, value: str) -> list:
        """The records of ``table`` under the parent ``value`` (a sale's lines, an item's ItemShops, ...)."""
        with self._lock:
            if (table, None) not in self._children:
                for parent, records in _group(self.table(table).records, PARENT_KEYS[table]).items():
                    self._children.setdefault((table, parent), records)
                self._children[(table, None)] = []
        return self._children.get((table, value), [])

    def set_children(self, table: str, value: str, records: list | None) -> None:
        """What a fork's changes (changes.py) set: the records of ``table`` under one parent, or none."""
        self.children(table, "")  # the index exists before it is changed
        if records is None:
            self._children.pop((table, value), None)
        else:
            self._children[(table, value)] = records

    def reindex(self, table: str) -> None:
        """Forget which records of ``table`` sit under which parent: rebuilt from the table when next asked (after
        a day of changes replaced records of a table that is read by parent, e.g. the Items of an ItemMatrix)."""
        with self._lock:
            for key in [k for k in self._children if k[0] == table]:
                del self._children[key]

    def contact(self, resource: str, record: dict) -> dict | None:
        self.table(resource)
        return self._contacts.get((resource, record[CATALOGUE[resource].key]))

    def set_contact(self, resource: str, record_id: str, contact: dict | None) -> None:
        self.table(resource)
        if contact is None:
            self._contacts.pop((resource, record_id), None)
        else:
            self._contacts[(resource, record_id)] = contact

    # -- the account and its shops --------------------------------------------------------------------------------
    def _build_account(self) -> list:
        return [self.account]

    def _build_shop(self) -> list:
        opened = self.start - 3 * YEAR
        names = words.SHOP_NAMES
        shops = []
        for s in range(1, self.options.shops + 1):
            city, state, zipcode = words.CITIES[(s - 1) % len(words.CITIES)]
            stamp = iso(opened + s * DAY)
            shops.append({
                "shopID": str(s), "name": names[(s - 1) % len(names)] + ("" if s <= len(names) else f" {s}"),
                "serviceRate": "0", "timeZone": self.shop_zone(str(s)), "taxLabor": "false",
                "labelTitle": "Shop Name", "labelMsrp": "false", "archived": "false", "timeStamp": stamp,
                "companyRegistrationNumber": "", "vatNumber": "", "zebraBrowserPrint": "false",
                "contactID": str(s), "taxCategoryID": str(s), "receiptSetupID": "1", "ccGatewayID": "0",
                "gatewayConfigID": "0", "priceLevelID": "1",
            })
            self._contacts[("Shop", str(s))] = contact_record(
                str(s), stamp, f"shop{s}@example.com", f"555-02{s % 100:02d}", "Work",
                (f"{100 + s} {words.STREETS[s % len(words.STREETS)]}", city, state, zipcode))
        return shops

    def _build_register(self) -> list:
        """Registers have no timeStamp (Lightspeed's documented Register has none); odd ones take tips."""
        opened = self.start - 3 * YEAR
        return [{
            "registerID": str(r), "name": f"Register {r}", "open": "false", "openTime": iso(opened + r * DAY),
            "archived": "false", "tipEnabled": "true" if r % 2 else "false", "openEmployeeID": "0",
            "shopID": str((r - 1) % self.options.shops + 1), "ccTerminalID": "0",
        } for r in range(1, self.options.registers + 1)]

    def shop_registers(self, shop: dict) -> list:
        return [r for r in self.table("Register").records if r["shopID"] == shop["shopID"]]

    def _build_taxcategory(self) -> list:
        """One tax category per shop, at that shop's rate."""
        stamp = iso(self.start - 3 * YEAR)
        return [{
            "taxCategoryID": shop["shopID"], "isTaxInclusive": "false", "tax1Name": f"Sales Tax {shop['name']}",
            "tax2Name": "", "tax1Rate": rate_text(self.tax_rate(shop["shopID"])), "tax2Rate": "0", "timeStamp": stamp,
        } for shop in self.table("Shop").records]

    def _build_taxclass(self) -> list:
        stamp = iso(self.start - 3 * YEAR)
        return [{"taxClassID": class_id, "name": name, "timeStamp": stamp} for class_id, name in words.TAX_CLASSES]

    def _build_pricelevel(self) -> list:
        return [{"priceLevelID": level_id, "name": name, "archived": "false", "canBeArchived": can,
                 "type": "fixed", "Calculation": ""} for level_id, name, can in PRICE_LEVELS]

    def _build_paymenttype(self) -> list:
        return [{"paymentTypeID": type_id, "name": name, "requireCustomer": customer, "archived": "false",
                 "internalReserved": reserved, "type": kind, "refundAsPaymentTypeID": "0"}
                for type_id, name, kind, reserved, customer in words.PAYMENT_TYPES]

    def _build_discount(self) -> list:
        stamp = iso(self.start - 2 * YEAR)
        return [{"discountID": discount_id, "name": name, "discountAmount": decimal(amount * SCALE),
                 "discountPercent": rate_text(percent), "requireCustomer": "false", "archived": "false",
                 "timeStamp": stamp} for discount_id, name, percent, amount in words.DISCOUNTS]

    def _build_customertype(self) -> list:
        return [{"customerTypeID": type_id, "name": name, "taxCategoryID": "0", "discountID": discount_id}
                for type_id, name, discount_id in words.CUSTOMER_TYPES]

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

    # -- catalogue: categories, brands, vendors, items ------------------------------------------------------------
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

    def _build_manufacturer(self) -> list:
        """Brands carry no archived flag (Lightspeed's documented Manufacturer has none)."""
        created = self.start - 2 * YEAR
        return [{"manufacturerID": str(m), "name": name, "createTime": iso(created + m * DAY),
                 "timeStamp": iso(created + m * DAY + (30 * DAY if m % 2 else 0))}
                for m, name in enumerate(words.MANUFACTURERS, start=1)]

    def _build_vendor(self) -> list:
        created = self.start - 2 * YEAR
        vendors = []
        for v, name in enumerate(words.VENDORS, start=1):
            stamp = iso(created + v * DAY)
            vendors.append({
                "vendorID": str(v), "name": name, "archived": "false", "accountNumber": f"ACCT-{4000 + v}",
                "priceLevel": "", "updatePrice": "false", "updateCost": "false", "updateDescription": "false",
                "shareSellThrough": "false", "timeStamp": stamp, "b2bSellerUID": "",
            })
            city, state, zipcode = words.CITIES[(v + 2) % len(words.CITIES)]
            self._contacts[("Vendor", str(v))] = contact_record(
                "", stamp, f"orders@vendor{v}.example.com", f"555-03{v:02d}", "Work",
                (f"{v * 100} {words.STREETS[v % len(words.STREETS)]}", city, state, zipcode))
        return vendors

    def _build_item(self) -> list:
        """Items in import batches; about one in ten starts an ItemMatrix of 2-4 colour variants made together."""
        rng = self.rng("items")
        categories = self.table("Category").records
        parents = {c["parentID"] for c in categories}
        choices = [c for c in categories if c["categoryID"] not in parents] or [None]
        records, created = [], self.start - 2 * YEAR
        batch_left = variants_left = matrices = 0
        like = category = None
        colors: list = []
        for i in range(1, self.options.items + 1):
            if batch_left == 0:  # a new import batch: one createTime for all its items
                batch_left = rng.randrange(20, 61)
                horizon = self.start if rng.random() < 0.85 else self.end - 7 * DAY
                created = min(max(created + rng.randrange(3600, 10 * DAY), created), max(horizon, created + 60))
            batch_left -= 1
            if variants_left:
                variants_left -= 1
                record = records_mod.item_record(rng, i, created, self.end, category, like=like, color=colors.pop())
                record["archived"] = like["archived"]
            else:
                category = rng.choice(choices)
                record = records_mod.item_record(rng, i, created, self.end, category)
                if rng.random() < 0.1 and i < self.options.items:
                    matrices += 1
                    variants_left = min(rng.randrange(1, 4), self.options.items - i)
                    colors = rng.sample([c for c in words.COLORS if not record["description"].endswith(c)],
                                        variants_left)
                    record["itemMatrixID"] = str(matrices)
                    like = record
            records.append(record)
        return records

    def _build_itemmatrix(self) -> list:
        """One matrix per group of variants, described by its first item."""
        matrices = []
        for matrix_id, items in _group(self.table("Item").records, "itemMatrixID").items():
            if matrix_id == "0":
                continue
            first = items[0]
            matrices.append({
                "itemMatrixID": matrix_id, "description": first["description"].rpartition(" - ")[0],
                "tax": "true", "defaultCost": first["defaultCost"], "itemType": "default", "serialized": "false",
                "modelYear": "0", "archived": first["archived"], "timeStamp": first["createTime"],
                "itemAttributeSetID": "1", "manufacturerID": first["manufacturerID"],
                "categoryID": first["categoryID"], "defaultVendorID": first["defaultVendorID"],
                "taxClassID": first["taxClassID"], "seasonID": "0", "departmentID": "0", "itemECommerceID": "0",
                "Prices": copy.deepcopy(first["Prices"]),
                "attribute1Values": _one_or_many([item["description"].rpartition(" - ")[2] for item in items]),
            })
        return sorted(matrices, key=lambda m: int(m["itemMatrixID"]))

    def matrix_items(self, matrix: dict) -> list:
        return self.children("Item", matrix["itemMatrixID"])

    def _build_itemshop(self) -> list:
        rows = []
        shop_ids = [s["shopID"] for s in self.table("Shop").records]
        for item in self.table("Item").records:
            rng = self.rng(f"itemshops:{item['itemID']}")
            rows.extend(stock.item_shop_rows(rng, item, shop_ids, len(rows) + 1, self.end))
        return rows

    def item_shops(self, item: dict) -> list:
        """The ItemShops relation: the same rows as the ItemShop table, the summary row (shopID 0) first."""
        return self.children("ItemShop", item["itemID"])

    def _build_customer(self) -> list:
        rng = self.rng("customers")
        count = self.options.customers
        created = sorted(rng.randrange(self.end - 3 * YEAR, self.end - DAY) for _ in range(count))
        records = []
        for c in range(1, count + 1):
            record, self._contacts[("Customer", str(c))] = records_mod.customer_record(rng, c, created[c - 1],
                                                                                     self.end)
            records.append(record)
        return records

    # -- purchasing and counts ----------------------------------------------------------------------------------
    def _build_order(self) -> list:
        orders, self._order_lines = stock.purchase_orders(self.rng("orders"), self)
        return orders

    def _build_orderline(self) -> list:
        self.table("Order")
        return self._order_lines

    def order_lines(self, order: dict) -> list:
        return self.children("OrderLine", order["orderID"])

    def _build_inventorycount(self) -> list:
        return stock.inventory_counts(self.rng("counts"), self)

    def _build_inventorycountitem(self) -> list:
        return stock.counted_items(self.rng("counted"), self)

    # -- sales, their lines and payments ------------------------------------------------------------------------
    def _build_sale(self) -> list:
        """Sales are made with their lines' and payments' numbers; those records are built when first asked for
        (their tables or ``load_relations``), which keeps a Sale-only sandbox fast."""
        builder = SalesBuilder(self)
        sales = builder.build()
        self._line_specs, self._payment_specs = builder.lines, builder.payments
        return sales

    def _build_saleline(self) -> list:
        sales = self.table("Sale").records
        items = self.table("Item").records
        return [line_record(sale, items[spec.item], spec)
                for sale, specs in zip(sales, self._line_specs) for spec in specs]

    def _build_salepayment(self) -> list:
        sales = self.table("Sale").records
        return [payment_record(sale, spec, payment_time(sale))
                for sale, specs in zip(sales, self._payment_specs) for spec in specs]

    def sale_lines(self, sale: dict) -> list:
        return self.children("SaleLine", sale["saleID"])

    def sale_payments(self, sale: dict) -> list:
        return self.children("SalePayment", sale["saleID"])


def _one_or_many(values: list):
    """One value as itself, several as a list: how Lightspeed writes a matrix's attribute values (recorded:
    ``"attribute1Values": "White/Grey"`` beside ``"attribute2Values": ["Large", "Medium", "Small"]``)."""
    return values[0] if len(values) == 1 else values
