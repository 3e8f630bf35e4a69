"""Analysts' tables: ready-made models of sales, stock, items and customers, built on the synced tables.

``conn.sync(...)`` rebuilds them at its end (``models=False`` skips that), in the same destination as the raw tables,
so ``conn.read("daily_sales")`` and ``conn.sql("select ... from daily_sales")`` see them:

- ``sales``: one row per counted sale (completed, not voided, not archived), in its shop's local time;
- ``sale_lines``: one row per line of a counted sale, with the item, its category path, manufacturer and vendor;
- ``daily_sales``: one row per shop and local date;
- ``stock``: one row per item and shop, never Lightspeed's account-wide row;
- ``items``: one row per item with its price at every price level;
- ``customers``: one row per customer with e-mail, phone and what they bought.

What each column means is in the README ("Analysts' tables") and ``docs/models.md``; the SQL is in
``definitions.py``, written once for DuckDB and PostgreSQL (``dialect.py`` holds the two places they differ). Each
model is a table, rebuilt whole in one transaction: a reader sees the old or the new one, never half of it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable

from ..catalogue import CATALOGUE, Catalogue
from ..errors import ConfigurationError, SyncError
from .definitions import BUILDERS, Context
from .dialect import DUCKDB, POSTGRES

if TYPE_CHECKING:
    from ..sync.target import Target

__all__ = ["MODELS", "MODEL_INPUTS", "local_tables", "read", "record_sync", "refresh"]

# Each model's inputs: the synced tables (a SaleLine table comes with Sale) and models it reads. Without a required
# one the model is not built; without an optional one (a table the sign-in's scopes may not read: Employee needs an
# admin scope) it is built with those columns empty, and the sync's notes say so.
MODELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sales": (("Sale", "SaleLine", "Shop"), ("Register", "Employee", "Customer")),
    "sale_lines": (("sales", "SaleLine"), ("Item", "Category", "Manufacturer", "Vendor")),
    "daily_sales": (("sales", "sale_lines"), ()),
    "stock": (("ItemShop",), ("Item", "Shop")),
    "items": (("Item",), ("Category", "Manufacturer", "Vendor", "PriceLevel")),
    "customers": (("Customer",), ("sales",)),
}
# The resources every model reads, as a part of the catalogue: ``conn.sync(MODEL_INPUTS)`` syncs those this sign-in's
# scopes can read and says which it skipped (like ``conn.sync("all")``); the panel preselects them.
MODEL_INPUTS = Catalogue(CATALOGUE[name] for name in (
    "Sale", "Shop", "Register", "Employee", "Customer", "Item", "ItemShop", "Category", "Manufacturer", "Vendor",
    "PriceLevel"))
VERSION = "1"  # bumped when a definition changes: every model is then rebuilt by the next sync
# What each local table holds and since when: a table beside them (table_name, kind "raw" | "model", row_count,
# refreshed_at ISO 8601 UTC, version of a model's definition), written at the end of each sync, so that listing the
# tables (the panel does after every sync) is one read-only query, with no dlt pipeline set up and nothing written.
META = "_ls_tables"


def raw_inputs(model: str, required_only: bool = False) -> set[str]:
    """The synced tables ``model`` reads (or cannot do without), through the models it is built on."""
    required, optional = MODELS[model]
    found: set[str] = set()
    for name in required if required_only else required + optional:
        found |= raw_inputs(name, required_only) if name in MODELS else {name}
    return found


def _resource_of(table: str) -> str:
    entry = CATALOGUE.get(table)
    return entry.child_of if entry is not None and entry.child_of else table


def needs(model: str, present: Iterable[str]) -> list[str]:
    """The resources to sync before ``model`` can be built (none when it can)."""
    missing = raw_inputs(model, required_only=True) - set(present)
    return sorted({_resource_of(table) for table in missing})


def _without(model: str, present: Iterable[str]) -> list[str]:
    """The optional inputs ``model`` is built without (their columns empty)."""
    return sorted({_resource_of(t) for t in MODELS[model][1] if t not in MODELS and t not in set(present)})


def refresh(target: "Target", touched: Iterable[str] | None = None, notes: list[str] | None = None,
            skipped: Iterable[str] = ()) -> dict[str, int]:
    """Rebuild the models whose inputs ``touched`` (synced tables; ``None``: all) and those never built or built by
    another version; returns ``{model: rows}`` of those rebuilt. A model whose inputs are not all synced is skipped;
    ``read`` says which sync it needs. What an analyst should know about the data (a shop's unknown time zone,
    customers synced without their contact details, a model built without an input the sync ``skipped`` for want of
    a scope) is appended to ``notes``."""
    if target.files:
        return {}  # Delta tables on a filesystem: no SQL engine there to hold a model (README: "Analysts' tables")
    touched_set = None if touched is None else set(touched)
    built: dict[str, int] = {}
    notes = notes if notes is not None else []
    try:
        with target.exclusive(), target.pipeline.sql_client() as client:
            ctx, meta = _context(target, client)
            for model, builder in BUILDERS.items():
                if needs(model, ctx.columns):
                    continue
                stale = (model not in ctx.columns or meta.get(model, {}).get("version") != VERSION
                         or touched_set is None or bool(raw_inputs(model) & touched_set)
                         or any(name in built for name in MODELS[model][0] + MODELS[model][1]))
                if not stale:
                    continue
                built[model] = _build(client, ctx, model, builder(ctx))
                ctx.columns[model] = {"_built"}  # present for the models after it
                # Said when the analyst asked for an input and the scopes could not read it (otherwise it is simply
                # not synced, as docs/models.md says, and every sync of a few tables would repeat it).
                lacking = [name for name in _without(model, ctx.columns) if name in set(skipped)]
                if lacking:
                    notes.append(f"{model} was built without {', '.join(lacking)} (this sign-in's scopes do not read "
                                 f"{'it' if len(lacking) == 1 else 'them'}): those columns are empty; add the scope "
                                 "with 'Edit scopes' and sync again to fill them.")
            # Said with the models they concern, not by every sync.
            if ctx.bad_zones and "sales" in built:
                notes.append(f"Shop.timeZone {', '.join(map(repr, sorted(ctx.bad_zones)))} is not a time zone "
                             "the database knows: those shops' days are cut at UTC midnight in the models. "
                             "Set the shop's time zone in Lightspeed (Settings > Shop setup).")
            if "customers" in built and "Contact" not in ctx.columns.get("Customer", ()):
                notes.append("Customer was synced without its contact details (by an older ls_widget): customers' "
                             "email and phone are empty until conn.sync(['Customer'], full=True) reads them again.")
    except (SyncError, ConfigurationError):
        raise
    except Exception as exc:  # noqa: BLE001 - a model that fails is a bug here, said as such, with the database's words
        raise SyncError(f"The sync finished, but building the analysts' tables in {target.label} failed: "
                        f"{_first_line(exc)}. The synced tables are complete; report this, or pass models=False."
                        ) from exc
    return built


def _context(target: "Target", client) -> tuple[Context, dict]:
    dialect = POSTGRES if "postgres" in type(client).__module__ else DUCKDB
    schema = client.dataset_name
    columns: dict[str, set[str]] = {}
    with client.execute_query("SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE table_schema = %s", schema) as cursor:
        for table, column in cursor.fetchall():
            columns.setdefault(table, set()).add(column)
    meta: dict[str, dict] = {}
    if META in columns:
        with client.execute_query(f"SELECT table_name, version FROM {client.make_qualified_table_name(META)} "
                                  "WHERE kind = 'model'") as cursor:
            meta = {model: {"version": version} for model, version in cursor.fetchall()}
    ctx = Context(dialect, client.make_qualified_table_name, columns)
    if "timeZone" in columns.get("Shop", ()):
        with client.execute_query(f"SELECT DISTINCT \"timeZone\" FROM {ctx.t('Shop')}") as cursor:
            zones = {zone for (zone,) in cursor.fetchall() if zone}
        # Asked of the database, not of Python: zoneinfo opens any file of the system's tz database
        # ("posix/Europe/Paris", "localtime"), names neither DuckDB nor PostgreSQL takes in AT TIME ZONE.
        with client.execute_query(dialect.time_zone_names()) as cursor:
            known = {name for (name,) in cursor.fetchall()}
        ctx.bad_zones = zones - known
    if {"priceLevelID", "name"} <= columns.get("PriceLevel", set()):
        with client.execute_query(f"SELECT \"priceLevelID\", \"name\" FROM {ctx.t('PriceLevel')}") as cursor:
            levels = cursor.fetchall()
        ctx.price_levels = sorted(((str(i), str(n)) for i, n in levels if i),
                                  key=lambda level: (len(level[0]), level[0]))
    return ctx, meta



def _build(client, ctx: Context, model: str, select: str) -> int:
    table, meta = ctx.qualify(model), ctx.qualify(META)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with client.begin_transaction():
        client.execute_sql(f"DROP TABLE IF EXISTS {table}")
        client.execute_sql(f"CREATE TABLE {table} AS {select}")
        _create_meta(client, meta)
        with client.execute_query(f"SELECT COUNT(*) FROM {table}") as cursor:
            rows = int(cursor.fetchone()[0])
        client.execute_sql(f"DELETE FROM {meta} WHERE table_name = %s", model)
        client.execute_sql(f"INSERT INTO {meta} VALUES (%s, %s, %s, %s, %s)", model, "model", rows, now, VERSION)
    return rows


def _create_meta(client, meta: str) -> None:
    client.execute_sql(f"CREATE TABLE IF NOT EXISTS {meta} (table_name VARCHAR, kind VARCHAR, row_count BIGINT, "
                       "refreshed_at VARCHAR, version VARCHAR)")


def record_sync(target: "Target", result) -> None:
    """Note, beside the tables, the rows of each table ``result`` synced and that it is up to date as of now (a
    cancelled sync updates the rows only: its tables are not up to date)."""
    if target.files or not result.tables:
        return
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        with target.pipeline.sql_client() as client:
            meta = client.make_qualified_table_name(META)
            with client.begin_transaction():
                _create_meta(client, meta)
                for table, stats in result.tables.items():
                    if result.cancelled:
                        client.execute_sql(f"UPDATE {meta} SET row_count = %s WHERE table_name = %s", stats.rows,
                                           table)
                        continue
                    client.execute_sql(f"DELETE FROM {meta} WHERE table_name = %s", table)
                    client.execute_sql(f"INSERT INTO {meta} VALUES (%s, %s, %s, %s, %s)", table, "raw", stats.rows,
                                       now, None)
    except Exception as exc:  # noqa: BLE001 - bookkeeping for the panel's list: the sync itself is complete
        result.notes.append(f"The list of local tables could not be updated ({_first_line(exc)}); the tables are "
                            "complete.")


def read(target: "Target", model: str):
    """The rows of ``model`` as a DataFrame; a model not built yet says which ``conn.sync([...])`` it needs."""
    recorded = _recorded(target)
    if recorded.get(model, {}).get("kind") != "model":
        present = set(target.table_names()) | set(recorded)
        missing = needs(model, present)
        if missing:
            raise ConfigurationError(
                f"{model} is built from synced tables that are not in {target.label} yet: run "
                f"conn.sync({missing!r}) (or conn.sync(ls_widget.models.MODEL_INPUTS) for every model).")
        raise ConfigurationError(f"{model} is built at the end of a sync: run conn.sync(ls_widget.models.MODEL_INPUTS)"
                                 " (a sync with models=False skips it).")
    # Unqualified: a DuckDB file is read with the dataset as its schema, PostgreSQL with it on the search path.
    return _as_numbers(target.query(f'SELECT * FROM "{model}"'))


def _as_numbers(frame):
    """The same DataFrame from every destination: DuckDB's driver gives DECIMAL columns as floats and DATE as
    datetime64, PostgreSQL's as ``Decimal`` and ``date`` objects (which pandas cannot plot or resample). The exact
    decimals stay in the database, for ``conn.sql``."""
    import datetime as dt
    from decimal import Decimal

    import pandas as pd

    for column in frame.columns:
        values = frame[column].dropna()
        if frame[column].dtype != object or values.empty:
            continue
        if all(isinstance(v, Decimal) for v in values):
            frame[column] = frame[column].astype("float64")
        elif all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values):
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _recorded(target: "Target") -> dict[str, dict]:
    """``{table: {"kind", "rows", "updated"}}`` as the syncs recorded them (empty before the first one)."""
    if target.files:
        return {}
    try:
        frame = target.query(f'SELECT table_name, kind, row_count, refreshed_at FROM "{META}"')
    except (SyncError, ConfigurationError):
        return {}  # nothing synced here yet, or synced by a version that kept no record
    return {str(t): {"kind": str(k), "rows": int(r), "updated": None if u is None or u != u else str(u)}
            for t, k, r, u in frame.itertuples(index=False)}


def local_tables(target: "Target") -> list[dict]:
    """Every local table: the synced ones with their rows and when a sync last brought them up to date, then the
    models with their rows and when they were built. Read-only: nothing is set up or written."""
    recorded = _recorded(target)
    try:
        present = [t for t in target.table_names() if t != META]
    except ConfigurationError:
        return []  # nothing synced here yet
    present += [t for t, facts in recorded.items() if facts["kind"] == "model" and t not in present]
    unrecorded = [t for t in present if t not in recorded]  # synced by an older version, or by lightspeed_source
    counts: dict[str, int] = {}
    if unrecorded:
        # Any table in the dataset is listed, an analyst's own too, so its name may hold a quote: doubled, as SQL
        # quotes one inside a quoted identifier.
        quoted = ['"' + t.replace('"', '""') + '"' for t in unrecorded]
        frame = target.query("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q}) AS n{i}" for i, q in enumerate(quoted)))
        counts = {t: int(n) for t, n in zip(unrecorded, frame.iloc[0].tolist())}
    tables = [{"table": t, "rows": recorded[t]["rows"] if t in recorded else counts[t], "kind": "raw",
               "updated": recorded.get(t, {}).get("updated")} for t in sorted(present) if t not in MODELS]
    tables += [{"table": m, "rows": recorded[m]["rows"], "kind": "model", "updated": recorded[m]["updated"]}
               for m in MODELS if m in present and m in recorded]
    return tables


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
