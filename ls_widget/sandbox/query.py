"""List reads: query parameters, selection, order and pages (docs/lightspeed-api.md sections 3.3-3.5).

V3: ``limit`` (default 100, 0-100), ``sort`` (the primary ID or ``timeStamp``, ``-`` for descending; another field is
a 400 that lists the allowed ones), opaque ``after``/``before`` cursors, and ``@attributes.next``/``previous`` as
absolute URLs that carry the whole query. A cursor is base64 of the JSON sort key of the record it points past:
``[100]`` for an ID sort (``WzEwMF0=``, as in Lightspeed's own example), ``["2026-03-01T14:22:05+00:00", 100]`` for a
timeStamp sort, where the ID breaks ties so every record appears exactly once however many share a timeStamp.
``offset``/``orderby`` are V2 only and refused by V3 (the sandbox prefers a clear 400 to the silent first page a
migrated V2 loop would otherwise loop on; UNCONFIRMED what Lightspeed does).

V2: ``offset``/``limit`` with ``@attributes`` ``count``, ``offset``, ``limit``; ``orderby`` on any field (a field other
than the ID and timeStamp costs +4) and ``orderby_desc=1``, ties broken by ID.

Both: field filters (filters.py), ``or=a=x|b=y``, ``archived=false|true|only`` (default false; on resources that
have the flag), ``load_relations`` (a JSON array or ``all``), ``count=1`` (only ``{"@attributes": {"count": "N"}}``;
not with ``limit``, ``sort``, ``after`` or ``before``). A parameter given twice is a 400 (UNCONFIRMED: a PHP front end
such as Lightspeed's would keep only the last one and silently drop a condition; ``><`` is the way to give a range).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from .data import Table
from .filters import Condition, QueryError, column, kind, matcher, parse_condition, parse_time, scalar_fields
from .resources import Resource

MAX_LIMIT = 100
_CACHE_SIZE = 32
_V3_ONLY = ("sort", "after", "before")
_V2_ONLY = ("offset", "orderby", "orderby_desc")
_LOCK = threading.Lock()


@dataclass
class ListQuery:
    version: str
    conditions: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)  # the `or` operands
    archived: str = "false"
    relations: list = field(default_factory=list)
    count: bool = False
    limit: int = MAX_LIMIT
    sort: str = ""
    descending: bool = False
    after: list | None = None
    before: list | None = None
    offset: int = 0
    costly_order: bool = False  # V2 orderby on a field V3 could not sort by
    carried: list = field(default_factory=list)  # (name, value) to repeat in next/previous


def parse_relations(resource: Resource, raw: str | None) -> list:
    if raw is None or raw == "":
        return []
    if raw == "all":
        return list(resource.relations)
    try:
        names = json.loads(raw)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise QueryError('load_relations must be a JSON array of relation names, e.g. ["SaleLines"], or all.')
    unknown = [n for n in names if n not in resource.relations]
    if unknown:
        known = ", ".join(resource.relations) or "none"
        raise QueryError(f"Unknown relation(s) for {resource.name}: {', '.join(unknown)}. Relations: {known}.")
    return list(dict.fromkeys(names))


def parse(version: str, resource: Resource, table: Table, pairs: list) -> ListQuery:
    """Read the query string (decoded ``(name, value)`` pairs) of a list request."""
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise QueryError(f"Parameter(s) given more than once: {', '.join(repeated)}. Give each field one "
                         f"condition; for a range use field=><,low,high.")
    params = dict(pairs)
    query = ListQuery(version)
    fields = scalar_fields(table)
    refused = _V2_ONLY if version == "v3" else _V3_ONLY
    for name in refused:
        if name in params:
            other = "V2" if version == "v3" else "V3"
            hint = "follow @attributes.next instead" if version == "v3" else "use offset and orderby"
            raise QueryError(f"'{name}' is a {other} parameter and not supported here: {hint}.")
    query.count = params.get("count", "").lower() in ("1", "true")
    if query.count and any(n in params for n in ("limit", "sort", "after", "before")):
        raise QueryError("count=1 cannot be combined with limit, sort, after or before.")
    query.limit = _int(params.get("limit"), "limit", MAX_LIMIT, 0, MAX_LIMIT)
    query.archived = params.get("archived", "false").lower()
    if query.archived not in ("true", "false", "only"):
        raise QueryError("archived must be true, false or only.")
    query.relations = parse_relations(resource, params.get("load_relations"))
    if version == "v3":
        _parse_sort(query, resource, params.get("sort"))
        for name in ("after", "before"):
            if params.get(name):
                setattr(query, name, _decode_cursor(query, params[name]))
        if query.after and query.before:
            raise QueryError("Use after or before, not both.")
    else:
        query.offset = _int(params.get("offset"), "offset", 0, 0, None)
        query.sort = params.get("orderby") or resource.id_field
        if query.sort not in fields:
            raise QueryError(f"Cannot order {resource.name} by unknown field '{query.sort}'.")
        query.costly_order = query.sort not in resource.sortable
        query.descending = params.get("orderby_desc", "").lower() in ("1", "true")
    for name, value in pairs:
        if name == "or":
            query.alternatives = [_operand(fields, resource, part) for part in value.split("|") if part]
        elif name not in ("count", "limit", "archived", "load_relations", "offset", "orderby", "orderby_desc",
                          "sort", "after", "before"):
            if name not in fields:
                raise QueryError(f"Unknown field '{name}' for {resource.name}.")
            query.conditions.append(parse_condition(name, value))
        if name not in ("after", "before", "offset"):
            query.carried.append((name, value))
    if version == "v3":
        carried = dict(query.carried)
        if "sort" not in carried:
            query.carried.append(("sort", ("-" if query.descending else "") + query.sort))
        if "limit" not in carried:
            query.carried.append(("limit", str(query.limit)))
    return query


def _operand(fields, resource: Resource, text: str) -> Condition:
    name, sep, value = text.partition("=")
    if not sep or name not in fields:
        raise QueryError(f"Each 'or' operand is field=value with a field of {resource.name}: {text!r}.")
    return parse_condition(name, value)


def _int(text: str | None, name: str, default: int, low: int, high: int | None) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"{name} must be a whole number.") from None
    if value < low or (high is not None and value > high):
        raise QueryError(f"{name} must be between {low} and {high}." if high is not None
                         else f"{name} cannot be negative.")
    return value


def _parse_sort(query: ListQuery, resource: Resource, raw: str | None) -> None:
    raw = raw or resource.id_field
    query.descending = raw.startswith("-")
    query.sort = raw.lstrip("-")
    if query.sort not in resource.sortable:
        raise QueryError(f"Cannot sort {resource.name} by '{query.sort}'. Sortable fields: "
                         f"{', '.join(resource.sortable)} (prefix with - for descending).")


def _decode_cursor(query: ListQuery, text: str) -> list:
    try:
        padded = text + "=" * (-len(text) % 4)
        key = json.loads(base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True))
    except (ValueError, binascii.Error):
        key = None
    by_time = query.sort == "timeStamp"
    if (not isinstance(key, list) or len(key) != (2 if by_time else 1)
            or not all(isinstance(v, (int, str)) for v in key)):
        raise QueryError("Invalid cursor: use the next and previous URLs exactly as returned, with the same sort.")
    return key


def encode_cursor(query: ListQuery, record: dict, id_field: str) -> str:
    key = [record["timeStamp"], int(record[id_field])] if query.sort == "timeStamp" else [int(record[id_field])]
    return base64.b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


# -- selection and order -----------------------------------------------------------------------------------------
def select(table: Table, resource: Resource, query: ListQuery, extra: tuple = ()) -> tuple[list, list]:
    """(records, keys) matching the query, in its order; keys ascend (negated for descending sorts). Cached on the
    table, which every sandbox of the process shares: hence the lock."""
    with _LOCK:
        return _select(table, resource, query, extra)


def _select(table: Table, resource: Resource, query: ListQuery, extra: tuple) -> tuple[list, list]:
    cache = table.derived.setdefault(("selections",), OrderedDict())
    key = (tuple(query.conditions), tuple(query.alternatives), extra,
           query.archived if resource.archivable else "", query.sort, query.descending, query.version)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    tests = [matcher(table, c) for c in (*query.conditions, *extra)]
    alternatives = [matcher(table, c) for c in query.alternatives]
    wanted = {"false": "false", "only": "true"}.get(query.archived) if resource.archivable else None
    indexes = [i for i, record in enumerate(table.records)
               if (wanted is None or record.get("archived") == wanted)
               and all(test(i) for test in tests)
               and (not alternatives or any(test(i) for test in alternatives))]
    ids = [int(table.records[i][resource.id_field]) for i in indexes]
    values = column(table, query.sort)
    if query.version == "v3":  # sortable fields are numbers or instants: negate for descending
        sign = -1 if query.descending else 1
        pairs = sorted((sign * values[i], sign * ident, i) for i, ident in zip(indexes, ids))
        result = ([table.records[i] for _, _, i in pairs], [(a, b) for a, b, _ in pairs])
    else:  # any field; records without it first (ascending), ties by ID in the same direction
        blank = "" if kind(table, query.sort) == "text" else 0.0
        ordered = sorted(zip(indexes, ids), reverse=query.descending,
                         key=lambda p: (values[p[0]] is not None, blank if values[p[0]] is None else values[p[0]],
                                        p[1]))
        result = ([table.records[i] for i, _ in ordered], [])
    cache[key] = result
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return result


def cursor_key(table: Table, query: ListQuery, cursor: list) -> tuple:
    sign = -1 if query.descending else 1
    try:
        if query.sort == "timeStamp":
            return sign * parse_time(str(cursor[0])), sign * int(cursor[1])
        value = float(cursor[0])
        return sign * value, sign * int(value)
    except (QueryError, ValueError):
        raise QueryError("Invalid cursor: use the next and previous URLs exactly as returned.") from None


def cursor_page(table: Table, query: ListQuery, records: list, keys: list) -> tuple[list, bool, bool]:
    """(page, has_previous, has_next) for a V3 request."""
    if query.before is not None:
        end = bisect.bisect_left(keys, cursor_key(table, query, query.before))
        start = max(0, end - query.limit)
    else:
        start = bisect.bisect_right(keys, cursor_key(table, query, query.after)) if query.after is not None else 0
        end = min(len(records), start + query.limit)
    return records[start:end], start > 0, end < len(records)


def page_url(base: str, query: ListQuery, name: str, cursor: str) -> str:
    return f"{base}?{urlencode([*query.carried, (name, cursor)], quote_via=quote, safe='')}"
