"""The resources the sandbox serves: exactly those of ``ls_widget.catalogue.CATALOGUE``, with its rules.

From the catalogue (what Lightspeed allows, resource by resource): the primary key, the fields V3's ``sort`` accepts
(any other is a 400 that lists them, docs/lightspeed-api.md section 3.5), the relations ``load_relations`` takes and
whether each is to-one or to-many (its cost class, section 4.1: X-to-one 0.1, X-to-many 0.2), the scopes that read
it (``employee:all`` opens everything; ``Account`` is readable by any token) and whether it has an archived flag.

Here, in the sandbox: how a relation's records are found (``LOADERS``, and a to-one relation with a catalogued target
by the record's ``{target key}`` field). A relation the sandbox has no data for (``Images``, ``Note``,
``CustomFieldValues``, ...) is accepted and embeds nothing, as an empty one does; and a relation is embedded whenever
its parent may be read (Lightspeed documents no separate check). UNCONFIRMED, both.

Embedded as recorded answers show (docs/lightspeed-api.md section 3.3): a to-many relation as a wrapper keyed by the
singular name (``{"SaleLine": [...]}``, an object when there is one), a to-one relation as the record itself, nothing
when empty (a walk-in sale has no Customer, a vendor may have no Contact). Dotted names (``SaleLines.Item``) embed a relation of the embedded records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..catalogue import CATALOGUE
from ..catalogue import Resource as Entry
from .data import AccountData

ALL = "employee:all"


@dataclass(frozen=True)
class Relation:
    name: str
    many: bool
    target: str  # the catalogued resource it holds, "" when the catalogue names none
    load: Callable  # (AccountData, record) -> dict | list | None

    @property
    def cost(self) -> float:
        return 0.2 if self.many else 0.1

    @property
    def wrapper(self) -> str:
        """The key inside a to-many relation: ``SaleLines`` -> ``SaleLine``."""
        return self.target or (self.name[:-1] if self.name.endswith("s") else self.name)


@dataclass(frozen=True)
class Resource:
    name: str
    id_field: str
    read_scopes: frozenset
    archivable: bool
    sortable: tuple
    open_to_all: bool = False  # Account: any valid token
    relations: dict = field(default_factory=dict)

    def allows(self, granted) -> bool:
        return self.open_to_all or bool(self.read_scopes & set(granted))


def _contact(resource: str) -> Callable:
    return lambda data, record: data.contact(resource, record)


def _by_field(target: str, key: str) -> Callable:
    def load(data: AccountData, record: dict):
        value = record.get(key, "0")
        return data.table(target).by_id.get(value) if value not in ("", "0") else None
    return load


def _nothing(data: AccountData, record: dict):
    return None


# How the sandbox finds the records of a relation, where the record's field is not simply the target's key.
LOADERS: dict = {
    ("Sale", "SaleLines"): lambda data, sale: data.sale_lines(sale),
    ("Sale", "SalePayments"): lambda data, sale: data.sale_payments(sale),
    ("Item", "ItemShops"): lambda data, item: data.item_shops(item),
    ("ItemMatrix", "Items"): lambda data, matrix: data.matrix_items(matrix),
    ("Shop", "Registers"): lambda data, shop: data.shop_registers(shop),
    ("Order", "OrderLines"): lambda data, order: data.order_lines(order),
    ("Category", "Parent"): _by_field("Category", "parentID"),
    **{(name, "Contact"): _contact(name) for name in ("Customer", "Vendor", "Shop")},
}

# Child collections under a record: /Sale/{saleID}/SaleLine.json lists that sale's lines.
NESTED = {("Sale", "SaleLine"): "saleID", ("Sale", "SalePayment"): "saleID"}


def _loader(entry: Entry, relation) -> Callable:
    found = LOADERS.get((entry.name, relation.name))
    if found is not None:
        return found
    if relation.target and not relation.many:
        return _by_field(relation.target, CATALOGUE[relation.target].key)
    return _nothing


def _resource(entry: Entry) -> Resource:
    relations = {r.name: Relation(r.name, r.many, r.target, _loader(entry, r)) for r in entry.relations}
    return Resource(entry.name, entry.key, entry.read_scopes, entry.archivable, entry.sortable,
                    open_to_all=not entry.scopes, relations=relations)


RESOURCES = {entry.name: _resource(entry) for entry in CATALOGUE}


def relation_cost(resource: Resource, names: list, many_records: bool) -> float:
    """Section 4.1: +0.1 per X-to-one and +0.2 per X-to-many relation, doubled on multi-record reads; each step of a
    dotted name counts."""
    cost = sum(relation.cost for name in names for relation in _steps(resource, name))
    return cost * 2 if many_records else cost


def _steps(resource: Resource, dotted: str) -> list:
    """The relations a dotted name walks through (checked by query.parse_relations)."""
    steps, current = [], resource
    for step in dotted.split("."):
        relation = current.relations[step]
        steps.append(relation)
        current = RESOURCES.get(relation.target) or Resource(relation.target, "", frozenset(), False, ())
    return steps


def embed(data: AccountData, resource: Resource, record: dict, names: list) -> dict:
    """A copy of ``record`` with the named relations embedded (the cached record is never changed)."""
    if not names:
        return record
    nested: dict = {}
    for name in names:
        first, _, rest = name.partition(".")
        nested.setdefault(first, [])
        if rest:
            nested[first].append(rest)
    out = dict(record)
    for name, deeper in nested.items():
        relation = resource.relations[name]
        value = relation.load(data, record)
        if not value:
            continue
        target = RESOURCES.get(relation.target)
        if relation.many:
            shown = [embed(data, target, r, deeper) for r in value] if target and deeper else list(value)
            out[name] = {relation.wrapper: shown[0] if len(shown) == 1 else shown}
        else:
            out[name] = embed(data, target, value, deeper) if target and deeper else value
    return out
