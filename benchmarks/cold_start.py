"""Cold import: `from ls_widget import LightspeedConnection` against `import anywidget`, in fresh interpreters.

The panel should cost an analyst little more than any anywidget: the OAuth and HTTP machinery (httpx and
the token code) loads on the first sign-in or request, not with the panel. Each figure is the median of --repeat fresh
processes, both measured alternately in one run, reported as a ratio.

    python benchmarks/cold_start.py --repeat 15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SNIPPETS = {
    "import anywidget": "import anywidget",
    "from ls_widget import LightspeedConnection": "from ls_widget import LightspeedConnection",
    "LightspeedConnection() (panel built)": "from ls_widget import LightspeedConnection; LightspeedConnection()",
}
_TIMED = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"


def cold(code: str) -> float:
    done = subprocess.run([sys.executable, "-c", _TIMED.format(code=code)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def run(repeat: int) -> None:
    samples: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    for _ in range(repeat):  # alternate, so drift on a shared machine hits every snippet alike
        for name, code in SNIPPETS.items():
            samples[name].append(cold(code))
    base = statistics.median(samples["import anywidget"])
    print(f"{'what':45} {'median s':>9} {'x anywidget':>12}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:45} {median:9.3f} {median / base:12.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    run(parser.parse_args().repeat)
