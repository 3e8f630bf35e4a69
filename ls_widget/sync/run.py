"""One sync: pull what changed since the last one, page by page, and merge it into the tables.

Each resource is read the way the catalogue says Lightspeed allows (``Spec.strategy``, ls_widget/catalogue.py):

- ``incremental`` (Item, ItemShop, Customer, Sale, ...): records sorted by ``timeStamp`` (``sort`` on v3, ``orderby`` on
  v2), from the last value committed minus a small lookback (inclusive, so records sharing that second, or committed
  late, are read again and merged, never lost), with ``archived=true`` so archivals arrive as updates (an
  ``archived`` column). Every ``COMMIT_EVERY`` pages the rows and the new high-water mark are loaded together: a
  sync killed at any point keeps what it committed, and the next one starts from there.
- ``full`` (Shop, Register and the other small tables Lightspeed does not sort by ``timeStamp``): everything is read
  in Lightspeed's default order and the table replaced: rows whose records Lightspeed no longer returns are deleted.

``full=True`` reads every resource whole, as the ``full`` strategy does.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from ..errors import ApiError, ConfigurationError, SyncError
from ..session import PAGE_SIZE, LightspeedSession
from .progress import SyncProgress
from .specs import Spec, has_timestamp, select, spec_for  # noqa: F401 - spec_for for callers
from .target import DELETED, Target

COMMIT_EVERY = 10  # pages per load: a kill loses at most this many pages of work
LOOKBACK = timedelta(minutes=5)  # re-read this much before the last timeStamp seen: late commits, equal seconds
# A count (10 drips on v3) is worth it only when the pull costs at least 50 times as much.
_COUNT_COST, _COUNT_SHARE = 10.0, 0.02


@dataclass
class TableResult:
    strategy: str = "incremental"  # how the table was read: "incremental" by timeStamp, "full" (read whole and
    # replaced), or "with Sale" (a child table, filled from its parent's records)
    loaded: int = 0  # distinct records received (updates of the same record within one sync count once)
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    rows: int = 0  # rows in the table after the sync


@dataclass
class SyncResult:
    """What one sync did: pages fetched, and rows inserted/updated/deleted per table."""

    connection: str
    destination: str
    full: bool
    pages: int = 0
    tables: dict[str, TableResult] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)  # resource -> why (e.g. a scope the sign-in lacks)

    def __repr__(self) -> str:
        lines = [f"SyncResult({self.connection!r}: {self.pages} page{'s' if self.pages != 1 else ''} in "
                 f"{self.seconds:.1f} s{', full' if self.full else ''} -> {self.destination})"]
        for table, r in self.tables.items():
            lines.append(f"  {table} ({r.strategy}): {r.inserted} inserted, {r.updated} updated, {r.deleted} deleted, "
                         f"{r.rows} rows")
        for resource, why in self.skipped.items():
            lines.append(f"  {resource}: skipped, {why}")
        return "\n".join(lines)


def sync(session: LightspeedSession, target: Target, resources: Iterable[str], *, full: bool = False,
         progress: bool = True, connection: str = "") -> SyncResult:
    token = session.token
    selection = select(resources, token.scopes if token is not None else None)
    result = SyncResult(connection or target.connection_name, target.label, full, skipped=dict(selection.skipped))
    started = time.monotonic()
    for spec in selection.specs:
        try:
            result.pages += _sync_resource(session, target, spec, full, progress, result)
        except ApiError as error:
            if error.status != 403 or spec.resource not in selection.optional:
                raise
            # Asked for everything, and this sign-in's employee may not read it: the rest is still worth having.
            result.skipped[spec.resource] = f"Lightspeed refused it (403: {error.message[:120]})"
    result.seconds = time.monotonic() - started
    return result


def _sync_resource(session: LightspeedSession, target: Target, spec: Spec, full: bool, progress: bool,
                   result: SyncResult) -> int:
    state = target.state(spec.resource)  # first: it also finishes a load a killed sync left behind
    stored_account = state.get("account")
    if stored_account is not None and str(stored_account) != session.account_id:
        raise SyncError(
            f"The {spec.resource} table in {target.label} holds account {stored_account}'s data, and this connection "
            f"is now signed in to account {session.account_id}: sync into another destination (destination=...), or "
            "rename the connection, so two accounts' records never mix."
        )
    before = {table: target.count(table) for table in spec.tables}
    whole = full or not spec.incremental  # read everything, then delete what Lightspeed no longer has
    since = None if whole else _stored_mark(state)
    params: dict = {"archived": "true", "limit": PAGE_SIZE}
    if spec.incremental:  # only where Lightspeed sorts by timeStamp: elsewhere its default order (by ID)
        params["sort" if session.profile.pagination == "cursor" else "orderby"] = "timeStamp"
    if spec.relations:
        params["load_relations"] = list(spec.relations)
    if since is not None:
        params["timeStamp"] = (">=", since - LOOKBACK)
    total = _affordable_count(session, spec, params, before[spec.resource]) if whole else None

    loaded: dict[str, set[str]] = {table: set() for table in spec.tables}
    mark = state.get("last")
    pages = 0
    changed: set[str] = set()  # stored records that came back with a newer timeStamp: real updates
    changed_children: dict[str, set[str]] = {child.table: set() for child in spec.children}
    with SyncProgress(result.connection, spec.resource, total_pages=total, session=session, enabled=progress) as bar:
        chunks = _chunks(session.pages(spec.resource, **params), COMMIT_EVERY)
        for chunk in chunks:
            rows, children = _split(spec, chunk)
            if spec.incremental:
                mark = max([mark or "", *(_timestamp(row, spec) for row in rows)]) or None
            resources = [target.resource(rows, spec.resource, spec.key, timestamp=spec.timestamp,
                                         state={"last": mark, "account": session.account_id})]
            for child in spec.children:
                resources.append(target.resource(children[child.table], child.table, child.key,
                                                 parent_key=child.parent_key, timestamp=has_timestamp(child.table)))
            changed.update(_changed_keys(target, spec, rows))  # before the load: what was stored until now
            target.load(resources)
            pages += len(chunk)
            loaded[spec.resource].update(str(row[spec.key]) for row in rows)
            for child in spec.children:
                loaded[child.table].update(str(row[child.key]) for row in children[child.table])
                changed_children[child.table].update(
                    str(row[child.key]) for row in children[child.table] if str(row[child.parent_key]) in changed)
            bar.advance(len(chunk), sum(len(page) for page in chunk))

    deleted = _reconcile(target, spec, loaded) if whole else {}
    for table in spec.tables:
        after = target.count(table)
        strategy = spec.strategy if table == spec.resource else f"with {spec.resource}"
        stats = TableResult(strategy, loaded=len(loaded[table]), deleted=deleted.get(table, 0), rows=after)
        stats.inserted = max(0, after - before[table] + stats.deleted)
        # Records re-read by the lookback, unchanged, are neither: only a newer timeStamp makes an update.
        updated = changed if table == spec.resource else changed_children[table]
        stats.updated = min(len(updated), max(0, stats.loaded - stats.inserted))
        result.tables[table] = stats
    return pages


def _changed_keys(target: Target, spec: Spec, rows: list[dict]) -> set[str]:
    """Keys of ``rows`` already stored with an older ``timeStamp`` (new records are counted as inserts instead).
    Records without a timeStamp (Register) cannot tell an update from a re-read: none is counted."""
    if not rows or not target.has_table(spec.resource) or any(not row.get("timeStamp") for row in rows):
        return set()
    try:
        incoming = {str(row[spec.key]): _timestamp(row, spec) for row in rows}
    except ApiError:
        if spec.incremental:
            raise
        return set()  # a table read whole does not depend on its timeStamps: an odd one only blurs this count
    keys = ", ".join("'" + key.replace("'", "''") + "'" for key in incoming)
    stored = target.query(f"select {target.quoted(spec.key)}, {target.quoted('timeStamp')} from "
                          f"{target.qualified(spec.resource)} where {target.quoted(spec.key)} in ({keys})")
    changed = set()
    for key, stamp in stored.itertuples(index=False):
        before = stamp.isoformat(timespec="seconds") if hasattr(stamp, "isoformat") else str(stamp)
        if incoming.get(str(key), "") > before.replace("Z", "+00:00"):
            changed.add(str(key))
    return changed


def _split(spec: Spec, chunk: list[list[dict]]) -> tuple[list[dict], dict[str, list[dict]]]:
    """The chunk's records as rows of the resource's table, and its children's rows by child table."""
    rows, children = [], {child.table: [] for child in spec.children}
    for page in chunk:
        for record in page:
            if not isinstance(record.get(spec.key), (str, int)) or isinstance(record.get(spec.key), bool):
                raise ApiError(200, f"Lightspeed sent a {spec.resource} record without a readable {spec.key}: it "
                                    "cannot be merged. Run the sync again; report it if it persists.")
            row = dict(record)
            for child in spec.children:
                nested = row.pop(child.path[0], None)
                for line in _nested(nested, child.path[1:]):
                    if isinstance(line, dict) and isinstance(line.get(child.key), (str, int)):
                        children[child.table].append({**line, child.parent_key: row[spec.key]})
            rows.append(row)
    return rows, children


def _nested(value, path: tuple[str, ...]) -> list:
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value) if isinstance(value, list) else []


def _timestamp(row: dict, spec: Spec) -> str:
    """The record's ``timeStamp`` in one comparable form (UTC ISO 8601), checked: it drives the high-water mark."""
    value = row.get("timeStamp")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ApiError(200, f"Lightspeed sent {spec.resource} {row.get(spec.key)!r} with a timeStamp of "
                            f"{str(value)[:40]!r}, not a date and time; the sync stopped before storing it.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _stored_mark(state: dict) -> datetime | None:
    value = state.get("last")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None  # a damaged mark means "from the start": slower, never wrong


def _affordable_count(session: LightspeedSession, spec: Spec, params: dict, rows_before: int) -> int | None:
    """Pages a full pull will take, when asking costs under 2% of the pull (known from the rows already stored)."""
    expected_pages = rows_before / PAGE_SIZE
    if expected_pages * 1.0 * _COUNT_SHARE < _COUNT_COST:
        return None
    counted = session.count(spec.resource, **{k: v for k, v in params.items() if k not in ("sort", "orderby", "limit",
                                                                                           "load_relations")})
    return -(-counted // PAGE_SIZE)


def _reconcile(target: Target, spec: Spec, loaded: dict[str, set[str]]) -> dict[str, int]:
    """After a full pull: delete the rows whose records Lightspeed no longer returns (and their children)."""
    gone = target.keys(spec.resource, spec.key) - loaded[spec.resource]
    deleted = {spec.resource: len(gone)}
    if not gone:
        return deleted
    resources = [target.resource(({spec.key: key, DELETED: True} for key in sorted(gone)), spec.resource, spec.key)]
    for child in spec.children:
        orphans = target.query(f"select {target.quoted(child.key)}, {target.quoted(child.parent_key)} from "
                               f"{target.qualified(child.table)}") if target.has_table(child.table) else None
        rows = [] if orphans is None else [
            {child.key: str(k), child.parent_key: str(p), DELETED: True}
            for k, p in orphans.itertuples(index=False) if str(p) in gone
        ]
        deleted[child.table] = len(rows)
        resources.append(target.resource(rows, child.table, child.key, parent_key=child.parent_key))
    target.load(resources)
    return deleted


def _chunks(pages: Iterator[list[dict]], size: int) -> Iterator[list[list[dict]]]:
    while True:
        chunk = list(itertools.islice(pages, size))
        if not chunk:
            return
        yield chunk
