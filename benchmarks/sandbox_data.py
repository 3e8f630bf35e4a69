"""Building the sandbox's default dataset (2,000 items, 500 customers, 10,000 sales with their lines): CPU time.

Every ``sandbox.start()`` with the defaults builds it on first use (a demo's first request, a test's first read), so
it has to stay a fraction of a second. This was a bound in tests/sandbox/test_sandbox_lifecycle.py; the suite asserts
behaviour only (the dataset's size stays there), so the time is measured here.

    python benchmarks/sandbox_data.py              # the median of 5 builds
    python benchmarks/sandbox_data.py --repeat 9

CPU time of this process (``time.process_time``), so other processes loading the machine do not count; the wall
clock is printed beside it. Not a test: figures go in benchmarks/README.md (target: well under 2 s of CPU).
"""

from __future__ import annotations

import argparse
import statistics
import time

from ls_widget.sandbox.config import DataOptions
from ls_widget.sandbox.data import AccountData


def build() -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, sales) for one build of the default dataset, every table generated."""
    cpu, wall = time.process_time(), time.perf_counter()
    data = AccountData(DataOptions(), 0)
    sales = len(data.table("Sale").records)
    return time.process_time() - cpu, time.perf_counter() - wall, sales


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="builds to take the median of (default 5)")
    args = parser.parse_args()
    runs = [build() for _ in range(max(1, args.repeat))]
    cpu = statistics.median(run[0] for run in runs)
    wall = statistics.median(run[1] for run in runs)
    print(f"default dataset ({runs[0][2]} sales): CPU {cpu:.3f} s, wall {wall:.3f} s (median of {len(runs)})")


if __name__ == "__main__":
    main()
