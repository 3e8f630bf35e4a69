"""One sync: pull what changed since the last one, page by page, and merge it into the tables.

Each resource is read the way the catalogue says Lightspeed allows (``Spec.strategy``, ls_widget/catalogue.py):

- ``incremental`` (Item, ItemShop, Customer, Sale, ...): records sorted by ``timeStamp`` (``sort`` on v3, ``orderby`` on
  v2), from the last value committed minus a small lookback (inclusive, so records sharing that second, or committed
  late, are read again and merged, never lost), with ``archived=true`` so archivals arrive as updates (an
  ``archived`` column). The rows and the new high-water mark are loaded together, a chunk at a time (fetch.py: at
  least every 5 pages, at most every 2.5 s of fetching, the next pages fetched while a chunk loads): a sync killed at
  any point keeps what it committed, loses at most 10 pages or 5 s of fetching, and the next one starts from there.
- ``full`` (Shop, Register and the other small tables Lightspeed does not sort by ``timeStamp``): everything is read
  in Lightspeed's default order and the table replaced: rows whose records Lightspeed no longer returns are deleted.

Pages become Arrow tables (arrow.py) that dlt loads without normalising rows one by one.

``full=True`` reads every resource whole, as the ``full`` strategy does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable

from ..errors import ApiError, SyncError
from ..session import PAGE_SIZE, LightspeedSession
from . import arrow
from .fetch import Prefetch
from .progress import SyncProgress
from .specs import Spec, has_timestamp, select, spec_for  # noqa: F401 - spec_for for callers
from .target import DELETED, Target

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
    requests: int = 0  # answers Lightspeed gave (retries included)
    rate_limited: int = 0  # of which 429s: the pacer keeps this at 0 at the rate limit's full speed

    def __repr__(self) -> str:
        limited = f", {self.rate_limited} rate-limited" if self.rate_limited else ""
        lines = [f"SyncResult({self.connection!r}: {self.pages} page{'s' if self.pages != 1 else ''} in "
                 f"{self.seconds:.1f} s ({self.requests} requests{limited}){', full' if self.full else ''} -> "
                 f"{self.destination})"]
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
    started, asked = time.monotonic(), session.statuses.copy()
    for spec in selection.specs:
        try:
            result.pages += _sync_resource(session, target, spec, full, progress, result)
        except ApiError as error:
            if error.status != 403 or spec.resource not in selection.optional:
                raise
            # Asked for everything, and this sign-in's employee may not read it: the rest is still worth having.
            result.skipped[spec.resource] = f"Lightspeed refused it (403: {error.message[:120]})"
    result.seconds = time.monotonic() - started
    answered = session.statuses - asked
    result.requests, result.rate_limited = sum(answered.values()), answered[429]
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
    before = target.counts(spec.tables)
    whole = full or not spec.incremental  # read everything, then delete what Lightspeed no longer has
    previous = _stored_mark(state)
    since = None if whole else previous
    params: dict = {"archived": "true", "limit": PAGE_SIZE}
    if spec.incremental:  # only where Lightspeed sorts by timeStamp: elsewhere its default order (by ID)
        params["sort" if session.profile.pagination == "cursor" else "orderby"] = "timeStamp"
    if spec.relations:
        params["load_relations"] = list(spec.relations)
    if since is not None:
        params["timeStamp"] = (">=", since - LOOKBACK)
    total = _affordable_count(session, spec, params, before[spec.resource]) if whole else None

    tally = _Tally(spec)
    mark = state.get("last")
    pages = 0
    with SyncProgress(result.connection, spec.resource, total_pages=total, session=session, enabled=progress) as bar:
        with Prefetch(session.pages(spec.resource, **params)) as fetched:
            for chunk in fetched.chunks(on_page=lambda page: bar.advance(1, len(page))):
                batches = _batches(target, spec, [record for page in chunk for record in page])
                if spec.timestamp:  # a full read keeps a mark too: the next one tells updates from re-reads by it
                    newest = arrow.newest(batches[spec.resource])
                    if newest is not None:
                        mark = max(mark or "", newest.astimezone(timezone.utc).isoformat(timespec="seconds")) or None
                resources = [target.resource(batches[spec.resource].table, spec.resource, spec.key,
                                             timestamp=spec.timestamp, json_columns=batches[spec.resource].json_columns,
                                             state={"last": mark, "account": session.account_id})]
                for child in spec.children:
                    batch = batches[child.table]
                    resources.append(target.resource(
                        batch.table, child.table, child.key, parent_key=child.parent_key,
                        timestamp=has_timestamp(child.table), json_columns=batch.json_columns))
                target.load(resources)
                pages += len(chunk)
                tally.add(batches, previous)

    deleted = _reconcile(target, spec, tally.loaded) if whole else {}
    counted = target.counts(spec.tables)
    for table in spec.tables:
        after = counted[table]
        strategy = spec.strategy if table == spec.resource else f"with {spec.resource}"
        stats = TableResult(strategy, loaded=len(tally.loaded[table]), deleted=deleted.get(table, 0), rows=after)
        stats.inserted = max(0, after - before[table] + stats.deleted)
        # Records re-read by the lookback (or by a full read), unchanged, are neither: only rows stamped after the last
        # sync's mark are changes, and the changes that are not new rows are updates.
        stats.updated = max(0, min(tally.changed[table], stats.loaded) - stats.inserted)
        result.tables[table] = stats
    return pages


class _Tally:
    """What a resource's chunks brought: the keys loaded per table (a full read deletes the others), and how many
    rows of each table changed since the last sync (stamped after its mark, or children of such records)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.loaded: dict[str, set[str]] = {table: set() for table in spec.tables}
        self.changed: dict[str, int] = dict.fromkeys(spec.tables, 0)

    def add(self, batches: dict, previous: datetime | None) -> None:
        spec = self.spec
        parents = batches[spec.resource]
        self.loaded[spec.resource].update(str(k) for k in parents.column(spec.key))
        newer = set(arrow.keys_newer_than(parents, spec.key, previous)) if spec.timestamp else set()
        self.changed[spec.resource] += len(newer)  # without a timeStamp an update cannot be told from a re-read
        for child in spec.children:
            batch = batches[child.table]
            self.loaded[child.table].update(str(k) for k in batch.column(child.key))
            self.changed[child.table] += sum(1 for p in batch.column(child.parent_key) if str(p) in newer)


def _batches(target: Target, spec: Spec, records: list[dict]) -> dict:
    """The chunk's records as one Arrow batch per table (the resource's and its children's)."""
    rows, children = arrow.split(records, spec.key, spec.children, spec.resource)
    batches = {spec.resource: arrow.to_arrow(rows, timestamp=spec.timestamp, required=spec.incremental,
                                             **target.column_kinds(spec.resource), resource=spec.resource,
                                             key=spec.key)}
    for child in spec.children:
        batches[child.table] = arrow.to_arrow(children[child.table], timestamp=has_timestamp(child.table),
                                              **target.column_kinds(child.table), resource=child.table,
                                              key=child.key)
    return batches


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
    gone = sorted(target.keys(spec.resource, spec.key) - loaded[spec.resource])
    deleted = {spec.resource: len(gone)}
    if not gone:
        return deleted
    resources = [target.resource(arrow.deletions({spec.key: gone}, DELETED), spec.resource, spec.key,
                                 timestamp=False)]
    for child in spec.children:
        orphans = sorted(target.pairs(child.table, child.key, child.parent_key, gone)) \
            if target.has_table(child.table) else []
        deleted[child.table] = len(orphans)
        rows = {child.key: [k for k, _ in orphans], child.parent_key: [p for _, p in orphans]}
        resources.append(target.resource(arrow.deletions(rows, DELETED), child.table, child.key,
                                         parent_key=child.parent_key, timestamp=False))
    target.load(resources)
    return deleted
