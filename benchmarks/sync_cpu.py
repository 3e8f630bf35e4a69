"""The sync's own CPU cost, side by side with fetching and flattening the same pages (``benchmarks/README.md``).

    python benchmarks/sync_cpu.py                 # 20,000 items and 5,000 sales, 2 rounds; peak memory too
    python benchmarks/sync_cpu.py --rounds 3 --no-memory

The sandbox runs in a process of its own with a bucket too large to bind, so what is measured is this package's
work: client CPU time (``time.process_time``: every thread of this process, the fetching thread and dlt's
included), the median of the rounds. For each resource, on the same pages:

- ``iter``: ``session.iter`` (fetch, parse the JSON);
- ``iter + json_normalize``: the same, flattened by pandas, the yardstick of the targets;
- ``sync, first``: ``conn.sync`` into an empty DuckDB file; ``sync, repeat``: nothing changed.

Peak memory: a first sync of 5,000 and of 40,000 items, each in a fresh process (peak RSS over the resident memory
after the imports and sign-in): what a first sync holds must not grow with the table.

Not a test: figures go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import contextmanager

import httpx

UNBOUND = ["--bucket-size", "1000000000", "--drip-rate", "1000000000", "--burst-limit", "1000000000"]
SALE_RELATIONS = ["SaleLines", "SalePayments"]  # what the sync loads with each page of sales


@contextmanager
def sandbox_process(*options: str):
    """``python -m ls_widget.sandbox`` in its own process; yields (base URL, client ID, client secret)."""
    child = subprocess.Popen([sys.executable, "-m", "ls_widget.sandbox", *UNBOUND, *options],
                             stdout=subprocess.PIPE, text=True)
    try:
        lines = [child.stdout.readline() for _ in range(3)]
        url = lines[0].strip()
        client = re.search(r"id (\S+) secret (\S+)", lines[2])
        yield url, client.group(1), client.group(2)
    finally:
        child.terminate()
        child.wait(timeout=30)


def signed_in(url: str, client_id: str, secret: str, name: str):
    """A saved connection to the sandbox, signed in as an analyst would (the consent form, over HTTP)."""
    os.environ["LS_WIDGET_AUTH_URL"] = os.environ["LS_WIDGET_API_URL"] = url
    from ls_widget import OAuthClient
    from ls_widget.connection import Connection

    OAuthClient("bench", client_id=client_id, client_secret=secret).save()
    conn = Connection(name, scopes=["employee:all"], oauth_client="bench")
    authorization_url = conn.authorization_url()
    with httpx.Client(timeout=60) as browser:
        page = browser.get(authorization_url)
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
        answer = browser.post(str(page.url.copy_with(query=None)), data={"request_id": request_id,
                                                                         "decision": "approve"})
    conn.complete_authorization(answer.headers["location"])
    return conn.save()


def cpu(work) -> tuple[float, object]:
    started = time.process_time()
    value = work()
    return time.process_time() - started, value


def measure(conn, resource: str, params: dict, rounds: int) -> dict:
    import pandas as pd

    session = conn.session
    figures: dict[str, list[float]] = {"iter": [], "iter + json_normalize": [], "sync, first": [],
                                       "sync, repeat": []}
    records = 0
    for number in range(rounds):
        seconds, records = cpu(lambda: sum(1 for _ in session.iter(resource, **params)))
        figures["iter"].append(seconds)
        seconds, _ = cpu(lambda: pd.json_normalize(list(session.iter(resource, **params))))
        figures["iter + json_normalize"].append(seconds)
        destination = os.path.join(tempfile.mkdtemp(prefix="ls-widget-bench-cpu-"), f"{resource}{number}.duckdb")
        seconds, _ = cpu(lambda: conn.sync([resource], destination=destination, progress=False))
        figures["sync, first"].append(seconds)
        seconds, _ = cpu(lambda: conn.sync([resource], destination=destination, progress=False))
        figures["sync, repeat"].append(seconds)
    return {"records": records, **{name: statistics.median(values) for name, values in figures.items()}}


def peak_memory(items: int) -> float:
    """MiB a first sync of ``items`` items adds to a fresh process's peak RSS, over what its imports hold."""
    script = textwrap.dedent(f"""
        import os, resource, sys, tempfile
        sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
        os.environ["LS_WIDGET_HOME"] = tempfile.mkdtemp()
        import dlt, duckdb, pandas, pyarrow  # the imports a sync needs, before the baseline
        import ls_widget.sync.run, ls_widget.sync.target
        from sync_cpu import sandbox_process, signed_in
        with sandbox_process("--items", "{items}", "--sales", "0", "--customers", "0") as (url, cid, secret):
            conn = signed_in(url, cid, secret, "memory")
            conn.session.get("Item", limit=1)
            with open("/proc/self/statm") as statm:  # resident pages now: what the imports and the session hold
                before = int(statm.read().split()[1]) * resource.getpagesize() / 1024
            conn.sync(["Item"], progress=False)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB, the highest it ever was
        print((peak - before) / 1024)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise SystemExit(done.stderr)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--sales", type=int, default=5000)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    os.environ["LS_WIDGET_HOME"] = tempfile.mkdtemp(prefix="ls-widget-bench-cpu-")
    with sandbox_process("--items", str(args.items), "--sales", str(args.sales), "--customers", "500") as (
            url, client_id, secret):
        conn = signed_in(url, client_id, secret, "cpu")
        conn.session.get("Sale", limit=1, load_relations=SALE_RELATIONS)  # the sandbox builds its data lazily
        rows = {
            f"{args.items:,} items": measure(conn, "Item", {"archived": "true"}, args.rounds),
            f"{args.sales:,} sales with lines and payments": measure(
                conn, "Sale", {"archived": "true", "load_relations": SALE_RELATIONS}, args.rounds),
        }
    print(f"client CPU, median of {args.rounds} rounds")
    print("| what | records | iter | iter + json_normalize | sync, first | x iter + json_normalize | sync, repeat |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['records']:,} | {row['iter']:.2f} s | {row['iter + json_normalize']:.2f} s | "
              f"{row['sync, first']:.2f} s | {row['sync, first'] / row['iter + json_normalize']:.2f} | "
              f"{row['sync, repeat']:.2f} s |")
    if not args.no_memory:
        small, large = peak_memory(5000), peak_memory(40000)
        print(f"peak memory of a first sync over the imports: 5,000 items +{small:.0f} MiB, 40,000 items "
              f"+{large:.0f} MiB ({large / small:.2f} x)")


if __name__ == "__main__":
    main()
