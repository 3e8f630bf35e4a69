"""What to sync for each Lightspeed resource: its primary key, the relations to load, and child tables.

Lightspeed names a resource's key after it (``Item`` -> ``itemID``, ``SaleLine`` -> ``saleLineID``), so most
resources need no entry; ``Sale`` is special: its lines come with it (``load_relations=["SaleLines"]``, one request
per 100 sales instead of a second pull of ``SaleLine.json``) and land in a ``SaleLine`` table of their own, one row
per line, replaced as a whole whenever their sale changes (a line removed from a sale disappears here too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ConfigurationError

# Resource names go into API paths and table names: letters only, as Lightspeed spells them ("ItemShop").
_RESOURCE = re.compile(r"[A-Z][A-Za-z]{1,63}")


@dataclass(frozen=True)
class Child:
    """Records nested in a parent's answer, kept as a table of their own."""

    table: str  # "SaleLine"
    key: str  # "saleLineID"
    parent_key: str  # "saleID": every child row carries it, and a re-synced parent replaces all its children
    path: tuple[str, ...]  # where they sit in the parent record: ("SaleLines", "SaleLine")


@dataclass(frozen=True)
class Spec:
    resource: str
    key: str
    relations: tuple[str, ...] = ()
    children: tuple[Child, ...] = ()

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.resource, *(child.table for child in self.children))


_SPECIAL = {
    "Sale": Spec("Sale", "saleID", ("SaleLines",), (Child("SaleLine", "saleLineID", "saleID", ("SaleLines", "SaleLine")),)),
}


def spec_for(resource: object) -> Spec:
    """The sync spec of ``resource`` (e.g. "Item", "Sale", "Customer"); ``ConfigurationError`` for a bad name."""
    if not isinstance(resource, str) or not _RESOURCE.fullmatch(resource):
        raise ConfigurationError(
            f"{resource!r} is not a Lightspeed resource name: use the name as Lightspeed spells it, e.g. 'Item', "
            "'Sale', 'Customer', 'ItemShop'."
        )
    return _SPECIAL.get(resource) or Spec(resource, resource[0].lower() + resource[1:] + "ID")
