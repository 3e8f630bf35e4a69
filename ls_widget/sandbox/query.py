"""List reads: query parameters, selection, order and pages (docs/lightspeed-api.md sections 3.3-3.5).

V3: ``limit`` (default 100, 0-100), ``sort`` (a field the catalogue lists as sortable for the resource, ``-`` for
descending; another field is a 400 that lists the allowed ones), opaque ``after``/``before`` cursors, and
``@attributes.next``/``previous`` as absolute URLs that carry the whole query. Sortable fields are numbers
(``leftNode``, ``saleID``), instants (``timeStamp``, ``completeTime``, ``updatetime``) or text (``description``,
``firstName``: case-insensitive, as a MySQL collation compares). Records without the value (an open sale's
``completeTime``) come first ascending and last descending, as MySQL sorts NULLs; ties are broken by the primary ID
in the same direction. A cursor is base64 of the JSON sort key of the record it points past: ``[100]`` for an ID sort
(``WzEwMF0=``, as in Lightspeed's own example), ``[value, 100]`` for any other field
(``["2026-03-01T14:22:05+00:00", 100]``, ``[null, 7]`` for a record without the value), so every record appears
exactly once across pages however many share a value.
``offset``/``orderby`` are V2 only and refused by V3 (the sandbox prefers a clear 400 to the silent first page a
migrated V2 loop would otherwise loop on; UNCONFIRMED what Lightspeed does).

V2: ``offset``/``limit`` with ``@attributes`` ``count``, ``offset``, ``limit``; ``orderby`` on any field (a field V3
cannot sort by costs +4) and ``orderby_desc=1``, in the same order as V3's sort. ``offset`` is at most
``MAX_OFFSET`` (a 400 naming it above that): an offset costs 0.0005 drips per record skipped and a request is admitted
whatever it costs, so ``offset=10**30`` would otherwise lock the account + client's bucket for ~10**26 s
(UNCONFIRMED: Lightspeed documents no maximum; the sandbox's largest data sets are far below it).

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
from .filters import Condition, QueryError, coerce, column, matcher, parse_condition, scalar_fields
from .resources import RESOURCES, Resource

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000  # 500 drips at most; see the module docstring
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
    id_field: str = ""
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
    unknown = [n for n in names if not _known_relation(resource, n)]
    if unknown:
        known = ", ".join(resource.relations) or "none"
        raise QueryError(f"Unknown relation(s) for {resource.name}: {', '.join(unknown)}. Relations: {known}.")
    return list(dict.fromkeys(names))


def _known_relation(resource: Resource | None, dotted: str) -> bool:
    """``SaleLines`` or ``SaleLines.Item``: each step a relation of the resource before it. Past a relation whose
    target the catalogue does not describe, nothing more can be embedded."""
    for step in dotted.split("."):
        if resource is None or step not in resource.relations:
            return False
        resource = RESOURCES.get(resource.relations[step].target)
    return True


def parse(version: str, resource: Resource, table: Table, pairs: list) -> ListQuery:
    """Read the query string (decoded ``(name, value)`` pairs) of a list request."""
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise QueryError(f"Parameter(s) given more than once: {', '.join(repeated)}. Give each field one "
                         f"condition; for a range use field=><,low,high.")
    params = dict(pairs)
    query = ListQuery(version, id_field=resource.id_field)
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
        query.offset = _int(params.get("offset"), "offset", 0, 0, MAX_OFFSET)
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
    by_id = query.sort == query.id_field
    if (not isinstance(key, list) or len(key) != (1 if by_id else 2)
            or not isinstance(key[-1], int) or isinstance(key[-1], bool)
            or not (by_id or key[0] is None or isinstance(key[0], (int, float, str)))):
        raise QueryError("Invalid cursor: use the next and previous URLs exactly as returned, with the same sort.")
    return key


def encode_cursor(query: ListQuery, record: dict, id_field: str) -> str:
    ident = int(record[id_field])
    key = [ident] if query.sort == id_field else [record.get(query.sort), ident]
    return base64.b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


# -- selection and order -----------------------------------------------------------------------------------------
def select(table: Table, resource: Resource, query: ListQuery, extra: tuple = ()) -> tuple[list, list]:
    """(records, keys) matching the query, in its order; ``keys`` are the ascending sort keys of the same records
    in ascending order (query.py pages through them with bisect, in either direction). Cached on the table, which
    every sandbox of the process shares: hence the lock."""
    with _LOCK:
        return _select(table, resource, query, extra)


def _select(table: Table, resource: Resource, query: ListQuery, extra: tuple) -> tuple[list, list]:
    cache = table.derived.setdefault(("selections",), OrderedDict())
    key = (tuple(query.conditions), tuple(query.alternatives), extra,
           query.archived if resource.archivable else "", query.sort, query.descending)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    tests = [matcher(table, c) for c in (*query.conditions, *extra)]
    alternatives = [matcher(table, c) for c in query.alternatives]
    wanted = {"false": "false", "only": "true"}.get(query.archived) if resource.archivable else None
    records = table.records
    indexes = [i for i, record in enumerate(records)
               if (wanted is None or record.get("archived", "false") == wanted)  # no flag at all: live
               and all(test(i) for test in tests)
               and (not alternatives or any(test(i) for test in alternatives))]
    values = column(table, query.sort)
    blank = _blank(values)
    keyed = sorted((_sort_key(values[i], blank, int(records[i][resource.id_field])), i) for i in indexes)
    keys = [k for k, _ in keyed]
    ordered = [records[i] for _, i in (reversed(keyed) if query.descending else keyed)]
    result = (ordered, keys)
    cache[key] = result
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return result


def _blank(values: list):
    """What stands in for a missing value in a sort key: of the column's type, so keys always compare."""
    present = next((v for v in values if v is not None), 0.0)
    return "" if isinstance(present, str) else 0.0


def _sort_key(value, blank, ident: int) -> tuple:
    """Missing values first (MySQL's NULLs, ascending), then by value, then by ID."""
    return (0, blank, ident) if value is None else (1, value, ident)


def cursor_key(table: Table, query: ListQuery, cursor: list) -> tuple:
    ident = int(cursor[-1])
    if query.sort == query.id_field:
        return _sort_key(float(ident), 0.0, ident)
    try:
        value = None if cursor[0] is None else coerce(table, query.sort, str(cursor[0]))
    except QueryError:
        raise QueryError("Invalid cursor: use the next and previous URLs exactly as returned.") from None
    return _sort_key(value, _blank(column(table, query.sort)), ident)


def cursor_page(table: Table, query: ListQuery, records: list, keys: list) -> tuple[list, bool, bool]:
    """(page, has_previous, has_next) for a V3 request. ``keys`` ascend; in a descending sort the record at
    ascending position i is at n - 1 - i, so "after" a key means below it."""
    n = len(records)
    if query.before is not None:
        key = cursor_key(table, query, query.before)
        end = n - bisect.bisect_right(keys, key) if query.descending else bisect.bisect_left(keys, key)
        start = max(0, end - query.limit)
    else:
        start = 0
        if query.after is not None:
            key = cursor_key(table, query, query.after)
            start = n - bisect.bisect_left(keys, key) if query.descending else bisect.bisect_right(keys, key)
        end = min(n, start + query.limit)
    return records[start:end], start > 0, end < n


def page_url(base: str, query: ListQuery, name: str, cursor: str) -> str:
    return f"{base}?{urlencode([*query.carried, (name, cursor)], quote_via=quote, safe='')}"
