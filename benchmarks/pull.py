"""Full pulls from the sandbox under a scaled-down leaky bucket: LightspeedSession against the best possible.

A serial client can do no better than  (pages - ceil(size / cost)) x cost / drip  seconds: the bucket admits
ceil(size / cost) pages at once, then one page per cost / drip seconds. This measures the session's elapsed time
against that bound and counts 429s, next to a plain loop that fires requests and sleeps on 429 (the baseline).

    python benchmarks/pull.py                  # both scenarios, session and baseline
    python benchmarks/pull.py --repeat 3

Not a test: wall-clock figures go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import httpx

from ls_widget import sandbox
from ls_widget.ratelimit import parse_retry_after

SIZE, DRIP, BURST = 10.0, 12.5, 100  # the scaled bucket; burst set high so the leaky bucket is what binds

SCENARIOS = {
    # name: (sandbox data options, resource, request params)
    "plain pages (cost 1)": (dict(items=50, customers=20, sales=6500), "Sale", {"limit": 100}),
    "load_relations (cost > 1)": (dict(items=50, customers=20, sales=650), "Sale",
                                  {"limit": 10, "load_relations": ["SaleLines"]}),
}


def connect(box, resource, params):
    conn = box.connection(name="benchmark", scopes=["employee:all"])
    session = conn.complete_authorization(box.approve(conn.authorization_url()))
    # The sandbox builds its dataset lazily: one request first so the clock measures the client, not data generation.
    session.get(resource, limit=1, load_relations=params.get("load_relations"))
    time.sleep(2 * SIZE / DRIP)  # the bound assumes an empty bucket: let the set-up requests drain
    return session


def session_pull(box, resource, params):
    session = connect(box, resource, params)
    log = []
    session.event_hooks["response"].append(
        lambda r: log.append((r.status_code, float(r.headers.get("X-LS-Api-Request-Cost", "1"))))
    )
    started = time.monotonic()
    records = sum(1 for _ in session.iter(resource, **params))
    return time.monotonic() - started, records, log


def baseline_pull(box, resource, params):
    """What most scripts do: request pages back to back, sleep Retry-After on a 429."""
    session = connect(box, resource, params)  # for the token and URL only
    from ls_widget.query import encode

    url = f"{session.base_url}/{resource}.json?{encode(params)}"
    headers = {"Authorization": f"Bearer {session.token.access_token}"}
    log, records = [], 0
    started = time.monotonic()
    with httpx.Client(timeout=30) as http:
        while url:
            response = http.get(url, headers=headers)
            log.append((response.status_code, float(response.headers.get("X-LS-Api-Request-Cost", "1"))))
            if response.status_code == 429:
                time.sleep(parse_retry_after(response.headers.get("Retry-After")) or 1.0)
                continue
            data = response.json()
            page = data.get(resource) or []
            records += 1 if isinstance(page, dict) else len(page)
            url = data["@attributes"]["next"]
    return time.monotonic() - started, records, log


def bound(log):
    admitted = [cost for status, cost in log if status != 429]
    pages, cost = len(admitted), statistics.mean(admitted)
    return max(0.0, (pages - math.ceil(SIZE / cost)) * cost / DRIP), pages, cost


def run(repeat: int) -> None:
    print(f"bucket size {SIZE:g}, drip {DRIP:g}/s, burst {BURST}/s; bound = (pages - ceil(size/cost)) x cost / drip")
    print(f"{'scenario':28} {'client':9} {'pages':>5} {'cost':>5} {'bound s':>8} {'elapsed s':>9} {'bound/elapsed':>13} {'429s':>5}")
    for name, (data, resource, params) in SCENARIOS.items():
        for client, pull in (("session", session_pull), ("baseline", baseline_pull)):
            for _ in range(repeat):
                with sandbox.start(**data, bucket_size=SIZE, drip_rate=DRIP, burst_limit=BURST) as box:
                    elapsed, records, log = pull(box, resource, dict(params))
                best, pages, cost = bound(log)
                refused = sum(1 for status, _ in log if status == 429)
                print(f"{name:28} {client:9} {pages:5d} {cost:5.2f} {best:8.2f} {elapsed:9.2f} "
                      f"{best / elapsed:13.3f} {refused:5d}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    run(parser.parse_args().repeat)
