"""Lightspeed's query filters: ``field=<op>,<value>`` (docs/lightspeed-api.md section 3.5).

Operators: ``=`` (also a bare value), ``>``, ``>=``, ``<``, ``<=``, ``!=``, ``~`` (SQL LIKE, ``%`` any run, ``_`` one
character), ``!~``, ``IN,[a,b,...]`` or ``IN,a,b,...`` (at most 100 values; clients send both), ``><,a,b`` (between,
inclusive). The client percent-encodes
the operator and the comma; the query string decoder gives them back here already decoded.

Values compare by the field's kind, found from the data: timestamps (``timeStamp``, ``createTime``, ``updatetime``,
any field whose values are all ISO 8601 instants) as instants,
so any ISO 8601 offset works (a ``+`` that a careless client left unencoded arrives as a space and is read back as
``+``); numeric fields as numbers; the rest as text, case-insensitively as Lightspeed's MySQL collation does
(UNCONFIRMED). A record without the field matches no condition, as SQL NULL.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .data import Table

DATETIME_FIELDS = frozenset({"timeStamp", "createTime", "completeTime", "updatetime"})
_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
MAX_IN_VALUES = 100
_OPERATORS = ("><", ">=", "<=", "!=", "!~", "IN", ">", "<", "=", "~")  # longest first
_COMPARE = {"=": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge, "<": operator.lt,
            "<=": operator.le}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_SPACE_FOR_PLUS = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


class QueryError(ValueError):
    """A bad query parameter: a 400 with this message."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    values: tuple  # raw texts as sent


def parse_condition(field: str, raw: str) -> Condition:
    for op in _OPERATORS:
        if raw.startswith(op + ","):
            rest = raw[len(op) + 1:]
            if op == "IN":
                return Condition(field, op, _in_values(field, rest))
            if op == "><":
                low, sep, high = rest.partition(",")
                if not sep or not low or not high:
                    raise QueryError(f"Between needs two values: {field}=><,low,high")
                return Condition(field, op, (low, high))
            return Condition(field, op, (rest,))
    return Condition(field, "=", (raw,))


def _in_values(field: str, text: str) -> tuple:
    """``[1,2,3]`` or ``1,2,3``: the values of an IN condition."""
    text = text.strip()
    if text.startswith("[") != text.endswith("]"):
        raise QueryError(f"IN needs a list: {field}=IN,[1,2,3] or {field}=IN,1,2,3")
    if text.startswith("["):
        text = text[1:-1]
    values = tuple(v.strip().strip('"').strip("'") for v in text.split(",") if v.strip())
    if not values:
        raise QueryError(f"IN needs at least one value: {field}=IN,[1,2,3] or {field}=IN,1,2,3")
    if len(values) > MAX_IN_VALUES:
        raise QueryError(f"IN accepts at most {MAX_IN_VALUES} values, got {len(values)}.")
    return values


def scalar_fields(table: Table) -> frozenset:
    key = ("fields",)
    if key not in table.derived:
        names = set()
        for record in table.records:
            names.update(k for k, v in record.items() if isinstance(v, str))
        table.derived[key] = frozenset(names)
    return table.derived[key]


def kind(table: Table, field: str) -> str:
    """``"time"``, ``"number"`` or ``"text"``: how this field's values compare."""
    key = ("kind", field)
    if key not in table.derived:
        if field in DATETIME_FIELDS:
            found = "time"
        else:
            values = [r[field] for r in table.records if isinstance(r.get(field), str) and r[field]]
            if values and all(_NUMBER.match(v) for v in values):
                found = "number"
            elif values and all(_INSTANT.match(v) for v in values):
                found = "time"
            else:
                found = "text"
        table.derived[key] = found
    return table.derived[key]


def column(table: Table, field: str) -> list:
    """The field's values in record order, typed for comparison (None where a record lacks the field)."""
    key = ("column", field)
    if key not in table.derived:
        found = kind(table, field)
        convert = {"time": _record_time, "number": float, "text": str.casefold}[found]
        values = []
        for record in table.records:
            value = record.get(field)
            values.append(None if value is None or (value == "" and found != "text") else convert(value))
        table.derived[key] = values
    return table.derived[key]


def coerce(table: Table, field: str, text: str):
    found = kind(table, field)
    if found == "time":
        return parse_time(text)
    if found == "number":
        try:
            return float(text)
        except ValueError:
            raise QueryError(f"{field} is numeric: {text!r} is not a number.") from None
    return text.casefold()


def parse_time(text: str) -> float:
    value = _SPACE_FOR_PLUS.sub(r"\1+\2", text.strip())
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{text!r} is not a timestamp: use ISO 8601, e.g. 2026-03-01T14:22:05+00:00.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _record_time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def matcher(table: Table, condition: Condition):
    """A function of the record's index that says whether it meets ``condition``."""
    field, op = condition.field, condition.op
    if op in ("~", "!~"):
        pattern = _like(condition.values[0])
        records = table.records
        if op == "~":
            return lambda i: field in records[i] and pattern.match(records[i][field]) is not None
        return lambda i: field in records[i] and pattern.match(records[i][field]) is None
    values = column(table, field)
    if op == "IN":
        wanted = {coerce(table, field, v) for v in condition.values}
        return lambda i: values[i] is not None and values[i] in wanted
    if op == "><":
        low, high = (coerce(table, field, v) for v in condition.values)
        return lambda i: values[i] is not None and low <= values[i] <= high
    target, compare = coerce(table, field, condition.values[0]), _COMPARE[op]
    return lambda i: values[i] is not None and compare(values[i], target)


def _like(pattern: str) -> re.Pattern:
    parts = ("." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts) + r"\Z", re.IGNORECASE | re.DOTALL)
