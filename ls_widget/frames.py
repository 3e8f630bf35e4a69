"""Records to a pandas DataFrame: nested objects flattened, Lightspeed's all-string values given real types."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")  # no leading zeros: "00123" is a code, not a number
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def records_to_frame(records: list[dict], convert: bool = True):
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_pandas needs pandas: pip install 'ls-widget[pandas]'") from None
    frame = pd.json_normalize(records, sep=".") if records else pd.DataFrame()
    if convert:
        for column in frame.columns:
            frame[column] = _typed(frame[column], pd)
    return frame


def _typed(column, pd):
    values = column.dropna()
    if values.empty or not all(isinstance(v, str) for v in values):
        return column
    if values.isin(["true", "false"]).all():
        return column.map({"true": True, "false": False})
    if values.map(lambda v: bool(_NUMBER.match(v))).all():
        numbers = pd.to_numeric(column)
        return numbers
    if values.map(lambda v: bool(_TIMESTAMP.match(v))).all():
        return pd.to_datetime(column, utc=True, format="ISO8601", errors="coerce")
    return column
