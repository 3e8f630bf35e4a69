"""``lightspeed_source(connection, resources)``: the sync as a dlt source, for a team's own pipelines.

    import dlt
    from ls_widget.sync import lightspeed_source

    pipeline = dlt.pipeline("lightspeed", destination="postgres", dataset_name="downtown")
    pipeline.run(lightspeed_source("Downtown", ["Item", "Sale", "Customer"]))   # cron, Airflow, Dagster, CI...

The same reads as ``conn.sync`` (the catalogue's strategy for each resource, Arrow tables, a Sale's lines and
payments as tables of their own, merged by key), with dlt keeping the state: the high-water mark of each
incremental resource lives in the pipeline's resource state, so the next run fetches only what changed. Resources
Lightspeed cannot read incrementally (Shop, Register, ...) are read whole with dlt's ``replace``. One run is one
commit: a run that fails keeps nothing and the next starts from the last good one (``conn.sync`` commits every few
pages instead, for notebooks).

``connection`` is a ``Connection`` (or the panel, ``LightspeedConnection``), its ``LightspeedSession``, or a saved
connection's name (connected.py); the tables of another account are refused, as ``conn.sync`` refuses them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..errors import SyncError
from ..session import PAGE_SIZE
from . import arrow
from .connected import session_of
from .fetch import Prefetch
from .run import LOOKBACK
from .specs import Spec, has_timestamp, select
from .target import import_dlt


def lightspeed_source(connection: Any, resources: Any = "all"):
    """A dlt source of ``resources`` (names, ``"all"`` or ``ls_widget.resources()``) read through ``connection``."""
    dlt = import_dlt()
    session = session_of(connection, needed_by="lightspeed_source")
    token = session.token
    selection = select(resources, token.scopes if token is not None else None)

    # Lightspeed's own names for tables and columns (Item, itemID, timeStamp), as conn.sync keeps them: the same SQL
    # and the same models work on both.
    @dlt.source(max_table_nesting=0,
                schema=dlt.Schema("lightspeed", normalizers={"names": "direct"}))
    def lightspeed():
        return [_resource(dlt, session, spec) for spec in selection.specs]

    return lightspeed()


def _resource(dlt, session, spec: Spec):
    columns = {"timeStamp": {"data_type": "timestamp", "nullable": True}} if spec.timestamp else {}

    def records():
        state = dlt.current.resource_state()
        stored = state.get("account")
        if stored is not None and str(stored) != session.account_id:
            raise SyncError(f"This pipeline's {spec.resource} table holds account {stored}'s data, and the connection "
                            f"is signed in to account {session.account_id}: use another dataset_name or pipeline.")
        state["account"] = session.account_id
        params: dict = {"archived": "true", "limit": PAGE_SIZE}
        if spec.incremental:
            params["sort" if session.profile.pagination == "cursor" else "orderby"] = "timeStamp"
            since = _mark(state.get("last"))
            if since is not None:
                params["timeStamp"] = (">=", since - LOOKBACK)
        if spec.relations:
            params["load_relations"] = list(spec.relations)
        with Prefetch(session.pages(spec.resource, **params), clock=session.clock) as fetched:
            for chunk in fetched.chunks():
                records = [record for page in chunk for record in page]
                rows, children = arrow.split(records, spec.key, spec.children, spec.resource)
                batch = arrow.to_arrow(rows, timestamp=spec.timestamp, required=spec.incremental,
                                       resource=spec.resource, key=spec.key)
                if spec.incremental:
                    newest = arrow.newest(batch)
                    if newest is not None:
                        stamp = newest.astimezone(timezone.utc).isoformat(timespec="seconds")
                        state["last"] = max(state.get("last") or "", stamp)
                yield _hinted(dlt, batch, spec.resource, columns)
                for child in spec.children:
                    lines = arrow.to_arrow(children[child.table], timestamp=has_timestamp(child.table),
                                           resource=child.table, key=child.key)
                    hints = dlt.mark.make_hints(table_name=child.table, primary_key=child.key,
                                                merge_key=child.parent_key, write_disposition="merge",
                                                columns=_json(lines))
                    yield dlt.mark.with_hints(lines.table, hints, create_table_variant=True)

    disposition = "merge" if spec.incremental else "replace"
    return dlt.resource(records(), name=spec.resource, primary_key=spec.key, write_disposition=disposition,
                        columns=columns)


def _hinted(dlt, batch: arrow.Batch, table: str, columns: dict):
    if not batch.json_columns:
        return batch.table
    return dlt.mark.with_hints(batch.table, dlt.mark.make_hints(columns={**columns, **_json(batch)}))


def _json(batch: arrow.Batch) -> dict:
    return {name: {"data_type": "json", "nullable": True} for name in batch.json_columns}


def _mark(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
