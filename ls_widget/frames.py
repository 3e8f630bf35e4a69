"""Records to a pandas DataFrame: nested objects flattened, Lightspeed's all-string values given real types.

Page by page: ``FrameBuilder.add`` takes each page as it arrives, and every ``BATCH`` records (ten full pages) the
waiting records are flattened into a block of pointers to their values and let go. A pull never holds every raw
record next to a flattened copy of them (what doubled memory when all records were flattened at the end); what
stays is the values themselves plus 8 bytes a cell. Batches, not single pages: building a block has a fixed cost per
call and column, which at one call per page of 100 records made this step about a third slower (and one
``json_normalize`` per page made it 1.8 times slower than one call for all records).

Flattening is ``pandas.json_normalize``'s (its default path, ``sep="."``: nested objects become dotted columns, top-
level keys first, lists and empty objects as they are), and each column's dtype is inferred once, from all its
values, as ``json_normalize`` would for the whole list: splitting a pull into pages changes nothing, not even where
a column is missing from some pages (NaN there) or mixes strings with JSON nulls or numbers. The test suite checks
both against ``json_normalize`` itself.

The typing rules (Lightspeed sends every scalar as a string, docs/lightspeed-api.md section 3.3), for a column whose
non-null values are all strings:
- all "true"/"false": bool (object with NaN where values are missing);
- all numbers without leading zeros: numeric (ints stay ints, floats where values are missing), "00123" stays text;
- all ISO 8601 timestamps (by their ``YYYY-MM-DDTHH:MM:SS`` start): UTC datetimes;
- anything else, or a mix: left as it is.
The three readings exclude each other value by value, so the first value names the only reading a column can have;
it is checked on a sample first, then on the column's distinct values, and the first value that does not fit ends
the check.
"""

from __future__ import annotations

import re
from itertools import islice

# No leading zeros ("00123" is a code, not a number); ASCII digits only and nothing after them (\Z, not $, which
# allows a final newline): anything else stays text rather than failing or being misread.
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
_BOOLEANS = {"true": True, "false": False}
_BOOLEAN_TEXT = frozenset(_BOOLEANS)
_SAMPLE = 64  # values checked in order before the column's distinct values are: most text columns stop here
SEP = "."


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_pandas needs pandas: pip install 'ls-widget[pandas]'") from None
    return pd


class FrameBuilder:
    """A DataFrame built page by page: ``add`` each page of records as it arrives, then ``frame()`` once.

    Raises ``ImportError`` when it is made without pandas, before anything is fetched.
    """

    BATCH = 1000  # raw records waiting before they are flattened into a block

    def __init__(self, convert: bool = True) -> None:
        self._pd = _pandas()
        self.convert = convert
        self.rows = 0
        self._blocks: list[tuple[dict, object]] = []  # ({column: position}, object array of rows x columns)
        self._waiting: list[dict] = []  # raw records not yet flattened, fewer than BATCH

    def add(self, records: list[dict]) -> None:
        """Take one page. ``records`` (the list) is not kept; its records wait until ``BATCH`` have come."""
        self._waiting.extend(records)
        self.rows += len(records)
        if len(self._waiting) >= self.BATCH:
            self._flatten()

    def _flatten(self) -> None:
        if not self._waiting:
            return
        waiting, self._waiting = self._waiting, []
        flat = [_flat(record) for record in waiting]
        del waiting  # the raw records go here, all but the page the caller is still holding
        block = self._pd.DataFrame(flat, dtype=object)  # missing keys: NaN; no inference yet
        # Our own copy, a row per column, so frame() can let each column's values go once it has them.
        self._blocks.append(({name: i for i, name in enumerate(block.columns)}, block.to_numpy().T.copy()))

    def frame(self):
        """All pages as one DataFrame (an empty one for no records), columns typed unless ``convert=False``."""
        import numpy as np

        pd = self._pd
        self._flatten()
        blocks, self._blocks = self._blocks, []
        if not blocks:
            return pd.DataFrame()
        names = list(dict.fromkeys(name for positions, _ in blocks for name in positions))  # first seen first
        columns = {}
        for name in names:
            parts = [values[positions[name]] if name in positions else np.full(values.shape[1], np.nan, dtype=object)
                     for positions, values in blocks]
            raw = pd.Series(np.concatenate(parts), dtype=object)  # as the JSON had them, NaN where missing
            del parts
            for positions, values in blocks:
                if name in positions:
                    values[positions[name]] = None  # the column has them now: once typed, the strings can go
            # Typed straight from the raw values (the rules only read the strings, and a column of strings is
            # typed alike as object or str); the others get the dtype json_normalize would give them.
            typed = _typed(raw, pd) if self.convert else None
            columns[name] = raw.infer_objects() if typed is None else typed
            del raw, typed
        del blocks
        if not columns:  # records without keys: rows, no columns
            return pd.DataFrame(index=pd.RangeIndex(self.rows), columns=pd.Index([], dtype=object))
        return pd.DataFrame(columns, copy=False)


def _flat(record: dict) -> dict:
    """One record flattened as ``pandas.json_normalize(records, sep=".")`` flattens it (its default path):
    top-level values that are not objects first, then nested objects' values under dotted keys, depth first."""
    flat = {key: value for key, value in record.items() if not isinstance(value, dict)}
    if len(flat) == len(record):
        return flat
    nested: dict = {}
    _walk({key: value for key, value in record.items() if isinstance(value, dict)}, "", nested)
    return {**flat, **nested}


def _walk(value, path: str, out: dict) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}{SEP}{key}"
            _walk(inner, name if path else name.removeprefix(SEP), out)
    else:
        out[path] = value


def _typed(column, pd):
    """The column with its strings read as bool, numbers or UTC datetimes, or None when it stays as it is."""
    if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):
        return None  # numbers, bools or all-null floats straight from the JSON: not strings
    values = column.to_numpy(dtype=object)
    present = ~pd.isna(values)
    complete = bool(present.all())
    if not complete:
        values = values[present]
    if not len(values):
        return None
    first = values[0]
    if not isinstance(first, str):
        return None
    if first in _BOOLEANS:
        if not _all_booleans(values):
            return None
        if complete:  # what map gives, without the lookups
            return pd.Series(values == "true", index=column.index, name=column.name)
        return column.map(_BOOLEANS)  # object: True, False and NaN
    if _NUMBER.match(first):
        if not _all_match(_NUMBER, values):
            return None
        whole = _whole_numbers(values, present, complete)
        if whole is not None:
            return pd.Series(whole, index=column.index, name=column.name)
        try:
            return pd.to_numeric(column)
        except (ValueError, OverflowError):  # a number too large for any column type: keep the text
            return None
    if _TIMESTAMP.match(first):
        if _all_match(_TIMESTAMP, values):
            moments = pd.to_datetime(column, utc=True, format="ISO8601", errors="coerce")
            # A value that only looks like a timestamp ("2026-13-01T…") would silently become NaT: keep the text.
            return moments if int(moments.notna().sum()) == len(values) else None
    return None


def _whole_numbers(values, present, complete: bool):
    """What ``pd.to_numeric`` gives for ``values`` (strings that all match ``_NUMBER``) when they are short whole
    numbers, 8 times faster: int64, or float64 with NaN where values are missing. None for anything else (decimals,
    digits beyond ASCII, numbers that may not fit), which ``pd.to_numeric`` reads itself."""
    import numpy as np

    joined = "".join(values)
    if "." in joined or not joined.isascii():
        return None
    longest = max(map(len, values))  # sign and a final newline included: a safe bound on the digits
    if complete:
        return values.astype(np.int64) if longest <= 18 else None  # below 10**18: int64 holds it
    if longest > 15:  # below 10**15: a float64 holds it exactly, as to_numeric's float would
        return None
    numbers = np.full(len(present), np.nan)
    numbers[present] = values.astype(np.int64)
    return numbers


def _all_booleans(values) -> bool:
    try:
        return set(values) <= _BOOLEAN_TEXT
    except TypeError:  # unhashable values (lists): not all strings
        return False


def _all_match(pattern: re.Pattern, values) -> bool:
    """Every value a string matching ``pattern``: a sample in order first, then each distinct value once."""
    try:
        if not all(map(pattern.match, islice(values, _SAMPLE))):
            return False
        if len(values) <= _SAMPLE:
            return True
        return all(map(pattern.match, set(values)))
    except TypeError:  # a value that is not a string (a number, a list): the column stays as it is
        return False


def type_columns(frame):
    """``frame`` with each text column read as bool, numbers or UTC datetimes where the whole column is one
    (the same rules as ``FrameBuilder``): for tables read back from a sync, which keep Lightspeed's strings."""
    pd = _pandas()
    for column in frame.columns:
        typed = _typed(frame[column], pd)
        if typed is not None:
            frame[column] = typed
    return frame
