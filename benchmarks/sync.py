"""Incremental sync (``conn.sync``, ``sync_all``) against the issue's targets, measured on the sandbox.

    python benchmarks/sync.py                    # every scenario (about 10 minutes on 2 cores)
    python benchmarks/sync.py --scenario year    # one of: repeat, day, kill, stores, year
    python benchmarks/sync.py --scenario year --rtt 0.3 --year-sales 80000

| scenario | what | target |
|---|---|---|
| repeat | a repeat sync, nothing changed | <= 2 API requests |
| day    | a repeat sync after a day of changes to k sales | <= ceil(k/100) + 2 requests; tables equal the source |
| kill   | a first sync interrupted at its third load, run again | fetches <= pages left + max(10 pages, 5 s of pages); tables equal the source |
| stores | 3 stores with ``sync_all`` | <= 1.25 x the slowest store alone |
| year   | a year of sales at Lightspeed's real limits | within 2% of the bucket bound, 0 x 429 |

"Requests" are every answer the API gave the session (``session.statuses``: retries and 429s included). "Tables
equal the source": every Sale (archived ones too) stored once with the source's ``timeStamp`` (the same version),
and the SaleLine table holds exactly the source's (saleLineID, saleID) pairs with their ``timeStamp``s.

The year runs in *virtual time* (real time would be about 17 minutes of waiting): the client's pacer reads the
sandbox's own clock (real monotonic time + an offset) and "sleeps" by advancing that offset, and a transport adds a
simulated round trip the same way. Everything that is not waiting (parsing, dlt loads, the sandbox serving a page)
still takes its real time on both sides, so client and server always agree on the time. The bound is the fastest
any serial client could be (``serial_bound``): see its docstring for the formula.

Not a test: figures go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import math
import os
import shutil
import tempfile
import time
from contextlib import contextmanager

import httpx


def fresh_home() -> None:
    """A new, empty LS_WIDGET_HOME: never the user's, and never the tables of an earlier sandbox (a connection's
    tables outlive its sandbox: a second sandbox's "first" sync would otherwise resume from the first one's mark)."""
    home = tempfile.mkdtemp(prefix="ls-widget-bench-sync-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["LS_WIDGET_HOME"] = home


fresh_home()  # before anything stores a connection or a table
import ls_widget  # noqa: E402
from ls_widget import sandbox  # noqa: E402
from ls_widget.auth import SignIn  # noqa: E402
from ls_widget.credentials import credentials_for  # noqa: E402
from ls_widget.ratelimit import Pacer  # noqa: E402
from ls_widget.session import PAGE_SIZE, LightspeedSession  # noqa: E402
from ls_widget.sync import run as sync_run  # noqa: E402
from ls_widget.sync.target import Target  # noqa: E402
from ls_widget.token_store import TokenStore  # noqa: E402
from ls_widget.transport import PacedTransport  # noqa: E402

# Counting requests needs no waiting: the request scenarios use an unlimited bucket (as the test suite does).
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)
DEFAULT_YEAR = dict(sales=10000)
SALE_RELATIONS = ("SaleLines", "SalePayments")  # what the sync loads with each page of sales  # the sandbox's default "year of sales" for one store: 100 pages of Sale


# -- helpers ---------------------------------------------------------------------------------------------------------
def start(**options):
    """A sandbox, with a fresh home for its connections and tables."""
    fresh_home()
    return sandbox.start(**options)


def signed_in(box, name: str, account: str | None = None):
    """A saved connection signed in to ``account`` of the sandbox (default: its first)."""
    conn = box.connection(name=name, scopes=["employee:all"])
    conn.complete_authorization(box.approve(conn.authorization_url(), account=account))
    return conn.save()


def requests(session) -> int:
    """Answers the API gave this session so far, every retry and 429 included."""
    return sum(session.statuses.values())


def source(session) -> tuple[dict, dict]:
    """What Lightspeed holds now: {saleID: timeStamp} and {saleLineID: (saleID, timeStamp)}, archived included."""
    sales, lines = {}, {}
    for sale in session.iter("Sale", archived="true", load_relations=["SaleLines"]):
        sales[str(sale["saleID"])] = sale["timeStamp"][:19]
        nested = (sale.get("SaleLines") or {}).get("SaleLine") or []
        for line in [nested] if isinstance(nested, dict) else nested:
            lines[str(line["saleLineID"])] = (str(sale["saleID"]), line["timeStamp"][:19])
    return sales, lines


def differences(conn, session=None) -> str:
    """"equal" when the tables hold what the source holds, else what differs (counts of keys). ``session``: the one
    to pull the source with (default: the connection's)."""
    sales, lines = source(session or conn.session)
    stored = conn.sql('select saleID, timeStamp from "Sale"')
    stored_sales = {str(k): str(t)[:19].replace(" ", "T") for k, t in zip(stored["saleID"], stored["timeStamp"])}
    stored = conn.sql('select saleLineID, saleID, timeStamp from "SaleLine"')
    stored_lines = {str(k): (str(p), str(t)[:19].replace(" ", "T"))
                    for k, p, t in zip(stored["saleLineID"], stored["saleID"], stored["timeStamp"])}
    problems = []
    for table, mine, theirs, rows in (("Sale", stored_sales, sales, len(stored_sales)),
                                      ("SaleLine", stored_lines, lines, len(stored_lines))):
        duplicates = (len(conn.sql(f'select 1 from "{table}"')) - rows)
        missing, extra = theirs.keys() - mine.keys(), mine.keys() - theirs.keys()
        stale = sum(1 for key in theirs.keys() & mine.keys() if mine[key] != theirs[key])
        for what, n in (("missing", len(missing)), ("extra", len(extra)), ("stale", stale),
                        ("duplicated", duplicates)):
            if n:
                problems.append(f"{table}: {n} {what}")
    return "equal" if not problems else "; ".join(problems)


@contextmanager
def loads_fail_at(call: int):
    """``Target.load`` raises KeyboardInterrupt on its ``call``-th call: a Ctrl+C while a chunk was about to be
    stored (a real SIGKILL, before and inside dlt's load, is covered by tests/sync/test_sync_resume.py)."""
    real, calls = Target.load, []

    def load(self, resources):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return real(self, resources)

    Target.load = load
    try:
        yield
    finally:
        Target.load = real


@contextmanager
def timed(owner, *methods):
    """Total real seconds and calls spent in ``owner.method`` for each method, while the block runs."""
    spent = {name: [0.0, 0] for name in methods}
    originals = {name: getattr(owner, name) for name in methods}

    def wrap(name, real):
        def method(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[name][0] += time.perf_counter() - started
                spent[name][1] += 1
        return method

    for name, real in originals.items():
        setattr(owner, name, wrap(name, real))
    try:
        yield spent
    finally:
        for name, real in originals.items():
            setattr(owner, name, real)


@contextmanager
def paced_transports():
    """Every PacedTransport built while the block runs (sync_all builds its sessions itself): to count 429s."""
    built, real = [], PacedTransport.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        built.append(self)

    PacedTransport.__init__ = init
    try:
        yield built
    finally:
        PacedTransport.__init__ = real


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


# -- request counts --------------------------------------------------------------------------------------------------
def scenario_repeat(args) -> None:
    with start(**DEFAULT_YEAR, **FAST) as box:
        conn = signed_in(box, "Repeat")
        first = conn.sync(["Sale"], progress=False)
        before = requests(conn.session)
        again = conn.sync(["Sale"], progress=False)
        spent = requests(conn.session) - before
    print(f"repeat  first sync {first.pages} pages; repeat sync, nothing changed: {spent} requests "
          f"({again.pages} pages), {sum(t.inserted + t.updated for t in again.tables.values())} rows changed; "
          f"target <= 2: {verdict(spent <= 2)}")


# Sales are voided, not archived (the sandbox's sales have no archived flag). Deletions get a day of their own: an
# incremental sync cannot see a record that is gone (only full=True reconciles), so that row shows the documented
# limit, and what the full sync that clears it costs.
DAYS = {"small day": dict(edits=10, adds=5, archives=2, deletes=0),
        "busy day": dict(edits=300, adds=150, archives=50, deletes=0),
        "day with deletions": dict(edits=300, adds=150, archives=50, deletes=5)}


def scenario_day(args) -> None:
    for label, counts in DAYS.items():
        with start(**DEFAULT_YEAR, **FAST) as box:
            print(one_day(box, label, counts))


def one_day(box, label: str, counts: dict) -> str:
    conn = signed_in(box, "Day")
    conn.sync(["Sale"], progress=False)
    changes = box.day_of_changes(**counts, resources=("Sale",), seed=label)
    k = sum(len(ids) for ids in changes["Sale"].values())
    target = math.ceil(k / PAGE_SIZE) + 2
    before = requests(conn.session)
    result = conn.sync(["Sale"], progress=False)
    spent = requests(conn.session) - before
    line = (f"day     {label}: k={k} sales changed ({counts}); repeat sync {spent} requests ({result.pages} pages), "
            f"target <= {target}: {verdict(spent <= target)}; tables: {differences(conn)}")
    if counts["deletes"]:
        before = requests(conn.session)
        full = conn.sync(["Sale"], full=True, progress=False)
        line += (f"; then full=True: {requests(conn.session) - before} requests, {full.tables['Sale'].deleted} sales "
                 f"deleted, tables: {differences(conn)}")
    return line


def scenario_kill(args) -> None:
    """Interrupted at the third load, at a pace where a chunk is several pages (a drip of 5/s, a page of sales with
    lines and payments costs 1.8): the rerun may fetch the pages left plus what the kill lost, at most
    max(10 pages, 5 s of fetching)."""
    with start(**DEFAULT_YEAR, bucket_size=10.0, drip_rate=5.0, burst_limit=100) as box:
        conn = signed_in(box, "Killed")
        total = math.ceil(len(source(conn.session)[0]) / PAGE_SIZE)
        before = requests(conn.session)
        started = time.monotonic()
        with loads_fail_at(3):
            try:
                conn.sync(["Sale"], progress=False)
            except KeyboardInterrupt:
                pass
            else:
                raise SystemExit("the sync was not interrupted: the dataset is too small for this scenario")
        fetched, seconds = requests(conn.session) - before, time.monotonic() - started
        committed = math.ceil(int(conn.sql("select count(*) as n from Sale")["n"][0]) / PAGE_SIZE)
        left = total - committed
        allowance = max(10, math.ceil(5.0 * fetched / seconds))  # 10 pages, or 5 s of pages at the pace seen
        before = requests(conn.session)
        rerun = conn.sync(["Sale"], progress=False)
        spent = requests(conn.session) - before
        tables = differences(conn)
    print(f"kill    {total} pages; interrupted at load 3 after {fetched} pages in {seconds:.1f} s ({committed} pages "
          f"committed, {fetched - committed} fetched and lost); rerun fetched {rerun.pages} pages in {spent} "
          f"requests, target <= pages left + max(10 pages, 5 s of pages) = {left} + {allowance}: "
          f"{verdict(spent <= left + allowance)}; tables: {tables}")


# -- several stores at once ------------------------------------------------------------------------------------------
# Two buckets for the stores. The first is pull.py's, scaled 12.5 times faster so the run is short; the client's
# own work (loads) is not scaled with it, so this is where stores could get in each other's way: each syncs in a
# process of its own (sync_all), so they share the machine's cores, not one GIL. The second keeps Lightspeed's drip
# rate (1/s), so client work and bucket time keep their real proportion; only the bucket is smaller (10 instead of
# 90) so it binds after a few pages instead of 65, and the burst limit is Lightspeed's 20.
STORE_BUCKETS = {
    "scaled bucket": dict(bucket_size=10.0, drip_rate=12.5, burst_limit=100),
    "Lightspeed's drip": dict(bucket_size=10.0, drip_rate=1.0, burst_limit=20),
}


def scenario_stores(args) -> None:
    """Three stores = three accounts of one sandbox, one OAuth client: three account+client buckets, as on Lightspeed
    (one host, different account IDs). Three sandboxes cannot serve one process: the API host comes from the one
    LS_WIDGET_API_URL. The sandbox serves a page in under 10 ms, so sharing the process with it costs little."""
    for (label, bucket), sales in zip(STORE_BUCKETS.items(), (args.store_sales, args.store_sales_real)):
        alone, together, size, drip = stores_run(bucket, sales)
        print(f"stores  {label}: bucket {size:g}, drip {drip:g}/s, burst {bucket['burst_limit']}/s; {sales} sales "
              f"per store")
        for i, run in enumerate(alone):
            print(f"stores  {label}: store {i} alone: {run['pages'][0]} pages in {run['elapsed']:.2f} s "
                  f"(bucket bound {run['bounds'][0]:.2f} s), {run['refused']} x 429")
        slowest = max(run["elapsed"] for run in alone)
        ratio = together["elapsed"] / slowest
        print(f"stores  {label}: 3 stores with sync_all: {together['pages']} pages in {together['elapsed']:.2f} s, "
              f"{together['refused']} x 429; / slowest alone "
              f"({slowest:.2f} s) = {ratio:.3f}, target <= 1.25: {verdict(ratio <= 1.25)}")


def stores_run(bucket: dict, sales: int):
    """Each store synced alone (one after the other), then all three with ``sync_all``, on fresh tables each time
    (two connections per store). Alone is ``sync_all([one])``: the same path, including its Account.json check."""
    with start(accounts=3, sales=sales, **bucket) as box:
        size, drip, _ = box.state.limiter.limits(1)
        alone_names = [f"Store {i} alone" for i in range(3)]
        together_names = [f"Store {i} together" for i in range(3)]
        for i, account in enumerate(box.state.account_ids):
            warm = signed_in(box, alone_names[i], account)
            signed_in(box, together_names[i], account)
            warm.session.get("Sale", limit=1, load_relations=["SaleLines"])  # the sandbox builds each account lazily

        def run(names):
            box.advance_clock(2 * size / drip)  # every bucket empty, as the bound assumes (the client is unaffected)
            started = time.monotonic()
            results = ls_widget.sync_all(names, ["Sale"], progress=False)  # each store in a process of its own
            elapsed = time.monotonic() - started
            if not results.ok:
                raise SystemExit(f"sync_all failed: {results.failed}")
            pages = [results[name].pages for name in names]
            cost = 1 + 2 * 0.2 * len(SALE_RELATIONS)  # docs/lightspeed-api.md section 4.1, a list read
            bounds = [max(0.0, (n - math.ceil(size / cost)) * cost / drip) for n in pages]
            return dict(elapsed=elapsed, pages=pages, bounds=bounds,
                        refused=sum(results[name].rate_limited for name in names))

        alone = [run([name]) for name in alone_names]
        together = run(together_names)
    return alone, together, size, drip


# -- a year at the real limits, in virtual time ----------------------------------------------------------------------
class RoundTrip(httpx.BaseTransport):
    """Adds a simulated network round trip on the sandbox's clock: half before the request reaches the server, half
    after it answered (the server's own time to answer is real time on top)."""

    def __init__(self, inner: httpx.BaseTransport, box, rtt: float) -> None:
        self._inner, self._box, self._half = inner, box, rtt / 2
        # Once a list: (status, cost, the moment the answer arrived on the shared clock) of every answer, retried
        # ones (429s) included.
        self.answers: list | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._box.advance_clock(self._half)
        response = self._inner.handle_request(request)
        self._box.advance_clock(self._half)
        if self.answers is not None:
            self.answers.append((response.status_code, float(response.headers.get("X-LS-Api-Request-Cost", "1")),
                                 self._box.clock.monotonic()))
        return response

    def close(self) -> None:
        self._inner.close()


def virtual_session(box, conn, rtt: float) -> tuple[LightspeedSession, RoundTrip]:
    """The connection's session, but waiting on the sandbox's clock: a sleep moves that clock instead of the process.

    The clock is the sandbox's own (real monotonic time + offset), not a separate counter: a separate one would miss
    the real seconds spent parsing and loading while the sandbox's bucket drained through them, and the client would
    believe the bucket fuller than it is (figures too good to be true)."""
    def sleep(seconds: float) -> None:
        box.advance_clock(max(0.0, seconds))

    inner = conn.connection  # the panel's Connection: its profile, client and stored sign-in
    sign_in = SignIn(inner.profile, credentials_for(inner.profile, inner.oauth_client), TokenStore(inner.bound_name))
    network = RoundTrip(httpx.HTTPTransport(), box, rtt)
    session = LightspeedSession(inner.profile, sign_in, inner.account_id, inner.account_name, transport=network,
                                pacer=Pacer(clock=box.clock.monotonic, sleep=sleep), sleep=sleep)
    return session, network


def serial_bound(costs: list[float], size: float, drip: float, burst: int, rtt: float) -> float:
    """The fastest a serial client can fetch pages of these costs, starting on an empty bucket.

    Request i reaches the server at t_i = the earliest moment that is at least ``rtt`` after t_(i-1) (serial: it is
    sent when the previous answer arrived), at which the level (draining ``drip`` per second) is at most ``size``,
    and that is in a 1-second window with fewer than ``burst`` requests; there it adds its cost. Elapsed =
    t_last - t_first + rtt (half a round trip before the first arrival, half after the last). Earliest-possible at
    every step is optimal, so this is a true lower bound. In closed form, when the bucket binds (rtt < cost / drip):
    about  (sum of costs - size - last cost) / drip + rtt  (the drain over the run pays for all but what fits in the
    bucket at the end), and pull.py's  (pages - ceil(size / cost)) x cost / drip  at rtt = 0; when latency binds,
    pages x rtt."""
    t = level = 0.0
    window, in_window = None, 0
    for i, cost in enumerate(costs):
        arrive = 0.0 if i == 0 else t + max(rtt, (level - size) / drip)
        if burst and math.floor(arrive) == window and in_window >= burst:
            arrive = math.floor(arrive) + 1.0
        if math.floor(arrive) != window:
            window, in_window = math.floor(arrive), 0
        level = max(0.0, level - drip * (arrive - t)) + cost
        in_window += 1
        t = arrive
    return t + rtt if costs else 0.0


def scenario_year(args) -> None:
    with start(sales=args.year_sales) as box:  # Lightspeed's defaults: one register, size 90, drip 1, burst 20
        size, drip, burst = box.state.limiter.limits(1)
        conn = signed_in(box, "A year")
        session, network = virtual_session(box, conn, args.rtt)
        started_real = time.monotonic()
        session.get("Sale", limit=1, archived="true", sort="timeStamp", load_relations=["SaleLines"])
        generation = time.monotonic() - started_real  # the sandbox builds the dataset on first use: not the client's
        box.advance_clock(2 * size / drip)  # an empty bucket, as the bound assumes
        network.answers = log = []  # (status, cost, the moment the answer arrived on the shared clock)
        with timed(Target, "load", "query", "state") as spent:
            started, started_real = box.clock.monotonic(), time.monotonic()
            result = sync_run.sync(session, Target(conn.connection.bound_name), ["Sale"], progress=False)
            ended, real = box.clock.monotonic(), time.monotonic() - started_real
        refused = session.statuses[429]
        answers = list(log)  # the sync's answers only: the check below adds its own
        tables = differences(conn, session) if args.check_year else "not checked"  # virtual time too
    costs = [cost for status, cost, _ in answers if status != 429]
    best = serial_bound(costs, size, drip, burst, args.rtt)
    mean = sum(costs) / len(costs)
    elapsed = ended - started
    # Where the time beyond the bound goes: before the first page is sent (setting up the target) and after the last
    # answer (the last chunk's load, which no bucket wait hides).
    head, tail = answers[0][2] - args.rtt - started, ended - answers[-1][2]
    formula = (len(costs) - math.ceil(size / mean)) * mean / drip  # pull.py's, which ignores the round trip
    print(f"year    {args.year_sales} sales: {result.pages} pages, {len(costs)} requests admitted, mean cost "
          f"{mean:.2f}; bucket {size:g}, drip {drip:g}/s, burst {burst}/s, simulated RTT {args.rtt:g} s (dataset "
          f"built in {generation:.1f} s, before the clock started)")
    print(f"year    bound {best:.1f} s (pull.py's formula: {formula:.1f} s), elapsed {elapsed:.1f} s virtual "
          f"({real:.1f} s real), elapsed/bound {elapsed / best:.4f}, {refused} x 429; "
          f"target <= 1.02 and 0 x 429: {verdict(elapsed / best <= 1.02 and refused == 0)}")
    print(f"year    before the first page {head:.1f} s, after the last answer {tail:.1f} s; pages alone "
          f"(first sent to last answered) / bound {(elapsed - head - tail) / best:.4f}")
    load_s, loads = spent["load"]
    query_s, queries = spent["query"]
    print(f"year    dlt loads {load_s:.1f} s real over {loads} chunks ({load_s / max(loads, 1):.2f} s each), queries "
          f"{query_s:.1f} s over {queries}: {(load_s + query_s) / elapsed:.1%} of the elapsed time, all inside the "
          f"bucket's waits but the last chunk's; tables: {tables}")


SCENARIOS = {"repeat": scenario_repeat, "day": scenario_day, "kill": scenario_kill, "stores": scenario_stores,
             "year": scenario_year}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=list(SCENARIOS), action="append",
                        help="run only this one (repeatable); default: all")
    parser.add_argument("--rtt", type=float, default=0.3, help="year: simulated round trip, seconds (default 0.3)")
    parser.add_argument("--year-sales", type=int, default=80000,
                        help="year: sales in the store (default 80000: 800 pages of 100)")
    parser.add_argument("--no-check-year", dest="check_year", action="store_false",
                        help="year: skip comparing the tables with a full pull afterwards")
    parser.add_argument("--store-sales", type=int, default=5000,
                        help="stores, scaled bucket: sales per store (default 5000: 50 pages)")
    parser.add_argument("--store-sales-real", type=int, default=2000,
                        help="stores, Lightspeed's drip: sales per store (default 2000: 20 pages)")
    args = parser.parse_args()
    for name in args.scenario or SCENARIOS:
        SCENARIOS[name](args)


if __name__ == "__main__":
    main()
