"""Pages of Lightspeed records to Arrow tables, the form dlt loads fastest (no row-by-row normalisation).

Flattened as the sync always kept them: one column per field of the record, Lightspeed's names, every value text as
Lightspeed sends it (docs/lightspeed-api.md section 3.3), nested objects and lists as JSON text in a JSON column
(``Prices``, ``Contact``), ``timeStamp`` a UTC timestamp. A child relation (a Sale's ``SaleLines``) is taken out of
its parent's rows and becomes a table of its own, each row carrying its parent's key.

Whether a column is JSON is decided once per column and kept: a column the destination already holds as JSON stays
JSON (its plain values are written as JSON strings, ``""`` -> ``'""'``), and a chunk that brings objects in a column
makes it JSON. Values that are not text (numbers or booleans a misbehaving server sent) are written as text, so one
odd value never splits a column in two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

from ..catalogue import Child
from ..errors import ApiError, SyncError

try:
    import pyarrow as pa
except ImportError as error:  # an install of the sync extra from before it named pyarrow
    raise SyncError("Syncing needs pyarrow (part of the 'sync' extra): pip install --upgrade 'ls-widget[sync]'.") \
        from error

TIMESTAMP = pa.timestamp("us", tz="UTC")
_TEXT = pa.string()


@dataclass
class Batch:
    """One table's rows of a chunk: the Arrow table, and what the sync needs to know about them."""

    table: pa.Table
    json_columns: set[str] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> list:
        return self.table.column(name).to_pylist() if name in self.table.column_names else []


def split(records: list[dict], key: str, children: Iterable[Child], resource: str) -> tuple[list[dict], dict]:
    """The records as rows of their own table, and each child table's rows (with the parent's key added)."""
    rows, nested = [], {child.table: [] for child in children}
    for record in records:
        value = record.get(key)
        if not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
            raise ApiError(200, f"Lightspeed sent a {resource} record without a readable {key}: it cannot be merged. "
                                "Run the sync again; report it if it persists.")
        if nested:  # the page's own records, parsed for this sync alone: taken apart in place, no copy
            for child in children:
                for line in _nested(record.pop(child.path[0], None), child.path[1:]):
                    if isinstance(line, dict) and isinstance(line.get(child.key), (str, int)):
                        nested[child.table].append({**line, child.parent_key: record[key]})
        rows.append(record)
    return rows, nested


def _nested(value, path: tuple[str, ...]) -> list:
    """A to-many relation's records, always a list: Lightspeed sends one as an object, none as ``""`` or nothing."""
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value) if isinstance(value, list) else []


def to_arrow(rows: list[dict], *, timestamp: bool, required: bool = False, json_columns: Iterable[str] = (),
             text_columns: Iterable[str] = (), resource: str = "", key: str = "") -> Batch:
    """``rows`` as one Arrow table (see the module docstring). ``timestamp``: type ``timeStamp`` as an instant;
    ``required``: every row must have one (an incremental read's mark depends on it). ``json_columns``/
    ``text_columns``: what the destination already holds, which a chunk does not change."""
    known_json, known_text = set(json_columns), set(text_columns)
    columns, made_json = {}, set()
    for name, values in _columns(rows).items():
        if name == "timeStamp" and timestamp:
            columns[name] = _timestamps(values, rows, resource, key)
            continue
        if name not in known_json:
            try:  # the common case, every value text: Arrow checks that in C
                columns[name] = pa.array(values, _TEXT)
                continue
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
        if name in known_json or (name not in known_text and any(isinstance(v, (dict, list)) for v in values)):
            made_json.add(name)
            columns[name] = pa.array([None if v is None else _dumps(v) for v in values], _TEXT)
        else:  # a value that is not text (a number a misbehaving server sent): written as text, never a split column
            columns[name] = pa.array([None if v is None else _as_text(v) for v in values], _TEXT)
    if required and rows and ("timeStamp" not in columns or columns["timeStamp"].null_count):
        missing = next(row for row in rows if row.get("timeStamp") is None)
        raise ApiError(200, f"Lightspeed sent {resource} {missing.get(key)!r} without a timeStamp; the sync stopped "
                            "before storing it.")
    fields = [pa.field(name, array.type, nullable=name != key) for name, array in columns.items()]
    return Batch(pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields)), made_json)


def _columns(rows: list[dict]) -> dict[str, list]:
    """The rows as columns. Lightspeed's records of one resource share their fields and their order, so the rows
    are usually transposed at C speed; records that differ are read field by field (a missing field is None)."""
    if not rows:
        return {}
    first = tuple(rows[0])
    if all(tuple(row) == first for row in rows):
        return dict(zip(first, map(list, zip(*(row.values() for row in rows)))))
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return {name: [row.get(name) for row in rows] for name in names}


def _dumps(value) -> str:
    """JSON text, compact. orjson (which dlt itself installs) is several times faster than json for this."""
    return _orjson_dumps(value).decode() if _orjson_dumps else json.dumps(value, separators=(",", ":"))


try:
    from orjson import dumps as _orjson_dumps
except ImportError:  # PyPy and other platforms dlt installs it on without orjson
    _orjson_dumps = None


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _dumps(value)
    return str(value)


def _timestamps(values: list, rows: list[dict], resource: str, key: str) -> pa.Array:
    """``timeStamp`` as UTC instants; a value that is not a date and time stops the sync before anything is stored
    (it drives the high-water mark)."""
    try:
        return pa.array(values, _TEXT).cast(TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    for row, value in zip(rows, values):
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise ApiError(200, f"Lightspeed sent {resource} {row.get(key)!r} with a timeStamp of {str(value)[:40]!r}, "
                                "not a date and time; the sync stopped before storing it.")
    # Every value parses in Python (e.g. an offset form Arrow does not read): convert them here.
    moments = [datetime.fromisoformat(v) for v in values]
    return pa.array([m if m.tzinfo else m.replace(tzinfo=timezone.utc) for m in moments], TIMESTAMP)


def newest(batch: Batch) -> datetime | None:
    """The latest ``timeStamp`` of the batch (None for none)."""
    if "timeStamp" not in batch.table.column_names or batch.rows == 0:
        return None
    import pyarrow.compute as pc

    value = pc.max(batch.table.column("timeStamp")).as_py()
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def keys_newer_than(batch: Batch, key: str, mark: datetime | None) -> list[str]:
    """Keys of the rows stamped after ``mark`` (all of them without a mark): what changed since the last sync."""
    if mark is None or "timeStamp" not in batch.table.column_names:
        return [str(k) for k in batch.column(key)]
    import pyarrow.compute as pc

    newer = batch.table.filter(pc.greater(batch.table.column("timeStamp"), pa.scalar(mark, TIMESTAMP)))
    return [str(k) for k in newer.column(key).to_pylist()]


def deletions(columns: dict[str, list[str]], flag: str) -> pa.Table:
    """Rows that only name what to delete (their keys) and carry ``flag`` true: dlt's hard delete."""
    size = len(next(iter(columns.values()))) if columns else 0
    arrays = {name: pa.array(values, _TEXT) for name, values in columns.items()}
    arrays[flag] = pa.array([True] * size, pa.bool_())
    return pa.table(arrays)
