"""What to sync for each Lightspeed resource, read from the catalogue (``ls_widget/catalogue.py``).

A spec says how one resource is pulled: its key, its strategy (``incremental`` by ``timeStamp`` where Lightspeed sorts
the resource by it, ``full`` where it does not: Shop, Register and the other small tables are read whole and their
table replaced), the relations to load and the child tables they fill. ``Sale`` is special: its lines and payments
come with it (``load_relations=["SaleLines", "SalePayments"]``, one request per 100 sales instead of two more pulls)
and land in ``SaleLine`` and ``SalePayment`` tables, one row per line or payment, replaced as a whole whenever their
sale changes (a line removed from a sale disappears here too). Asking for a child (``"SaleLine"``) syncs its parent.

``select`` turns what a caller passed (names, ``"all"``, ``ls_widget.resources()`` or catalogue entries) into specs,
leaving out what the connection's scopes cannot read when the caller asked for everything, and saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple

from ..catalogue import CATALOGUE, FULL, INCREMENTAL, Catalogue, Child, Resource, check_resource_name
from ..errors import ConfigurationError

__all__ = ["Child", "Selection", "Spec", "has_timestamp", "select", "spec_for"]


@dataclass(frozen=True)
class Spec:
    resource: str
    key: str
    strategy: str = INCREMENTAL
    timestamp: bool = True  # its records carry timeStamp (Register's do not)
    relations: tuple[str, ...] = ()
    children: tuple[Child, ...] = ()

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.resource, *(child.table for child in self.children))

    @property
    def incremental(self) -> bool:
        return self.strategy == INCREMENTAL


def spec_for(resource: object) -> Spec:
    """The sync spec of ``resource`` (e.g. "Item", "Sale"); ``ConfigurationError`` for a name Lightspeed lacks."""
    if isinstance(resource, Resource):
        resource = resource.name
    name = check_resource_name(resource)
    entry = CATALOGUE.get(name)
    if entry is None:  # a real resource the catalogue does not describe: read whole, keyed by Lightspeed's rule
        return Spec(name, name[0].lower() + name[1:] + "ID", FULL)
    if entry.child_of:
        return spec_for(entry.child_of)
    if not entry.syncable:
        raise ConfigurationError(f"{name} is not a list of records to keep as a table: the connection already knows "
                                 "it (conn.session.account_id, conn.session.account_name).")
    return Spec(entry.name, entry.key, entry.strategy, entry.timestamp,
                tuple(child.path[0] for child in entry.children) + entry.loads, entry.children)


def has_timestamp(resource: str) -> bool:
    """Whether records of ``resource`` carry ``timeStamp`` (so its table gets a timestamp column)."""
    entry = CATALOGUE.get(resource)
    return entry.timestamp if entry is not None else True


class Selection(NamedTuple):
    specs: list[Spec]
    skipped: dict[str, str]  # resource -> why it is left out
    optional: frozenset  # resources taken only because everything was asked for: a 403 skips them, not the sync


def select(resources: Any, scopes: Iterable[str] | None) -> Selection:
    """What to sync for what the caller asked.

    ``"all"`` or the catalogue (``ls_widget.resources()``) means every catalogued resource the sign-in's scopes can
    read (and one Lightspeed still refuses with a 403 is skipped, not fatal); a resource named explicitly is always
    tried (a missing scope then fails loudly, with Lightspeed's 403).
    """
    if isinstance(resources, (list, tuple)) and "all" in resources:
        resources = "all"  # the command line's `ls-widget sync NAME all`
    everything = isinstance(resources, Catalogue) or (isinstance(resources, str) and resources == "all")
    if everything:
        wanted = list(resources) if isinstance(resources, Catalogue) else list(CATALOGUE)
    elif isinstance(resources, (str, Resource)):
        wanted = [resources]
    elif resources is None or not hasattr(resources, "__iter__"):
        raise ConfigurationError(f"Name the resources to sync as a list, e.g. conn.sync(['Item', 'Sale']), or "
                                 f"'all' (got {resources!r}).")
    else:
        wanted = list(resources)
    granted = set(scopes or ())
    skipped: dict[str, str] = {}
    specs: dict[str, Spec] = {}
    for item in wanted:
        entry = CATALOGUE.get(item.name if isinstance(item, Resource) else item) if isinstance(item, (str, Resource)) \
            else None
        if everything and entry is not None:
            if entry.child_of or not entry.syncable:
                continue  # comes with its parent, or is the account itself
            if granted and not entry.readable_with(granted):
                skipped[entry.name] = f"needs a scope: one of {', '.join(entry.scopes)}"
                continue
        spec = spec_for(item)
        specs.setdefault(spec.resource, spec)
    if not specs:
        if skipped:
            raise ConfigurationError("This connection's scopes read none of these resources: " + "; ".join(
                f"{name} {why}" for name, why in skipped.items()) + ". Add a scope with 'Edit scopes'.")
        raise ConfigurationError("Name at least one resource to sync, e.g. conn.sync(['Item', 'Sale']), or 'all'.")
    return Selection(list(specs.values()), skipped, frozenset(specs) if everything else frozenset())

