"""The resources the sandbox serves, what reading each one needs, and their relations.

Scopes for reading (Lightspeed documents what each scope allows, docs/lightspeed-api.md section 2, not a
per-endpoint table, so this table is derived from the scope descriptions; ``employee:all`` opens everything, and a
full-access scope implies its ``_read`` sibling):
- Item (and the ItemShops relation): ``inventory_read`` "View items and inventory", ``inventory``.
- Category: ``categories`` "View, create, update, and archive product categories", and the inventory scopes (a
  category is part of the inventory a reader of items needs to make sense of them). UNCONFIRMED.
- Sale, SaleLine: ``register_read`` "Read sales history", ``register`` "Create new sales and read sales history".
- Customer: ``customers_read`` "View customer accounts", ``customers``.
- Employee: ``admin_employees``, ``admin`` ("administrative records").
- Shop: ``admin_shops``, ``admin``. Register: the shop scopes, and the register scopes (a register is where sales
  happen). UNCONFIRMED.
- ``Account.json``: any valid token ("Returns the ... account associated with your access token").
A relation is embedded whenever its parent may be read: Lightspeed documents no separate check. UNCONFIRMED.

Relations (``load_relations``) and their cost class (section 4.1: X-to-one 0.1, X-to-many 0.2):
Item: Category (one), ItemShops (many). Sale: SaleLines (many), Customer (one). SaleLine: Item (one), Sale (one).
Customer: Contact (one). Embedded as Lightspeed does: a to-many relation as ``{"SaleLine": [...]}`` (an object when
there is one), a to-one relation as the record itself, nothing when the relation is empty (a walk-in sale has no
Customer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .data import AccountData

ALL = "employee:all"


@dataclass(frozen=True)
class Relation:
    name: str
    many: bool
    load: Callable  # (AccountData, record) -> dict | list | None

    @property
    def cost(self) -> float:
        return 0.2 if self.many else 0.1


@dataclass(frozen=True)
class Resource:
    name: str
    id_field: str
    read_scopes: frozenset
    archivable: bool
    relations: dict = field(default_factory=dict)

    @property
    def sortable(self) -> tuple:
        """Fields V3's ``sort`` accepts: "usually the primary ID and timeStamp" (section 3.5)."""
        return (self.id_field, "timeStamp")

    def allows(self, granted) -> bool:
        return bool(self.read_scopes & set(granted))


def _scopes(*names: str) -> frozenset:
    return frozenset({ALL, *(f"employee:{name}" for name in names)})


def _one(table: str, key: str):
    def load(data: AccountData, record: dict):
        return data.table(table).by_id.get(record.get(key, "0"))
    return load


def _lines(data: AccountData, record: dict):
    return data.sale_lines(record)


def _item_shops(data: AccountData, record: dict):
    return data.item_shops(record)


def _contact(data: AccountData, record: dict):
    return data.contact(record)


def _relations(*relations: Relation) -> dict:
    return {relation.name: relation for relation in relations}


RESOURCES = {resource.name: resource for resource in (
    Resource("Shop", "shopID", _scopes("admin_shops", "admin"), archivable=True),
    Resource("Register", "registerID", _scopes("admin_shops", "admin", "register_read", "register"),
             archivable=True),
    Resource("Employee", "employeeID", _scopes("admin_employees", "admin"), archivable=True),
    Resource("Category", "categoryID", _scopes("categories", "inventory_read", "inventory"), archivable=False),
    Resource("Item", "itemID", _scopes("inventory_read", "inventory"), archivable=True, relations=_relations(
        Relation("Category", False, _one("Category", "categoryID")),
        Relation("ItemShops", True, _item_shops),
    )),
    Resource("Customer", "customerID", _scopes("customers_read", "customers"), archivable=True,
             relations=_relations(Relation("Contact", False, _contact))),
    Resource("Sale", "saleID", _scopes("register_read", "register"), archivable=False, relations=_relations(
        Relation("SaleLines", True, _lines),
        Relation("Customer", False, _one("Customer", "customerID")),
    )),
    Resource("SaleLine", "saleLineID", _scopes("register_read", "register"), archivable=False,
             relations=_relations(
                 Relation("Item", False, _one("Item", "itemID")),
                 Relation("Sale", False, _one("Sale", "saleID")),
             )),
)}

# Child collections under a record: /Sale/{saleID}/SaleLine.json lists that sale's lines.
NESTED = {("Sale", "SaleLine"): "saleID"}


def relation_cost(resource: Resource, names: list, many_records: bool) -> float:
    """Section 4.1: +0.1 per X-to-one and +0.2 per X-to-many relation, doubled on multi-record reads."""
    cost = sum(resource.relations[name].cost for name in names)
    return cost * 2 if many_records else cost


def embed(data: AccountData, resource: Resource, record: dict, names: list) -> dict:
    """A copy of ``record`` with the named relations embedded (the cached record is never changed)."""
    if not names:
        return record
    out = dict(record)
    for name in names:
        relation = resource.relations[name]
        value = relation.load(data, record)
        if not value:
            continue
        if relation.many:
            child = name[:-1] if name.endswith("s") else name
            out[name] = {child: value[0] if len(value) == 1 else list(value)}
        else:
            out[name] = value
    return out
