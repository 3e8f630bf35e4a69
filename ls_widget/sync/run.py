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

Pages become Arrow tables (arrow.py) that dlt loads without normalising rows one by one. A resource's last chunk
waits to be loaded with the next chunk, whichever resource that is (``_Batch``): the small resources, most of a sync
of everything, share one dlt run instead of one each, and the pages waiting count toward the next chunk, so the rule
above holds across resources too.

``full=True`` reads every resource whole, as the ``full`` strategy does.

Progress and cancelling (the panel's Sync part): ``on_progress(event)`` receives a ``ProgressEvent`` (the same as
``to_pandas``'s, ls_widget/progress.py) when a resource starts, after each page and when it ends; ``cancel`` (a
``threading.Event``) stops the sync: no page is requested once it is set, the pages already fetched are committed as a
last (smaller) chunk, a prefix of the pull, so the high-water mark stays right, and the resources not reached are left
as they were. A cancelled whole read deletes nothing (it has not seen everything). The result says ``cancelled`` and
what was kept; the next sync carries on.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from ..errors import ApiError, SyncError
from ..session import PAGE_SIZE, LightspeedSession
from . import arrow
from . import fetch
from .fetch import Prefetch
from ..progress import ProgressCallback
from .progress import sync_progress
from .specs import Spec, has_timestamp, select, spec_for  # noqa: F401 - spec_for for callers
from .target import DELETED, Target

LOOKBACK = timedelta(minutes=5)  # re-read this much before the last timeStamp seen: late commits, equal seconds
# A record stamped this far past Lightspeed's clock (its answers' Date header) is from the future: loaded, reported,
# never the high-water mark. Closer than this it is clock skew; the mark stops at Lightspeed's clock either way.
FUTURE_SLACK = timedelta(minutes=5)
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
    rebuilt: bool = False  # the table was missing or damaged (dropped by hand) and was made anew from a full read
    future: int = 0  # records stamped after Lightspeed's clock: loaded, not trusted as the mark (SyncResult.notes)


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
    notes: list[str] = field(default_factory=list)  # what the sync noticed and did about it (a table rebuilt, records
    # stamped in the future)
    cancelled: bool = False  # stopped by its ``cancel`` event: what it committed is kept (see ``notes``)
    models: dict[str, int] = field(default_factory=dict)  # analysts' models rebuilt after the sync -> their rows

    def __repr__(self) -> str:
        limited = f", {self.rate_limited} rate-limited" if self.rate_limited else ""
        lines = [f"SyncResult({self.connection!r}: {self.pages} page{'s' if self.pages != 1 else ''} in "
                 f"{self.seconds:.1f} s ({self.requests} requests{limited}){', full' if self.full else ''}"
                 f"{', cancelled' if self.cancelled else ''} -> {self.destination})"]
        for table, r in self.tables.items():
            lines.append(f"  {table} ({r.strategy}): {r.inserted} inserted, {r.updated} updated, {r.deleted} deleted, "
                         f"{r.rows} rows")
        for resource, why in self.skipped.items():
            lines.append(f"  {resource}: skipped, {why}")
        for model, rows in self.models.items():
            lines.append(f"  {model} (model): {rows} rows")
        for note in self.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)


def sync(session: LightspeedSession, target: Target, resources: Iterable[str], *, full: bool = False,
         progress: bool = True, connection: str = "", on_progress: ProgressCallback | None = None,
         cancel: threading.Event | None = None) -> SyncResult:
    token = session.token
    selection = select(resources, token.scopes if token is not None else None)
    result = SyncResult(connection or target.connection_name, target.label, full, skipped=dict(selection.skipped))
    started, asked = time.monotonic(), session.statuses.copy()
    run = _Run(on_progress, cancel, len(selection.specs))
    with target.exclusive():  # a second sync into the same tables is refused, not interleaved
        target.prepare()  # first: it also finishes a load a killed sync left behind
        _check_account(session, target, result.connection)
        batch = _Batch(target)
        try:
            for spec in selection.specs:
                if run.cancelled:
                    run.not_reached.append(spec.resource)
                    continue
                try:
                    result.pages += _sync_resource(session, target, spec, full, progress, result, run, batch)
                except ApiError as error:
                    if error.status != 403 or spec.resource not in selection.optional:
                        raise
                    # Asked for everything, and this sign-in's employee may not read it: the rest is still worth
                    # having.
                    result.skipped[spec.resource] = f"Lightspeed refused it (403: {error.message[:120]})"
                run.done += 1
        except Exception:
            batch.salvage()  # what earlier resources fetched is committed, as it was before they shared a load
            raise
        batch.commit()
    if run.cancelled:
        result.cancelled = True
        result.notes.append(_cancel_note(result, run))
    result.seconds = time.monotonic() - started
    answered = session.statuses - asked
    result.requests, result.rate_limited = sum(answered.values()), answered[429]
    return result


class _Run:
    """One sync's progress reporting and cancelling, shared by its resources."""

    def __init__(self, on_progress: ProgressCallback | None, cancel: threading.Event | None, total: int) -> None:
        self.on_progress, self.cancel, self.total = on_progress, cancel, total
        self.done = 0  # resources finished
        self.records = 0  # records received so far, all resources
        self.cut: list[str] = []  # resources stopped part way by the cancel event
        self.not_reached: list[str] = []  # resources the cancel event stopped before they started

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def pages(self, pages: Iterator[list[dict]], resource: str) -> Iterator[list[dict]]:
        """The pages until the cancel event is set: then no further page is requested."""
        for page in pages:
            yield page
            if self.cancelled:
                self.cut.append(resource)
                return


def _cancel_note(result: SyncResult, run: _Run) -> str:
    kept = [f"{table} ({stats.rows} rows)" for table, stats in result.tables.items()]
    parts = ["Cancelled: every chunk committed before it is kept"]
    parts.append(f" ({', '.join(kept)})" if kept else " (nothing had been committed yet)")
    if run.cut:
        parts.append(f"; {', '.join(run.cut)} stopped part way")
    if run.not_reached:
        parts.append(f"; {', '.join(run.not_reached)} not started")
    parts.append(". The next sync carries on from there.")
    return "".join(parts)


def _check_account(session: LightspeedSession, target: Target, connection: str) -> None:
    """Tables remember the account they hold (in the sync state, which lives in the destination beside them): a
    connection signed in to another account, or another connection syncing into the same place, is refused before
    it overwrites a single row (Lightspeed's IDs repeat across accounts: itemID 1 is in every one)."""
    others: dict[str, list[str]] = {}
    by: dict[str, str] = {}
    for table, state in target.states().items():
        account = state.get("account")
        if account is not None and str(account) != session.account_id:
            others.setdefault(str(account), []).append(table)
            if state.get("connection"):
                by[str(account)] = str(state["connection"])
    if not others:
        return
    account, tables = next(iter(others.items()))
    synced_by = f", synced by the connection {by[account]!r}" if account in by else ""
    raise SyncError(
        f"{target.label} holds account {account}'s tables ({', '.join(sorted(tables))}{synced_by}), and "
        f"{connection!r} is signed in to account {session.account_id}: two accounts' records would overwrite each "
        "other. Sync this connection into another destination (e.g. destination='"
        f"{_slug(connection)}.duckdb'), or delete those tables to start over."
    )


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name.casefold()).strip("_") or "shop"


class _Batch:
    """The last chunks of resources, loaded together with whatever is loaded next.

    Most resources fit in one chunk (every one of a small account, and every resource of a repeat sync), and a dlt
    run costs most of a second whatever it holds: a sync of every resource made 21 runs where one does. What waits
    here counts toward the next chunk's size (``Prefetch.chunks(carried=...)``), so the pages fetched and not yet
    loaded stay within fetch.py's rule, and what a kill may lose with them. A resource's counts, deletions and
    result come after the load that holds its rows (``after``).
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.resources: list = []
        self.pages, self.seconds = 0, 0.0
        self._after: list = []

    def add(self, resources: list, pages: int, seconds: float) -> None:
        self.resources.extend(resources)
        self.pages += pages
        self.seconds += seconds

    def after(self, then) -> None:
        """Run ``then`` once everything added so far is loaded."""
        self._after.append(then)

    @property
    def due(self) -> bool:
        return fetch.chunk_full(self.pages, self.seconds)

    def commit(self, resources: list = (), *, rebuild: bool = False) -> None:
        """Load what waits, with ``resources``; ``rebuild``: they replace their tables (refresh="drop_resources"
        drops the tables of every resource in the run, so what waited is loaded first, alone)."""
        if rebuild and self.resources:
            self.commit()
        resources = [*self.resources, *resources]
        self.resources, self.pages, self.seconds = [], 0, 0.0
        if rebuild:
            self.target.load(resources, rebuild=True)
        elif resources:
            self.target.load(resources)
        then, self._after = self._after, []
        for step in then:
            step()

    def salvage(self) -> None:
        """After an error: load what waits (another error here is dropped: the first one is the one to see)."""
        try:
            if self.resources:
                self.commit()
        except Exception:  # noqa: BLE001
            pass


def _sync_resource(session: LightspeedSession, target: Target, spec: Spec, full: bool, progress: bool,
                   result: SyncResult, run: _Run, batch: _Batch) -> int:
    state = target.states().get(spec.resource, {})
    broken = target.broken(spec.tables)  # dropped (or a column dropped) by hand: read whole, tables made anew
    if broken:
        result.notes.append(f"{', '.join(broken)} {'was' if len(broken) == 1 else 'were'} missing or damaged in "
                            f"{target.label}: rebuilt from a full read of {spec.resource}")
    before = target.counts([table for table in spec.tables if table not in broken])
    before.update(dict.fromkeys(broken, 0))
    whole = full or not spec.incremental or bool(broken)  # read everything, then delete what Lightspeed no longer has
    previous = None if broken else _stored_mark(state)
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
    # A rebuild starts its mark afresh: a rebuild killed half way must carry on from what it loaded, not from the old
    # mark (the rows before it are gone).
    mark = None if broken else state.get("last")
    future: dict[str, datetime] = {}
    pages = 0
    rebuild = bool(broken)
    with sync_progress(result.connection, spec.resource, total_pages=total, session=session, enabled=progress,
                       on_progress=run.on_progress, resources_done=run.done, resources_total=run.total,
                       pages_before=result.pages, records_before=run.records) as bar:
        with Prefetch(run.pages(session.pages(spec.resource, **params), spec.resource),
                      clock=session.clock) as fetched:
            for chunk in fetched.chunks(on_page=lambda page: bar.advance(1, len(page)), carried=batch.pages,
                                        carried_seconds=batch.seconds):
                batches = _batches(target, spec, [record for page in chunk for record in page])
                ahead: dict[str, datetime] = {}
                if spec.timestamp:  # a full read keeps a mark too: the next one tells updates from re-reads by it
                    newest, ahead = _newest_trusted(batches[spec.resource], spec.key, _clock(session))
                    future.update(ahead)
                    if newest is not None:
                        mark = max(mark or "", newest.astimezone(timezone.utc).isoformat(timespec="seconds")) or None
                resources = [target.resource(batches[spec.resource].table, spec.resource, spec.key,
                                             timestamp=spec.timestamp, json_columns=batches[spec.resource].json_columns,
                                             state={"last": mark, "account": session.account_id,
                                                    "connection": result.connection})]
                for child in spec.children:
                    lines = batches[child.table]
                    resources.append(target.resource(
                        lines.table, child.table, child.key, parent_key=child.parent_key,
                        timestamp=has_timestamp(child.table), json_columns=lines.json_columns))
                if rebuild:  # the first chunk of a rebuild drops what is left of the tables and makes them anew
                    batch.commit(resources, rebuild=True)
                elif fetched.final:  # the resource's last chunk: it waits for the next load
                    batch.add(resources, len(chunk), fetched.seconds)
                else:
                    batch.commit(resources)
                rebuild = False
                pages += len(chunk)
                tally.add(batches, previous, set(ahead))
    run.records += bar.records
    batch.after(lambda: _finish(target, spec, result, run, tally, before, broken, whole, future))
    if batch.due:
        batch.commit()
    return pages


def _finish(target: Target, spec: Spec, result: SyncResult, run: _Run, tally: "_Tally", before: dict,
            broken: list, whole: bool, future: dict) -> None:
    """Once a resource's rows are loaded: what it noticed, the deletions of a whole read, and its tables' results."""
    if future:
        latest = max(future.values())
        result.notes.append(
            f"{spec.resource}: {len(future)} record{'s' if len(future) != 1 else ''} stamped after Lightspeed's own "
            f"clock (the latest {latest.isoformat(timespec='seconds')}, {spec.key} "
            f"{', '.join(sorted(future, key=str)[:5])}{', ...' if len(future) > 5 else ''}): loaded, but not trusted "
            "as the high-water mark (a shop's clock is wrong?), so they are read again by each sync until then")
    # A whole read cut short by the cancel event has not seen every record: it deletes nothing.
    deleted = _reconcile(target, spec, tally.loaded) if whole and spec.resource not in run.cut else {}
    counted = target.counts(spec.tables)
    for table in spec.tables:
        after = counted[table]
        strategy = spec.strategy if table == spec.resource else f"with {spec.resource}"
        stats = TableResult(strategy, loaded=len(tally.loaded[table]), deleted=deleted.get(table, 0), rows=after)
        stats.inserted = max(0, after - before[table] + stats.deleted)
        # Records re-read by the lookback (or by a full read), unchanged, are neither: only rows stamped after the last
        # sync's mark are changes, and the changes that are not new rows are updates.
        stats.updated = max(0, min(tally.changed[table], stats.loaded) - stats.inserted)
        stats.rebuilt = table in broken
        if table == spec.resource:
            stats.future = len(future)
        result.tables[table] = stats


def _clock(session: LightspeedSession) -> datetime:
    """Lightspeed's clock (its latest answer's ``Date``), or this machine's when no answer carried one."""
    return getattr(session, "server_time", None) or datetime.now(timezone.utc)


def _newest_trusted(batch, key: str, clock: datetime) -> tuple[datetime | None, dict[str, datetime]]:
    """The high-water mark a chunk may set, and the records stamped in the future (``{key: timeStamp}``).

    A mark never passes Lightspeed's clock: a record stamped later (more than ``FUTURE_SLACK``: a shop's wrong clock,
    say 2999-01-01) would otherwise move it where no real change ever reaches, and every later sync would miss
    everything. Those records are loaded like any other, and reported.
    """
    table = batch.table
    if "timeStamp" not in table.column_names or table.num_rows == 0:
        return None, {}
    import pyarrow as pa
    import pyarrow.compute as pc

    stamps = table.column("timeStamp")
    limit = pa.scalar((clock + FUTURE_SLACK).astimezone(timezone.utc), stamps.type)
    ahead = pc.fill_null(pc.greater(stamps, limit), False)
    future = {str(k): (s if s.tzinfo else s.replace(tzinfo=timezone.utc))
              for k, s in zip(table.filter(ahead).column(key).to_pylist(),
                              table.filter(ahead).column("timeStamp").to_pylist())}
    newest = pc.max(table.filter(pc.invert(ahead)).column("timeStamp")).as_py()
    if newest is None:
        return None, future
    newest = newest if newest.tzinfo else newest.replace(tzinfo=timezone.utc)
    return min(newest, clock), future


class _Tally:
    """What a resource's chunks brought: the keys loaded per table (a full read deletes the others), and how many
    rows of each table changed since the last sync (stamped after its mark, or children of such records)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.loaded: dict[str, set[str]] = {table: set() for table in spec.tables}
        self.changed: dict[str, int] = dict.fromkeys(spec.tables, 0)

    def add(self, batches: dict, previous: datetime | None, future: set[str] = frozenset()) -> None:
        spec = self.spec
        parents = batches[spec.resource]
        self.loaded[spec.resource].update(str(k) for k in parents.column(spec.key))
        # Records stamped in the future are read again by every sync: they are not changes each time.
        newer = set(arrow.keys_newer_than(parents, spec.key, previous)) - future if spec.timestamp else set()
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
