"""How a day of changes edits the sandbox's tables: the types changes.py and sale_changes.py both work with.

- ``Ledger``: what one sandbox changed (its forked accounts, the highest ID each table ever gave, how many days ran);
- ``TableEdit``: the changes to one table, applied at once, so a request never sees half of them;
- ``Day``: one day of changes in progress (the account, the second it is stamped with, the counts, the random
  stream), handing out ``TableEdit``s and choosing the records to change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .data import AccountData, Table
from .records import iso


@dataclass
class Ledger:
    """What one sandbox changed: its forked accounts, the highest ID each table ever used, how many days ran."""

    accounts: dict = field(default_factory=dict)  # account ID -> forked AccountData
    high_water: dict = field(default_factory=dict)  # (account ID, table) -> highest ID ever given
    days: int = 0


class TableEdit:
    """The changes to one table, applied at once by ``commit``: a replaced record keeps its place, new ones go last
    (their IDs are the highest, so the list stays ascending by ID), deleted ones leave, and the table's derived
    caches (query.py's columns and cached selections) are dropped."""

    def __init__(self, table: Table, ledger: Ledger, account_id: str) -> None:
        self.table, self.ledger, self.key = table, ledger, (account_id, table.name)
        self.replaced: dict = {}
        self.added: list = []
        self.deleted: set = set()
        highest = max((int(r[table.id_field]) for r in table.records), default=0)
        self.high = max(highest, ledger.high_water.get(self.key, 0))

    def current(self, record_id: str) -> dict:
        return self.replaced.get(record_id) or self.table.by_id[record_id]

    def replace(self, record: dict) -> None:
        self.replaced[record[self.table.id_field]] = record

    def new_id(self) -> int:
        self.high += 1
        return self.high

    def delete(self, record_id: str) -> None:
        self.deleted.add(record_id)

    def commit(self) -> None:
        key = self.table.id_field
        kept = [self.replaced.get(r[key], r) for r in self.table.records if r[key] not in self.deleted]
        self.table.records = kept + self.added
        self.table.by_id = {r[key]: r for r in self.table.records}
        self.table.derived = {}
        self.ledger.high_water[self.key] = self.high


@dataclass
class Day:
    """One day of changes in progress: where, when, how many, and the random stream for one resource."""

    data: AccountData
    ledger: Ledger
    account_id: str
    now: int
    counts: dict  # kind -> count for the resource at hand
    rng: random.Random

    @property
    def stamp(self) -> str:
        return iso(self.now)

    def edit(self, name: str) -> TableEdit:
        return TableEdit(self.data.table(name), self.ledger, self.account_id)

    def pick(self, records: list, live: list, referenced: set, id_field: str) -> tuple[list, list, list]:
        """(to edit, to archive, to delete): disjoint random choices; edits and archives among ``live`` records,
        deletions among the rest, those nobody refers to first. Fewer when there are not enough records."""
        edits, archives, deletes = (self.counts[k] for k in ("edits", "archives", "deletes"))
        chosen = self.rng.sample(live, min(edits + archives, len(live)))
        taken = {r[id_field] for r in chosen}
        rest = [r for r in records if r[id_field] not in taken]
        free = [r for r in rest if r[id_field] not in referenced]
        pool = free if len(free) >= deletes else rest
        doomed = self.rng.sample(pool, min(deletes, len(pool)))
        ids = lambda found: [r[id_field] for r in found]  # noqa: E731
        return ids(chosen[:edits]), ids(chosen[edits:]), ids(doomed)
