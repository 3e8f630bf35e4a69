"""The little that differs between the SQL destinations the models run on (DuckDB and PostgreSQL).

Everything else in the models is SQL both accept as written: CAST, CASE, COALESCE, NULLIF, CONCAT, joins, GROUP BY,
``timestamptz AT TIME ZONE zone`` (a local wall-clock timestamp on both) and the JSON operators ``->`` and ``->>``
(DuckDB's JSON and PostgreSQL's jsonb both take a key or an index). What differs is how a JSON list becomes rows, and
Lightspeed makes that a question twice over: a nested collection is an object when it holds one record and a list
when it holds several (``Prices.ItemPrice``, ``Emails.ContactEmail``), and ``""`` when it holds none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str  # "duckdb" | "postgres"

    def json_rows(self, value: str) -> str:
        """A FROM item with one row per record of the one-or-many JSON ``value``, its record in column ``value``
        (use it as ``..., {json_rows(x)} AS e(value)`` ... where ``e.value`` is an object)."""
        if self.name == "duckdb":
            listed = f"CASE WHEN json_type({value}) = 'ARRAY' THEN {value} ELSE json_array({value}) END"
            return f"(SELECT value FROM json_each({listed}))"
        listed = f"CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} ELSE jsonb_build_array({value}) END"
        return f"(SELECT value FROM jsonb_array_elements({listed}))"

    def time_zone_names(self) -> str:
        """A query for every time zone name the database itself knows (DuckDB through ICU, PostgreSQL its tz
        database): the one list that says whether ``AT TIME ZONE`` will take a shop's zone."""
        return "SELECT name FROM pg_timezone_names()" if self.name == "duckdb" else "SELECT name FROM pg_timezone_names"

    def is_object(self, value: str) -> str:
        if self.name == "duckdb":
            return f"json_type({value}) = 'OBJECT'"
        return f"jsonb_typeof({value}) = 'object'"


DUCKDB, POSTGRES = Dialect("duckdb"), Dialect("postgres")
