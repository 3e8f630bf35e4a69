"""The kept Lightspeed answers (tests/fixtures/lightspeed/, provenance in its SOURCES.md), and how to read them."""

from __future__ import annotations

import json
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lightspeed"
FIELD_TABLES = "lsdocs__field_tables.json"  # the endpoint pages as data, not an answer
RECORDINGS = {path.name: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json"))
              if "__error_" not in path.name and path.name != FIELD_TABLES}
ERRORS = {path.name: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*__error_*.json"))}


def documented(resource: str) -> dict:
    """What the endpoint page of ``resource`` documents: ``fields`` ([name, type]), ``sortable``, ``relations``."""
    return load(FIELD_TABLES)[resource]


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def record_key(data: dict) -> str | None:
    keys = [key for key in data if key != "@attributes"]
    return keys[0] if keys else None


def records_of(data: dict) -> list[dict]:
    """The answer's records as a list (one record is an object, none is no key: docs/lightspeed-api.md section 3.3)."""
    found = data.get(record_key(data)) if record_key(data) else None
    return [] if found is None else [found] if isinstance(found, dict) else list(found)


def form(value) -> str:
    """The written form of one value, as the conformance test compares them: Lightspeed's conventions, not types.

    ``id``/``integer`` (digits), ``decimal`` (digits, a point, no trailing zero), ``bad-decimal`` (a trailing zero:
    Lightspeed never writes one), ``boolean``, ``datetime`` (``YYYY-MM-DDTHH:MM:SS+00:00``), ``bad-datetime`` (any
    other date form), ``empty``, ``text``, ``object``, ``list``, and ``not-a-string`` for JSON numbers, booleans
    and nulls (Lightspeed sends none)."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if not isinstance(value, str):
        return "not-a-string"
    if value == "":
        return "empty"
    if value in ("true", "false"):
        return "boolean"
    if re.fullmatch(r"-?(0|[1-9]\d*)", value):
        return "integer"
    if re.fullmatch(r"-?(0|[1-9]\d*)\.\d*[1-9]", value):
        return "decimal"
    if re.fullmatch(r"-?\d+\.\d*0", value):
        return "bad-decimal"
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", value):
        return "datetime"
    if re.match(r"\d{4}-\d\d-\d\d[T ]", value):
        return "bad-datetime"
    return "text"
