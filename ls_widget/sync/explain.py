"""What went wrong with a destination, in words an analyst can act on: a missing table (and the one they meant), a
write to read-only tables, a DuckDB file held by another process, the innermost cause of dlt's wrapped errors."""

from __future__ import annotations

import re
from pathlib import Path


def no_such_table(table: str, present: list[str], label: str) -> str:
    if not present:
        return (f"No table {table!r} in {label}: nothing is synced there yet. Sync it first, e.g. "
                f"conn.sync([{table!r}]).")
    close = [name for name in present if name.casefold() == table.casefold()]
    hint = (f" Did you mean {close[0]!r}?" if close
            else f" Sync it first with conn.sync([{table!r}]) if it is a resource.")
    return f"No table {table!r} in {label}; the synced tables are {', '.join(present)}.{hint}"


def write_hint(exc: BaseException, write: bool) -> str:
    text = str(exc).casefold()
    if not write and ("read-only" in text or "read only" in text):
        return " (conn.sql is read-only: pass write=True to change the tables; a sync rebuilds what you break)"
    return ""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def duckdb_problem(path: Path, exc: BaseException, *, bare: bool = False) -> str:
    """What went wrong opening a DuckDB file, in words that fit a local file."""
    text = str(exc)
    held = _LOCK_HOLDER.search(text)
    if held:
        return (f"{path} is in use by another process ({Path(held['program']).name}, PID {held['pid']}), which has it "
                "open for writing (a sync, or conn.sql(..., write=True)): wait for it to finish, or close that "
                "connection, then try again.")
    if isinstance(exc, PermissionError) or "permission denied" in text.casefold():
        return f"{path} cannot be opened: permission denied. Check the file's and its folder's permissions."
    line = first_line(exc)
    return line if bare else f"Could not open {path}: {line}"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:500]


def root(exc: BaseException) -> BaseException:
    seen = exc
    while seen.__cause__ is not None or getattr(seen, "exception", None) is not None:
        seen = seen.__cause__ or seen.exception  # type: ignore[attr-defined]
    return seen


def root_message(exc: BaseException) -> str:
    """The innermost explanation in a chain of wrapped exceptions (dlt wraps each step's error)."""
    return first_line(root(exc))
