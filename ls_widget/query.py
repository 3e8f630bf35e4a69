"""Lightspeed's query-string dialect: filters, ``load_relations`` and their encoding.

A filter is ``field=<op>,<value>`` with the operator and the comma percent-encoded, e.g. ``defaultCost=>=,5``
travels as ``defaultCost=%3E%3D%2C5``, while the ``=`` and ``&`` that separate parameters must stay literal
(encoding the whole query string silently breaks filters; docs/lightspeed-api.md section 3.5). In Python a filter
is a tuple: ``defaultCost=(">=", 5)``, ``itemID=("IN", [1, 2])``, ``timeStamp=(">", datetime)``,
``defaultCost=("><", (5, 10))``; a plain value means equality. The values of an ``IN`` or ``><`` list cannot hold
a comma (Lightspeed splits on it and has no escape): such a filter is refused, never split.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from typing import Any, Iterable, Mapping
from urllib.parse import quote

from .errors import ConfigurationError

OPERATORS = ("=", ">", ">=", "<", "<=", "!=", "~", "!~", "IN", "><")
MAX_IN_VALUES = 100  # Lightspeed's limit since 2022-05-20


def format_value(value: Any) -> str:
    """One scalar as Lightspeed expects it: booleans lower-case, times as UTC ISO 8601 with an offset."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # A naive datetime is taken as UTC, the zone Lightspeed's timeStamp uses.
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).isoformat(timespec="seconds")
    if isinstance(value, date):
        return format_value(datetime.combine(value, time(0, tzinfo=timezone.utc)))
    return str(value)


def filter_value(field: str, value: Any) -> str:
    """The unencoded right-hand side of ``field=...``."""
    if field == "load_relations":
        if isinstance(value, str):
            return value  # "all", or a JSON array already written out
        return json.dumps(list(value), separators=(",", ":"))
    if not (isinstance(value, tuple) and len(value) == 2 and value[0] in OPERATORS):
        if isinstance(value, tuple):
            raise ConfigurationError(
                f"Filter {field}={value!r}: write it as (operator, value) with an operator from {', '.join(OPERATORS)}."
            )
        return format_value(value)
    operator, operand = value
    if operator == "=":
        return format_value(operand)
    if operator == "IN":
        items = list(_iterable(field, operator, operand))
        if not items or len(items) > MAX_IN_VALUES:
            raise ConfigurationError(
                f"Filter {field}=IN takes 1 to {MAX_IN_VALUES} values (got {len(items)}); split longer lists."
            )
        return "IN,[" + ",".join(_one_of_many(field, operator, item) for item in items) + "]"
    if operator == "><":
        bounds = list(_iterable(field, operator, operand))
        if len(bounds) != 2:
            raise ConfigurationError(f"Filter {field}=('><', (low, high)) needs exactly two bounds.")
        return f"><,{_one_of_many(field, operator, bounds[0])},{_one_of_many(field, operator, bounds[1])}"
    return f"{operator},{format_value(operand)}"


def encode(params: Mapping[str, Any]) -> str:
    """The query string for ``params`` (``None`` values are left out)."""
    parts = []
    for field, value in params.items():
        if value is None:
            continue
        parts.append(f"{quote(str(field), safe='.')}={quote(filter_value(field, value), safe='')}")
    return "&".join(parts)


def _one_of_many(field: str, operator: str, item: Any) -> str:
    """One value of a comma-separated list (``IN``, ``><``). Lightspeed splits those lists on every comma and
    documents no escape (percent-encoding does not help: the whole value is decoded before it is split), so a value
    holding a comma would silently become two values: refused instead."""
    text = format_value(item)
    if "," in text:
        raise ConfigurationError(
            f"Filter {field}={operator!r} cannot hold the value {text[:60]!r}: Lightspeed separates its values with "
            f"commas and has no way to escape one. Filter on it alone instead, {field}={text[:60]!r} (or "
            f"{field}=('~', ...) for a pattern), and combine the results."
        )
    return text


def _iterable(field: str, operator: str, operand: Any) -> Iterable[Any]:
    if isinstance(operand, (str, bytes)) or not hasattr(operand, "__iter__"):
        raise ConfigurationError(f"Filter {field}=({operator!r}, ...) needs a list of values.")
    return operand
