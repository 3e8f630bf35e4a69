"""Records to a pandas DataFrame: nested objects flattened, Lightspeed's all-string values given real types.

Pages are flattened as they arrive (``FrameBuilder.add``), so a pull never holds the raw records of every page next
to a flattened copy of them: once flattened, a page's dicts can go, and what stays is columns of pointers to the same
value strings. Pages are flattened ``BATCH`` records at a time (ten full pages): ``json_normalize`` has a fixed cost
per call and column, which at one call per page of 100 made flattening 1.8 times slower than one call for all records;
at 1,000 records it is the same speed, and the raw records waiting never exceed 1,000 plus one page. ``frame()``
concatenates the batches (a column missing from some gets NaN there) and types each column.

The typing rules (Lightspeed sends every scalar as a string, section 3.3 of lightspeed-api.md), for a column whose
non-null values are all strings:
- all "true"/"false": bool (object with NaN where values are missing);
- all numbers without leading zeros: numeric (ints stay ints, floats where values are missing), "00123" stays text;
- all ISO 8601 timestamps (by their ``YYYY-MM-DDTHH:MM:SS`` start): UTC datetimes;
- anything else, or a mix: left as it is.
The three readings exclude each other value by value, so the first value names the only reading a column can have;
the others are checked on a sample first, then on the column's distinct values, and the first value that does not
fit ends the check.
"""

from __future__ import annotations

import re
from itertools import islice

_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")  # no leading zeros: "00123" is a code, not a number
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_BOOLEANS = {"true": True, "false": False}
_BOOLEAN_TEXT = frozenset(_BOOLEANS)
_SAMPLE = 64  # values checked in order before the column's distinct values are: most text columns stop here


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

    BATCH = 1000  # records flattened per json_normalize call

    def __init__(self, convert: bool = True) -> None:
        self._pd = _pandas()
        self.convert = convert
        self.rows = 0
        self._chunks: list = []  # flattened batches
        self._waiting: list[dict] = []  # raw records not yet flattened, fewer than BATCH

    def add(self, records: list[dict]) -> None:
        """Take one page; flattened once ``BATCH`` records wait. ``records`` itself (the list) is not kept."""
        self._waiting.extend(records)
        self.rows += len(records)
        if len(self._waiting) >= self.BATCH:
            self._flatten()

    def _flatten(self) -> None:
        if self._waiting:
            self._chunks.append(self._pd.json_normalize(self._waiting, sep="."))
            self._waiting = []

    def frame(self):
        """All pages as one DataFrame (an empty one for no records), columns typed unless ``convert=False``."""
        pd = self._pd
        self._flatten()
        chunks, self._chunks = self._chunks, []
        if not chunks:
            return pd.DataFrame()
        if len(chunks) == 1:
            frame = chunks.pop()
        else:
            frame = pd.concat(chunks, ignore_index=True, sort=False)
            chunks.clear()  # the frame now holds the values; the pages' columns can go before typing starts
            frame.columns = pd.Index(frame.columns.tolist())  # str, not object after a batch of keyless records
            # A column missing (or all null) on some pages comes out of concat as object; give it the dtype that
            # flattening all records at once gives (str, float64, ...), so splitting into pages changes nothing.
            for column in [c for c, dtype in frame.dtypes.items() if dtype == object]:
                frame[column] = frame[column].infer_objects()
        if self.convert:
            for column in frame.columns:
                typed = _typed(frame[column], pd)
                if typed is not None:
                    frame[column] = typed
        return frame


def records_to_frame(records: list[dict], convert: bool = True):
    """``records`` (one list) as a DataFrame: flattened, and typed unless ``convert=False``."""
    builder = FrameBuilder(convert=convert)
    builder.add(records)
    return builder.frame()


def _typed(column, pd):
    """The column with its strings read as bool, numbers or UTC datetimes, or None when it stays as it is."""
    if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):
        return None  # numbers, bools or all-null floats straight from the JSON: not strings
    present = column.notna().to_numpy()
    values = column.to_numpy(dtype=object)
    if not present.all():
        values = values[present]
    if not len(values):
        return None
    first = values[0]
    if not isinstance(first, str):
        return None
    if first in _BOOLEANS:
        if not _all_booleans(values):
            return None
        if len(values) == len(column):  # no missing values: what map gives, without the lookups
            return pd.Series(values == "true", index=column.index, name=column.name)
        return column.map(_BOOLEANS)  # object: True, False and NaN
    if _NUMBER.match(first):
        return pd.to_numeric(column) if _all_match(_NUMBER, values) else None
    if _TIMESTAMP.match(first):
        if _all_match(_TIMESTAMP, values):
            return pd.to_datetime(column, utc=True, format="ISO8601", errors="coerce")
    return None


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
    (the same rules as ``records_to_frame``): for tables read back from a sync, which keep Lightspeed's strings."""
    pd = _pandas()
    for column in frame.columns:
        typed = _typed(frame[column], pd)
        if typed is not None:
            frame[column] = typed
    return frame
