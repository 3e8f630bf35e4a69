"""DataFrames with real types, built page by page, and the progress note of long pulls."""

import gc
import re
import weakref

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ls_widget import frames, progress
from ls_widget.frames import FrameBuilder
from ls_widget.session import LightspeedSession

pd = pytest.importorskip("pandas")


def records_to_frame(records: list[dict], convert: bool = True):
    """``records`` (one list) as a DataFrame, as ``to_pandas`` builds one from its pages."""
    builder = FrameBuilder(convert=convert)
    builder.add(records)
    return builder.frame()


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


def pull(resource: str, pages: list[int], *listeners, fail: bool = False) -> None:
    """A pull of ``pages`` (records per page) told to ``listeners``, as ``to_pandas`` tells its note."""
    with progress.PullProgress(resource, listeners) as counted:
        for records in pages:
            counted.advance(1, records)
        if fail:
            raise ConnectionError("the network went")


def test_progress_updates_in_place_in_a_notebook(monkeypatch):
    handle = Handle()
    monkeypatch.setattr(progress, "_display_handle", lambda: handle)
    monkeypatch.setattr(progress.ProgressNote, "_EVERY", 0.0)
    with progress.ProgressNote("Sale") as note:
        pull("Sale", [100, 100], note)
    assert handle.shown[:2] == ["Sale: 100 records so far…", "Sale: 200 records so far…"]
    assert handle.shown[-1].startswith("Sale: fetched 200 records in ")


def test_a_pull_that_fails_says_where_it_stopped(monkeypatch):
    handle = Handle()
    monkeypatch.setattr(progress, "_display_handle", lambda: handle)
    events = []
    with pytest.raises(ConnectionError):
        with progress.ProgressNote("Sale") as note:
            pull("Sale", [100, 30], note, events.append, fail=True)
    assert handle.shown[-1].startswith("Sale: stopped at 130 records in ")
    assert [e.phase for e in events] == ["start", "page", "page"]  # no "end": the pull did not end


def test_progress_is_silent_outside_a_notebook_or_when_disabled(capsys):
    with progress.ProgressNote("Sale") as note:
        pull("Sale", [5], note)
    with progress.ProgressNote("Sale", enabled=False) as note:
        pull("Sale", [5], note)
    assert capsys.readouterr() == ("", "")


def test_a_pull_tells_every_listener_the_same_events_and_skips_none():
    first, second = [], []
    pull("Item", [100, 100, 20], first.append, None, second.append)
    assert first == second
    assert [(e.phase, e.pages, e.records) for e in first] == [
        ("start", 0, 0), ("page", 1, 100), ("page", 2, 200), ("page", 3, 220), ("end", 3, 220)]
    assert all(e.total_pages is None and e.resources_total == 1 for e in first)
    assert first[-1].resources_done == 1 and first[-1].all_records == 220 and first[-1].seconds_left == 0.0
    assert first[1].seconds_left is None  # no total: no time left to tell


def test_time_left_is_the_pages_to_come_at_the_given_pace_and_a_pull_places_itself_among_several():
    events = []
    with progress.PullProgress("Sale", [events.append], total_pages=4, seconds_per_page=lambda: 2.5,
                               resources_done=1, resources_total=3, pages_before=7, records_before=700) as counted:
        counted.advance(1, 100)
    assert [e.seconds_left for e in events] == [10.0, 7.5, 0.0]
    assert [(e.resources_done, e.all_pages, e.all_records) for e in events] == [(1, 7, 700), (1, 8, 800),
                                                                               (2, 8, 800)]


# -- typing: the rules, written out slowly and plainly, value for value --------------------------------------------
# The previous implementation's rules, made strict where it failed or lost data: ASCII digits only and nothing after
# them (it took "12\n" and crashed on "1\u0661"), a number too large for any column type stays text (it crashed), and a
# column that only looks like timestamps ("2026-13-01T...") stays text (it became NaT, silently).
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")


def previous_frame(records):
    """The oracle for the typing rules: json_normalize of everything, then each column read whole, slowly."""
    frame = pd.json_normalize(records, sep=".") if records else pd.DataFrame()
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty or not all(isinstance(v, str) for v in values):
            continue
        if values.isin(["true", "false"]).all():
            frame[column] = frame[column].map({"true": True, "false": False})
        elif values.map(lambda v: bool(_NUMBER.match(v))).all():
            try:
                frame[column] = pd.to_numeric(frame[column])
            except (ValueError, OverflowError):
                pass
        elif values.map(lambda v: bool(_TIMESTAMP.match(v))).all():
            moments = pd.to_datetime(frame[column], utc=True, format="ISO8601", errors="coerce")
            if moments.notna().sum() == len(values):
                frame[column] = moments
    return frame


MISSING = object()
# Values close to every rule's edge: each reading's typical strings, near misses, and what JSON can hold besides.
TEXT = st.sampled_from([
    "true", "false", "True", "", "0", "-0", "7", "-12", "00123", "1.5", "0.50", "1.", ".5", "1e5", "+1", " 1", "12\n",
    "123456789012345678901234567890", "9223372036854775808", "nan", "1\u0661", "\u0661\u0662", "2026-03-01T14:22:05+00:00",
    "2026-03-01T14:22:05-05:00", "2026-03-01T14:22:05Z", "2026-03-01T14:22:05", "2026-03-01 14:22:05",
    "2026-13-01T00:00:00+00:00", "2026-03-01", "note",
])
VALUE = TEXT | st.sampled_from([None, MISSING, 5, 2.5, True, [], ["x"], {}])
SHORT_COLUMN = st.one_of(  # mostly one reading with a few strays, so the mixed cases are near the edges
    st.lists(st.sampled_from(["true", "false"]) | VALUE, min_size=1, max_size=12),
    st.lists(st.sampled_from(["0", "7", "-12", "1.5", "12345"]) | VALUE, min_size=1, max_size=12),
    st.lists(st.sampled_from(["2026-03-01T14:22:05+00:00", "2026-03-01T14:22:05-05:00"]) | VALUE, min_size=1,
             max_size=12),
    st.lists(VALUE, min_size=1, max_size=12),
)
# Some columns repeated past the 64 values checked in order, so the check of distinct values is reached too.
COLUMN = SHORT_COLUMN | st.builds(lambda values, times: values * times, SHORT_COLUMN, st.integers(6, 12))


def records_of(columns: dict) -> list[dict]:
    rows = max(len(values) for values in columns.values())
    return [{name: values[row] for name, values in columns.items() if row < len(values) and values[row] is not MISSING}
            for row in range(rows)]


def assert_same_outcome(build, records, expected):
    """The same frame, or the same error: a 30-digit number fails ``pd.to_numeric`` under pandas 2 as it did before."""
    try:
        wanted = expected(records)
    except ValueError as error:
        with pytest.raises(type(error)):
            build(records)
        return
    pd.testing.assert_frame_equal(build(records), wanted)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["a", "b", "c.d"]), COLUMN, min_size=1))
def test_columns_are_typed_as_the_previous_rules_typed_them(columns):
    assert_same_outcome(records_to_frame, records_of(columns), previous_frame)


def test_typing_examples_at_the_edges():
    frame = records_to_frame([{"n": "12", "z": "00123", "b": "true", "t": "2026-03-01T14:22:05Z", "m": "1"},
                              {"n": None, "z": "7", "b": "false", "t": None, "m": "x"},
                              {"n": "-3", "z": "8", "t": "2026-03-01T14:22:05+01:00", "m": "2"}])
    assert frame["n"].tolist()[::2] == [12.0, -3.0] and frame["n"].isna().tolist() == [False, True, False]
    assert frame["z"].tolist() == ["00123", "7", "8"]  # one code with a leading zero keeps the column text
    assert frame["b"].tolist()[:2] == [True, False] and pd.isna(frame["b"][2])  # a missing value: object, NaN
    assert frame["t"].isna().tolist() == [False, True, False] and frame["t"][2].hour == 13
    assert frame["m"].tolist() == ["1", "x", "2"]  # a mix stays as it is
    numbers = records_to_frame([{"n": str(i)} for i in range(200)] + [{"n": "x"}])  # past the in-order sample
    assert numbers["n"].tolist()[-2:] == ["199", "x"]


@pytest.mark.parametrize("values", [
    ["123456789012345678", "-12345678901234567", "0"],  # whole numbers read without to_numeric: int64 to 10**18
    ["9223372036854775807", "1"], ["9223372036854775808", "1"], ["-9223372036854775809", "1"],  # past int64
    ["999999999999999", None, "-1"], ["1234567890123456", None, "1"],  # with a gap: float64, exact below 10**15
    ["12\n", "-0", "7"], ["1.25", "3"], ["0.1", None], ["1\u0661", "2"],  # "\n" as `$` allows; non-ASCII digits
])
def test_whole_numbers_read_as_pandas_reads_them(values):
    records = [{"n": value} for value in values]
    assert_same_outcome(records_to_frame, records, previous_frame)


# -- page by page ----------------------------------------------------------------------------------------------------
def build(pages, convert=True, batch=None):
    builder = FrameBuilder(convert=convert)
    if batch is not None:
        builder.BATCH = batch
    for page in pages:
        builder.add(page)
    return builder.frame()


RECORD = st.dictionaries(
    st.sampled_from(["id", "flag", "when", "code", "Prices"]),
    TEXT | st.sampled_from([None, 5, ["x"]]) | st.dictionaries(st.sampled_from(["amount", "useType"]), TEXT | st.none(),
                                                               max_size=2),
    max_size=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(RECORD, max_size=4), max_size=6), st.integers(1, 5), st.booleans())
def test_pages_flattened_apart_give_the_frame_of_all_records_flattened_at_once(pages, batch, convert):
    records = [record for page in pages for record in page]
    expected = previous_frame if convert else lambda records: pd.json_normalize(records, sep=".")
    assert_same_outcome(lambda _: build(pages, convert=convert, batch=batch), records, expected)


def test_a_column_first_seen_on_a_later_page_lines_up_with_nan_before_it():
    pages = [[{"itemID": "1", "note": "a"}, {"itemID": "2"}],
             [{"itemID": "3", "archived": "true", "Prices": {"amount": "9.50"}}],
             [], [{"itemID": "4", "archived": "false", "note": None}]]
    frame = build(pages, batch=1)
    assert frame.columns.tolist() == ["itemID", "note", "archived", "Prices.amount"]
    assert frame.index.tolist() == [0, 1, 2, 3]
    assert frame["itemID"].tolist() == [1, 2, 3, 4] and frame["itemID"].dtype.kind == "i"
    assert frame["archived"].isna().tolist() == [True, True, False, False]
    assert frame["archived"].tolist()[2:] == [True, False]
    assert frame["Prices.amount"].isna().tolist() == [True, True, False, True] and frame["Prices.amount"][2] == 9.5
    assert frame["note"].isna().tolist() == [False, True, True, True]
    pd.testing.assert_frame_equal(frame, records_to_frame([r for page in pages for r in page]))


def test_one_record_pages_and_no_records():
    frame = build([[{"saleID": "7", "completed": "true"}]])
    assert frame["saleID"].tolist() == [7] and frame["completed"].dtype == bool
    assert build([]).empty and build([[], []]).empty and build([[]], convert=False).empty
    assert build([[{"a": "1"}]] * 3, batch=1)["a"].tolist() == [1, 1, 1]


class Record(dict):
    __slots__ = ("__weakref__",)  # a raw record that can be watched for being let go


class Pages:
    """A session whose pages are counted as they are read; ``to_pandas`` asks it for nothing else."""

    def __init__(self, pages):
        self._pages, self._refs, self.most_alive, self.read = pages, [], 0, 0

    @property
    def alive(self) -> int:
        return sum(ref() is not None for ref in self._refs)

    def pages(self, resource, **params):
        for page in self._pages:
            self.most_alive = max(self.most_alive, self.alive)
            records = [Record(record) for record in page]
            self._refs += map(weakref.ref, records)
            self.read += 1
            yield records


def test_to_pandas_reads_pages_as_it_goes_and_lets_raw_records_go():
    pages = [[{"itemID": str(100 * p + i), "archived": "false"} for i in range(100)] for p in range(30)]
    source = Pages(pages)
    frame = LightspeedSession.to_pandas(source, "Item", progress=False)
    gc.collect()
    assert len(frame) == 3000 and frame["itemID"].tolist() == list(range(3000))
    assert source.read == 30
    assert source.most_alive <= FrameBuilder.BATCH + 100  # never all 3,000 at once
    assert source.alive == 0  # nothing keeps a raw record once the frame is built


def test_to_pandas_shows_progress_and_needs_pandas_before_fetching(monkeypatch):
    handle = Handle()
    monkeypatch.setattr(progress, "_display_handle", lambda: handle)
    monkeypatch.setattr(progress.ProgressNote, "_EVERY", 0.0)
    source = Pages([[{"saleID": "1"}] * 100, [{"saleID": "2"}] * 50])
    LightspeedSession.to_pandas(source, "Sale")
    assert handle.shown[:2] == ["Sale: 100 records so far…", "Sale: 150 records so far…"]
    assert handle.shown[-1].startswith("Sale: fetched 150 records in ")

    def no_pandas():
        raise ImportError("to_pandas needs pandas: pip install 'ls-widget[pandas]'")

    monkeypatch.setattr(frames, "_pandas", no_pandas)
    source = Pages([[{"saleID": "1"}]])
    with pytest.raises(ImportError, match="ls-widget\\[pandas\\]"):
        LightspeedSession.to_pandas(source, "Sale", progress=False)
    assert source.read == 0


def test_to_pandas_tells_on_progress_the_events_a_sync_tells():
    events = []
    source = Pages([[{"saleID": "1"}] * 100, [{"saleID": "2"}] * 50])
    frame = LightspeedSession.to_pandas(source, "Sale", progress=False, on_progress=events.append)
    assert len(frame) == 150
    assert all(isinstance(e, progress.ProgressEvent) for e in events)
    assert [(e.resource, e.phase, e.pages, e.records) for e in events] == [
        ("Sale", "start", 0, 0), ("Sale", "page", 1, 100), ("Sale", "page", 2, 150), ("Sale", "end", 2, 150)]
