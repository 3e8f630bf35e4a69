"""What Lightspeed allows, resource by resource, as data: the one catalogue every part of ls_widget reads.

Each ``Resource`` says what an analyst needs to read it correctly: its primary key, whether its records carry a
``timeStamp``, the fields V3's ``sort`` accepts, the relations ``load_relations`` takes (to-one or to-many), the
scopes that read it, what differs on v2, and the documentation page it comes from. The session refuses a resource,
sort or relation Lightspeed does not allow before sending anything (``check_request``); the sync picks its strategy
from it (``Resource.strategy``); the sandbox serves exactly these resources with these rules; and
docs/lightspeed-api.md section 9 is generated from it (``markdown_table``; a test keeps the two equal).

Facts and their sources are in docs/lightspeed-api.md section 9: where no source settles a point, the entry is
marked ``confirmed=False`` and takes the cautious side (a sort not known to be allowed is not used by the sync).
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .errors import ConfigurationError

DOCS = "https://developers.lightspeedhq.com/retail/endpoints/"
ALL_SCOPE = "employee:all"

INCREMENTAL = "incremental"  # by timeStamp, merged by key
FULL = "full"  # read whole, replace the table (rows Lightspeed no longer has are deleted)
CHILD = "child"  # arrives inside its parent's records (load_relations); kept as a table of its own


@dataclass(frozen=True)
class Relation:
    """A relation ``load_relations`` accepts: ``many`` ones come wrapped (``{"SaleLine": [...]}``)."""

    name: str  # "SaleLines", as load_relations spells it
    many: bool
    target: str = ""  # the catalogued resource it holds, when there is one ("SaleLine")

    @property
    def kind(self) -> str:
        return "to-many" if self.many else "to-one"


@dataclass(frozen=True)
class Child:
    """Records synced inside their parent's answer, kept as a table of their own (a Sale's SaleLines)."""

    table: str  # "SaleLine"
    key: str  # "saleLineID"
    parent_key: str  # "saleID": every child row carries it; a re-synced parent replaces all its children
    path: tuple[str, ...]  # where they sit in the parent record: ("SaleLines", "SaleLine")


@dataclass(frozen=True)
class Resource:
    name: str
    key: str
    summary: str
    scopes: tuple[str, ...]  # any one of them reads it (employee:all always does)
    sortable: tuple[str, ...]
    timestamp: bool = True  # records carry timeStamp
    archivable: bool = True  # has an archived flag (archived=true|only)
    relations: tuple[Relation, ...] = ()
    children: tuple[Child, ...] = ()  # tables the sync fills from this resource's relations
    loads: tuple[str, ...] = ()  # relations the sync loads and keeps as JSON columns (a Customer's Contact: e-mail, phone)
    child_of: str = ""  # synced with this parent (its load_relations), not on its own
    syncable: bool = True  # False: not a list under the account (Account itself): nothing to keep as a table
    v2: str = "offset/limit pages; orderby on any field (+4 drips off the sortable ones)"
    doc: str = ""  # the documentation page
    confirmed: bool = True  # False: no source settles the sortable fields; the sync takes the cautious side
    notes: str = ""

    @property
    def strategy(self) -> str:
        """How the sync reads it: ``incremental`` by timeStamp where Lightspeed sorts by it, else ``full``."""
        if self.child_of:
            return CHILD
        if not self.syncable:
            return "-"
        return INCREMENTAL if self.timestamp and "timeStamp" in self.sortable else FULL

    @property
    def relation_names(self) -> tuple[str, ...]:
        return tuple(relation.name for relation in self.relations)

    @property
    def read_scopes(self) -> frozenset:
        return frozenset((ALL_SCOPE, *self.scopes))

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.name, *(child.table for child in self.children))

    def relation(self, name: str) -> Relation | None:
        return next((relation for relation in self.relations if relation.name == name), None)

    def readable_with(self, scopes: Iterable[str]) -> bool:
        """Whether a sign-in with ``scopes`` may read it (Account: any sign-in)."""
        return not self.scopes or bool(self.read_scopes & set(scopes))

    def as_row(self) -> dict:
        return {
            "resource": self.name, "key": self.key, "timeStamp": self.timestamp,
            "sortable": ", ".join(self.sortable), "sync": self.strategy + (f" ({self.child_of})" if self.child_of else ""),
            "relations": ", ".join(f"{r.name}{'*' if r.many else ''}" for r in self.relations),
            "scopes": ", ".join(self.scopes) or "any", "v2": self.v2, "doc": self.doc,
        }


def _scopes(*names: str) -> tuple[str, ...]:
    """``("register", "employee:admin")`` -> ``("employee:register", "employee:admin")``, without repeats."""
    return tuple(dict.fromkeys(name if name.startswith("employee:") else f"employee:{name}" for name in names))


def _one(name: str, target: str = "") -> Relation:
    return Relation(name, False, target)


def _many(name: str, target: str = "") -> Relation:
    return Relation(name, True, target)


INVENTORY = _scopes("inventory_read", "inventory")
SALES = _scopes("register_read", "register")
CUSTOMERS = _scopes("customers_read", "customers")
PURCHASES = _scopes("admin_purchases", "admin")  # "payment types, discounts, and taxes"
# Scopes the endpoint pages list as reading the resource besides those (section 9 explains the union).
WIDE = _scopes("register", "reports", "workbench", "customers", "admin")

RESOURCES: tuple[Resource, ...] = (
    Resource(
        "Account", "accountID", "The account itself: its ID and name.", (), ("accountID",), timestamp=False,
        archivable=False, doc=DOCS + "Account/", syncable=False, v2="the same answer",
        notes="Account.json lists the accounts of the token's user; the connection already holds its ID and name."),
    Resource(
        "Shop", "shopID", "A store: name, time zone, tax category, the price level it sells at.",
        _scopes("admin_shops", "admin", *SALES, "reports", "workbench", "customers", *INVENTORY), ("shopID",),
        doc=DOCS + "Shop/",
        relations=(_one("Contact"), _one("ReceiptSetup"), _one("TaxCategory", "TaxCategory"), _many("ShelfLocations"),
                   _many("Registers", "Register"), _one("CCGateway"), _one("PriceLevel", "PriceLevel")),
        notes="Sorts only by shopID, so it cannot be read incrementally; shops are few: read whole."),
    Resource(
        "Register", "registerID", "A till in a shop.",
        _scopes("admin_shops", "admin", *SALES, "reports", "workbench", "customers"), ("registerID",),
        timestamp=False, doc=DOCS + "Register/",
        notes="Has no timeStamp at all and sorts only by registerID: read whole."),
    Resource(
        "Employee", "employeeID", "Staff who sign in to Lightspeed.", _scopes("admin_employees", "admin"),
        ("employeeID", "timeStamp"), doc=DOCS + "Employee/",
        relations=(_one("Contact"), _one("EmployeeRole"), _many("EmployeeRights"))),
    Resource(
        "Category", "categoryID", "Product categories as a tree (nested sets: leftNode/rightNode).",
        _scopes("categories", *INVENTORY), ("categoryID", "timeStamp", "leftNode", "rightNode"), archivable=False,
        doc=DOCS + "Category/", relations=(_one("Parent", "Category"),)),
    Resource(
        "Manufacturer", "manufacturerID", "Brands.",
        _scopes("manufacturers", "admin_inventory", *INVENTORY), ("manufacturerID", "timeStamp", "name"),
        archivable=False, doc=DOCS + "Manufacturer/"),
    Resource(
        "Vendor", "vendorID", "Suppliers.", _scopes("vendors", "admin_inventory", *INVENTORY),
        ("vendorID", "timeStamp", "name"), doc=DOCS + "Vendor/", relations=(_one("Contact"),)),
    Resource(
        "Item", "itemID", "Products: SKUs, cost, prices per price level (Prices.ItemPrice), category, brand, vendor.",
        _scopes(*INVENTORY, *WIDE), ("itemID", "timeStamp", "description"), doc=DOCS + "Item/",
        relations=(_one("Category", "Category"), _one("TaxClass", "TaxClass"), _one("ItemAttributes"),
                   _one("Manufacturer", "Manufacturer"), _one("Note"), _many("Images"),
                   _many("ItemShops", "ItemShop"), _many("ItemVendorNums"), _many("ItemComponents"),
                   _one("ItemECommerce"), _many("TagRelations"), _many("CustomFieldValues"), _many("ItemPrices")),
        notes="The selling prices are Prices.ItemPrice, one per price level, not a field of Item."),
    Resource(
        "ItemShop", "itemShopID", "Stock per item and shop: on hand, sellable, reservations, reorder point and "
                                  "level, costs and values. shopID 0 is the account-wide summary row: never add it "
                                  "to the shops' rows.",
        INVENTORY, ("itemShopID", "timeStamp"), archivable=False, doc=DOCS + "ItemShop/",
        notes="Listable since 2025-05-23; the summary row (shopID 0) holds the totals over the shops."),
    Resource(
        "ItemMatrix", "itemMatrixID", "Items with variants (size, colour) grouped under one matrix.", _scopes(*INVENTORY, *WIDE),
        ("itemMatrixID", "timeStamp", "description"), doc=DOCS + "ItemMatrix/",
        relations=(_one("Category", "Category"), _one("TaxClass", "TaxClass"), _one("Department"),
                   _one("ItemAttributeSet"), _one("Manufacturer", "Manufacturer"), _one("Season"), _many("Images"),
                   _many("Items", "Item"), _one("ItemECommerce"), _many("TagRelations"))),
    Resource(
        "PriceLevel", "priceLevelID", "Price levels (Default, MSRP, Online, ...): the columns of an item's prices.",
        _scopes(*INVENTORY, *WIDE), ("priceLevelID", "name"), timestamp=False, doc=DOCS + "PriceLevel/", confirmed=False,
        notes="The endpoint page lists orderLineID and name as sortable (orderLineID is a copy error); "
              "priceLevelID is assumed."),
    Resource(
        "TaxCategory", "taxCategoryID", "Tax rates a shop or customer applies.", _scopes(*PURCHASES, *WIDE),
        ("taxCategoryID", "timeStamp"), archivable=False, doc=DOCS + "TaxCategory/",
        relations=(_many("TaxCategoryClasses"),)),
    Resource(
        "TaxClass", "taxClassID", "Tax classes of items (e.g. food, general).", _scopes(*PURCHASES, *WIDE),
        ("taxClassID", "timeStamp"), archivable=False, doc=DOCS + "TaxClass/"),
    Resource(
        "Customer", "customerID", "Customers with their contact details (the Contact relation).", _scopes(*CUSTOMERS, *WIDE),
        ("customerID", "timeStamp", "firstName", "lastName"), doc=DOCS + "Customer/",
        relations=(_one("Contact"), _one("CustomerType", "CustomerType"), _one("Discount", "Discount"), _one("Note"),
                   _one("TaxCategory", "TaxCategory"), _one("CreditAccount"), _many("Tags"),
                   _many("CustomFieldValues")), loads=("Contact",)),
    Resource(
        "CustomerType", "customerTypeID", "Customer groups (e.g. wholesale), each with a discount and tax.",
        CUSTOMERS, ("customerTypeID",), timestamp=False, archivable=False, doc=DOCS + "CustomerType/",
        relations=(_one("Discount", "Discount"), _one("TaxCategory", "TaxCategory"))),
    Resource(
        "Sale", "saleID", "Sales: completed, open (quotes, layaways) and voided; refunds are sales with negative "
                          "quantities.", SALES, ("saleID", "timeStamp", "completeTime", "updatetime"),
        doc=DOCS + "Sale/",
        relations=(_many("SaleLines", "SaleLine"), _many("SaleNotes"), _many("SalePayments", "SalePayment"),
                   _one("ShipTo"), _one("Customer", "Customer"), _one("Discount", "Discount"),
                   _one("TaxCategory", "TaxCategory"), _one("Quote")),
        children=(Child("SaleLine", "saleLineID", "saleID", ("SaleLines", "SaleLine")),
                  Child("SalePayment", "salePaymentID", "saleID", ("SalePayments", "SalePayment"))),
        notes="The sync loads SaleLines and SalePayments with each page of sales (one request per 100 sales) and "
              "keeps them as tables of their own."),
    Resource(
        "SaleLine", "saleLineID", "Lines of sales: item, quantity (negative on a refund), price, discount, tax, cost.",
        SALES, ("saleLineID", "timeStamp", "saleID"), archivable=False, doc=DOCS + "SaleLine/", child_of="Sale",
        relations=(_one("Discount", "Discount"), _one("TaxClass", "TaxClass"), _one("TaxCategory", "TaxCategory"),
                   _one("Note"), _one("Item", "Item"), _many("InventorySales"))),
    Resource(
        "SalePayment", "salePaymentID", "Payments of sales: amount (negative on a refund), payment type, tip.", SALES,
        ("salePaymentID", "timeStamp", "saleID"), timestamp=False, doc=DOCS + "SalePayment/", child_of="Sale",
        relations=(_one("PaymentType", "PaymentType"), _one("CCCharge"), _many("SaleAccounts"), _many("Signatures"),
                   _many("ProcessingFees")),
        notes="Its records carry createTime but no timeStamp, though the page lists timeStamp as sortable (kept, as "
              "documented; the sync never uses it)."),
    Resource(
        "PaymentType", "paymentTypeID", "Ways to pay (cash, credit card, gift card, ...).", _scopes(*PURCHASES, *WIDE),
        ("paymentTypeID",), timestamp=False, doc=DOCS + "PaymentType/"),
    Resource(
        "Discount", "discountID", "Discounts a sale, line or customer can carry.", _scopes(*PURCHASES, *WIDE),
        ("discountID", "timeStamp"), doc=DOCS + "Discount/"),
    Resource(
        "Order", "orderID", "Purchase orders to vendors.", _scopes("purchase_orders"),
        ("orderID", "timeStamp"), doc=DOCS + "Order/",
        relations=(_many("OrderLines", "OrderLine"), _one("Note"), _one("Vendor", "Vendor"), _one("Shop", "Shop"),
                   _many("CustomFieldValues"))),
    Resource(
        "OrderLine", "orderLineID", "Lines of purchase orders: item, quantity ordered and received, cost.",
        _scopes("purchase_orders"), ("orderLineID", "timeStamp", "orderID"), archivable=False,
        doc=DOCS + "OrderLine/"),
    Resource(
        "InventoryCount", "inventoryCountID", "Stock counts (stocktakes) per shop.", _scopes("inventory_counts"),
        ("inventoryCountID",), doc=DOCS + "InventoryCount/",
        notes="Carries timeStamp but sorts only by inventoryCountID: read whole."),
    Resource(
        "InventoryCountItem", "inventoryCountItemID", "The items counted in a stock count, with the quantity found.",
        _scopes("inventory_counts"), ("inventoryCountItemID", "inventoryCountID", "itemID"), archivable=False,
        doc=DOCS + "InventoryCountItem/", notes="Sorts by its ID, count or item, not by timeStamp: read whole."),
)

# Real resources the catalogue does not describe field by field: the session lets them through unchecked (sort and
# relations are then Lightspeed's to judge), the sync reads them whole. docs/lightspeed-api.md section 3.6.
OTHER_RESOURCES = ("CreditAccount", "Image", "InventoryLog", "SpecialOrder", "Workorder", "WorkorderStatus",
                   "WorkorderItem", "WorkorderLine", "ShipTo", "Tag", "TagGroup", "ItemAttributeSet", "Season",
                   "Quote", "Serialized", "EmployeeHours", "Transfer", "TransferItem", "VendorReturn", "Shipment",
                   "RegisterCount", "RegisterWithdraw", "TaxCategoryClass", "CCCharge", "Locale", "Industry",
                   "CurrencyRate", "ItemFee", "ProcessingFee", "Session", "Option")

_NAME = re.compile(r"[A-Za-z]{1,64}")  # goes into API paths and table names: letters only


class Catalogue:
    """The catalogued resources: iterate, index by name (``catalogue["Sale"]``), or show as a table."""

    def __init__(self, resources: Iterable[Resource] = RESOURCES) -> None:
        self._resources = {resource.name: resource for resource in resources}

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._resources.values())

    def __len__(self) -> int:
        return len(self._resources)

    def __contains__(self, name: object) -> bool:
        return name in self._resources

    def __getitem__(self, name: str) -> Resource:
        try:
            return self._resources[name]
        except (KeyError, TypeError):
            raise ConfigurationError(unknown_resource_message(name)) from None

    def get(self, name: str) -> Resource | None:
        return self._resources.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._resources)

    def readable_with(self, scopes: Iterable[str]) -> "Catalogue":
        scopes = set(scopes)
        return Catalogue(r for r in self if r.readable_with(scopes))

    def rows(self) -> list[dict]:
        return [resource.as_row() for resource in self]

    def to_pandas(self):
        import pandas as pd

        return pd.DataFrame(self.rows())

    def __repr__(self) -> str:
        columns = ("resource", "key", "sync", "sortable", "scopes")
        rows = [columns, *([row[c] for c in columns] for row in self.rows())]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(columns))]
        return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows)

    def _repr_html_(self) -> str:
        columns = ("resource", "key", "timeStamp", "sortable", "sync", "relations", "scopes")
        head = "".join(f"<th>{c}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in columns) + "</tr>" for row in self.rows())
        return (f"<table><caption>Lightspeed resources ls_widget knows ({len(self)}); relations marked * are "
                f"to-many</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


CATALOGUE = Catalogue()


def resources() -> Catalogue:
    """The Lightspeed resources ls_widget knows: key, timeStamp, sortable fields, relations, scopes, sync strategy.

    ``conn.sync(ls_widget.resources())`` syncs every one the connection's scopes can read.
    """
    return CATALOGUE


def unknown_resource_message(name: Any) -> str:
    close = difflib.get_close_matches(str(name), [*CATALOGUE.names, *OTHER_RESOURCES], n=3, cutoff=0.6)
    close += [n for n in CATALOGUE.names if n.lower() == str(name).lower() and n not in close]
    hint = f" Did you mean {' or '.join(repr(c) for c in dict.fromkeys(close))}?" if close else ""
    return (f"{name!r} is not a Lightspeed resource ls_widget knows.{hint} Resources: {', '.join(CATALOGUE.names)} "
            "(ls_widget.resources() shows what each allows).")


def check_resource_name(name: Any) -> str:
    """``name`` if it can be a resource path segment (letters only, as Lightspeed spells them), else refuse it."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"{name!r} is not a Lightspeed resource name: use the name as Lightspeed spells it, e.g. 'Item', "
            "'Sale', 'Customer', 'ItemShop'.")
    if name not in CATALOGUE and name not in OTHER_RESOURCES:
        raise ConfigurationError(unknown_resource_message(name))
    return name


def check_request(path: str, params: dict) -> None:
    """Refuse, before anything is sent, a read Lightspeed does not allow: an unknown resource, a ``sort`` the
    resource does not take, or a relation it does not have. ``path`` is ``"Item"``, ``"Item/12"`` or
    ``"Sale/5/SaleLine"`` (no ``.json``); absolute URLs (a ``next`` link) are Lightspeed's own and not checked."""
    parts = path.split("/")
    if not parts or not parts[0]:
        raise ConfigurationError("Name a resource to read, e.g. session.get('Item').")
    check_resource_name(parts[0])
    for segment in parts[1:]:
        if segment in ("", ".", "..") or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", segment):
            raise ConfigurationError(f"{path!r} is not a resource path: use a resource and an ID, e.g. 'Sale/12'.")
    resource = CATALOGUE.get(parts[-1] if len(parts) == 3 else parts[0])
    if len(parts) == 3:
        check_resource_name(parts[2])
    if resource is None:
        return
    sort = params.get("sort")
    if sort is not None:
        field = str(sort).lstrip("-")
        if field not in resource.sortable:
            raise ConfigurationError(
                f"Lightspeed does not sort {resource.name} by {field!r}. Sortable fields: "
                f"{', '.join(resource.sortable)} (prefix with - for descending).")
    relations = params.get("load_relations")
    if relations is not None and relations != "all":
        names = [relations] if isinstance(relations, str) else list(relations)
        for name in names:
            _check_relation(resource, str(name))


def _check_relation(resource: Resource, dotted: str) -> None:
    """``SaleLines`` or ``SaleLines.Item``: each step a relation of the resource before it (where catalogued)."""
    current: Resource | None = resource
    for step in dotted.split("."):
        if current is None:
            return  # a relation of something the catalogue does not describe: Lightspeed's to judge
        relation = current.relation(step)
        if relation is None:
            raise ConfigurationError(
                f"{current.name} has no relation {step!r} for load_relations. Its relations: "
                f"{', '.join(current.relation_names) or 'none'}.")
        current = CATALOGUE.get(relation.target) if relation.target else None


def markdown_table() -> str:
    """The catalogue as Markdown: the overview table, then a subsection per resource (docs/lightspeed-api.md
    section 9, between its ``catalogue`` markers; a test keeps the two equal)."""
    lines = ["| resource | key | timeStamp | sortable (V3) | sync | relations (* to-many) | scopes | source |",
             "|---|---|---|---|---|---|---|---|"]
    for resource in CATALOGUE:
        row = resource.as_row()
        lines.append(
            f"| {row['resource']} | `{row['key']}` | {'yes' if resource.timestamp else 'no'} | {row['sortable']} | "
            f"{row['sync']} | {row['relations'] or '-'} | {', '.join(s.split(':')[1] for s in resource.scopes) or 'any'}"
            f" | [{resource.name}]({resource.doc}){'' if resource.confirmed else ' (UNCONFIRMED)'} |")
    for number, resource in enumerate(CATALOGUE, start=1):
        lines += ["", f"### 9.{number} {resource.name}", "", resource.summary, ""]
        lines.append(f"- Key `{resource.key}`; " + ("records carry `timeStamp`" if resource.timestamp
                                                     else "records carry **no** `timeStamp`")
                     + ("; has `archived`" if resource.archivable else "") + ".")
        lines.append(f"- `sort` (V3): {', '.join(f'`{f}`' for f in resource.sortable)}"
                     + ("" if resource.confirmed else " (UNCONFIRMED)") + ".")
        sync = {INCREMENTAL: "incremental by `timeStamp`", FULL: "read whole, table replaced",
                CHILD: f"with its parent `{resource.child_of}` (its table is filled from the parent's relation)"}
        loads = (f", loading {', '.join(f'`{name}`' for name in resource.loads)} (kept as JSON columns)"
                 if resource.loads else "")
        lines.append(f"- Sync: {sync.get(resource.strategy, 'not synced (the connection already holds it)')}{loads}.")
        if resource.relations:
            lines.append("- `load_relations`: " + ", ".join(
                f"`{r.name}` ({r.kind}{', ' + r.target if r.target else ''})" for r in resource.relations) + ".")
        lines.append("- Read with: " + (", ".join(f"`{s}`" for s in resource.scopes) + ", or `employee:all`"
                                        if resource.scopes else "any sign-in") + ".")
        lines.append(f"- v2: {resource.v2}.")
        if resource.notes:
            lines.append(f"- {resource.notes}")
        lines.append(f"- Source: <{resource.doc}>.")
    return "\n".join(lines)

