"""DataFrames with real types, and the progress note of long pulls."""

import pytest

from ls_widget import progress
from ls_widget.frames import records_to_frame

pd = pytest.importorskip("pandas")


def test_nested_records_flatten_and_strings_get_types():
    records = [
        {"itemID": "1", "systemSku": "000123", "defaultCost": "4.5", "archived": "false",
         "timeStamp": "2026-03-01T14:22:05+00:00", "Prices": {"ItemPrice": {"amount": "9.99"}}, "note": "a"},
        {"itemID": "2", "systemSku": "000124", "defaultCost": "5", "archived": "true",
         "timeStamp": "2026-03-02T09:00:00-05:00", "Prices": {"ItemPrice": {"amount": "12"}}, "note": "b"},
    ]
    frame = records_to_frame(records)
    assert frame["itemID"].tolist() == [1, 2]
    assert frame["systemSku"].tolist() == ["000123", "000124"]  # codes with leading zeros stay text
    assert frame["defaultCost"].tolist() == [4.5, 5.0]
    assert frame["archived"].tolist() == [False, True]
    assert str(frame["timeStamp"].dtype).startswith("datetime64") and str(frame["timeStamp"].dt.tz) == "UTC"
    assert frame["timeStamp"][1].hour == 14  # -05:00 converted to UTC
    assert frame["Prices.ItemPrice.amount"].tolist() == [9.99, 12.0]
    assert frame["note"].tolist() == ["a", "b"]


def test_convert_false_keeps_lightspeeds_strings_and_no_records_is_an_empty_frame():
    assert records_to_frame([{"itemID": "1"}], convert=False)["itemID"].tolist() == ["1"]
    assert records_to_frame([]).empty


class Handle:
    def __init__(self):
        self.shown = []

    def update(self, obj):
        self.shown.append(repr(obj))


def test_progress_updates_in_place_in_a_notebook(monkeypatch):
    handle = Handle()
    monkeypatch.setattr(progress, "_display_handle", lambda: handle)
    monkeypatch.setattr(progress.Progress, "_EVERY", 0.0)
    with progress.Progress("Sale") as shown:
        shown.update(100)
        shown.update(200)
    assert handle.shown[:2] == ["Sale: 100 records so far…", "Sale: 200 records so far…"]
    assert handle.shown[-1].startswith("Sale: fetched 200 records in ")


def test_progress_is_silent_outside_a_notebook_or_when_disabled(capsys):
    with progress.Progress("Sale") as shown:
        shown.update(5)
    with progress.Progress("Sale", enabled=False) as shown:
        shown.update(5)
    assert capsys.readouterr() == ("", "")
