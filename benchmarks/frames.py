"""``LightspeedSession.to_pandas``: time and peak memory against fetching the pages and ``pandas.json_normalize``.

Every figure is a ratio taken side by side in one run, so the machine's speed cancels out:

- over HTTP (the sandbox on 127.0.0.1, a bucket too large to bind): ``to_pandas`` time / time to fetch the same pages
  with ``session.pages`` and ``json_normalize`` them (the baseline: what a script without this package does);
- in memory (pages as JSON bodies, parsed as they are read, no HTTP): the same ratio, the time of typing the columns
  alone / ``json_normalize``, and peak memory (tracemalloc) while building the DataFrame / the size of the raw
  record list (every parsed page kept, as the previous ``to_pandas`` and a plain script do), with text kept as
  Python strings (``mode.string_storage="python"``) since tracemalloc does not see pyarrow's buffers.

``previous`` is the implementation before page-by-page flattening (kept here, frozen, so before and after are
measured in one run): every page's records into one list, ``json_normalize`` of the list, then each column typed by
checking every value with a Python-level predicate.

    python benchmarks/frames.py           # over HTTP 20,000 items and 5,000 sales with relations; 100,000 items
    python benchmarks/frames.py --http-items 5000 --http-sales 0 --memory-items 20000 --repeat 1

Not a test: figures go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import time
import tracemalloc

import pandas as pd

from ls_widget import sandbox
from ls_widget.frames import _typed
from ls_widget.sandbox.config import DataOptions
from ls_widget.sandbox.data import account_data
from ls_widget.session import LightspeedSession

PAGE = 100


# -- the previous implementation, frozen ----------------------------------------------------------------------------
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def previous_to_pandas(pages, convert: bool = True):
    records: list[dict] = []
    for page in pages:
        records.extend(page)
    frame = pd.json_normalize(records, sep=".") if records else pd.DataFrame()
    if convert:
        for column in frame.columns:
            frame[column] = _previous_typed(frame[column])
    return frame


def _previous_typed(column):
    values = column.dropna()
    if values.empty or not all(isinstance(v, str) for v in values):
        return column
    if values.isin(["true", "false"]).all():
        return column.map({"true": True, "false": False})
    if values.map(lambda v: bool(_NUMBER.match(v))).all():
        return pd.to_numeric(column)
    if values.map(lambda v: bool(_TIMESTAMP.match(v))).all():
        return pd.to_datetime(column, utc=True, format="ISO8601", errors="coerce")
    return column


# -- the contenders, all from the same pages ------------------------------------------------------------------------
def baseline(pages):
    """Fetch every page into one list, then json_normalize: what to_pandas is measured against."""
    records = [record for page in pages for record in page]
    return pd.json_normalize(records, sep=".")


class _Pages:
    """Stands in for a session whose ``pages`` yields the given pages (``to_pandas`` reads nothing else)."""

    def __init__(self, pages) -> None:
        self._pages = pages

    def pages(self, resource, **params):
        return self._pages()


def current(pages):
    return LightspeedSession.to_pandas(_Pages(lambda: pages), "Item", progress=False)


def timed(run) -> float:
    gc.collect()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


# -- over HTTP ------------------------------------------------------------------------------------------------------
def over_http(items: int, sales: int, repeat: int) -> None:
    scenarios = [("Item", {}), ("Sale", {"load_relations": ["SaleLines", "Customer"]})] if sales else [("Item", {})]
    with sandbox.start(items=items, sales=sales, bucket_size=1e9, drip_rate=1e9, burst_limit=10**9) as box:
        conn = box.connection(name="benchmark", scopes=["employee:all"])
        session = conn.complete_authorization(box.approve(conn.authorization_url()))
        for resource, params in scenarios:
            http_scenario(session, resource, params, repeat)


def http_scenario(session, resource: str, params: dict, repeat: int) -> None:
    def pages():
        return session.pages(resource, **params)

    sizes = [len(page) for page in pages()]  # builds the sandbox's data and warms both ends
    pd.testing.assert_frame_equal(session.to_pandas(resource, progress=False, **params), previous_to_pandas(pages()))
    runs = {
        "fetch + json_normalize": lambda: baseline(pages()),
        "to_pandas (previous)": lambda: previous_to_pandas(pages()),
        "to_pandas": lambda: session.to_pandas(resource, progress=False, **params),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):  # interleaved, so a slow moment hits every contender alike
        for name, run in runs.items():
            times[name].append(timed(run))
    base = statistics.median(times["fetch + json_normalize"])
    relations = f" with {', '.join(params['load_relations'])}" if params else ""
    print(f"\nover HTTP: {sum(sizes):,} {resource}{relations} in {len(sizes)} pages, median of {repeat}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:24} {median:7.2f} s   {median / base:5.2f} x baseline")


def typing_alone(records) -> tuple[float, float, float]:
    """Seconds to json_normalize ``records``, then to type its columns the previous way, then the current way."""
    gc.collect()
    started = time.perf_counter()
    before = pd.json_normalize(records, sep=".")
    normalize = time.perf_counter() - started
    after = before.copy()

    def previous_typing():
        for column in before.columns:
            before[column] = _previous_typed(before[column])

    def current_typing():
        for column in after.columns:
            typed = _typed(after[column], pd)
            if typed is not None:
                after[column] = typed

    return normalize, timed(previous_typing), timed(current_typing)


# -- in memory ------------------------------------------------------------------------------------------------------
def in_memory(items: int, repeat: int) -> None:
    table = account_data(DataOptions(items=items, sales=0), 0).table("Item").records
    bodies = [json.dumps({"Item": table[i:i + PAGE]}).encode() for i in range(0, len(table), PAGE)]
    del table

    def pages():  # fresh objects for every page, as a response body parsed on arrival
        for body in bodies:
            yield json.loads(body)["Item"]

    pd.testing.assert_frame_equal(current(pages()), previous_to_pandas(pages()))
    print(f"\nin memory: {items:,} items in {len(bodies)} pages, median of {repeat}")

    runs = {
        "parse + json_normalize": lambda: baseline(pages()),
        "to_pandas (previous)": lambda: previous_to_pandas(pages()),
        "to_pandas": lambda: current(pages()),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    typing: dict[str, list[float]] = {"normalize": [], "previous": [], "current": []}
    records = [record for page in pages() for record in page]
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
        for name, seconds in zip(typing, typing_alone(records)):
            typing[name].append(seconds)
    base = statistics.median(times["parse + json_normalize"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:24} {median:7.2f} s   {median / base:5.2f} x baseline")
    normalize = statistics.median(typing["normalize"])
    for name in ("previous", "current"):
        median = statistics.median(typing[name])
        print(f"  typing alone, {name:10} {median:7.2f} s   {median / normalize:5.2f} x json_normalize "
              f"({normalize:.2f} s)")
    del records

    # Peak memory: tracemalloc, one contender at a time, against the size of the raw record list. pandas 3 keeps
    # str columns in pyarrow buffers when pyarrow is installed, which tracemalloc does not see: strings are kept as
    # Python objects here so that every byte is counted.
    with pd.option_context("mode.string_storage", "python"):
        peak_memory(pages, runs)


def peak_memory(pages, runs) -> None:
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    records = [record for page in pages() for record in page]
    raw = tracemalloc.get_traced_memory()[0] - start
    del records
    gc.collect()
    print(f"  raw record list: {raw / 2**20:,.0f} MiB (tracemalloc)")
    for name in runs:
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        frame = runs[name]()
        peak = tracemalloc.get_traced_memory()[1] - start
        kept = tracemalloc.get_traced_memory()[0] - start
        del frame
        print(f"  {name:24} peak {peak / 2**20:6,.0f} MiB = {peak / raw:4.2f} x the list; "
              f"the frame keeps {kept / 2**20:,.0f} MiB")
    tracemalloc.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--http-items", type=int, default=20000)
    parser.add_argument("--http-sales", type=int, default=5000, help="Sales with their lines and customer; 0: none")
    parser.add_argument("--memory-items", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    storage = pd.Series(["x"]).dtype
    print(f"pandas {pd.__version__}, text columns as {storage!r}"
          f"{f' ({storage.storage} storage)' if hasattr(storage, 'storage') else ''}")
    if arguments.http_items:
        over_http(arguments.http_items, arguments.http_sales, arguments.repeat)
    if arguments.memory_items:
        in_memory(arguments.memory_items, arguments.repeat)
