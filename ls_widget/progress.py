"""A one-line progress note for long pulls: updated in place in a notebook, silent elsewhere.

In a notebook it is a display handle updated after each page (no extra dependency, no red stderr); outside
IPython nothing is printed, so scripts and logs stay clean.
"""

from __future__ import annotations

import time


class Progress:
    _EVERY = 0.25  # seconds between redraws; a page arrives every few hundred ms at full speed

    def __init__(self, resource: str, enabled: bool = True) -> None:
        self.resource = resource
        self._handle = _display_handle() if enabled else None
        self._count = 0
        self._started = time.monotonic()
        self._drawn_at = 0.0

    def __enter__(self) -> "Progress":
        return self

    def update(self, count: int) -> None:
        self._count = count
        now = time.monotonic()
        if self._handle is not None and now - self._drawn_at >= self._EVERY:
            self._drawn_at = now
            self._handle.update(_Text(f"{self.resource}: {count:,} records so far…"))

    def __exit__(self, exc_type, *_) -> None:
        if self._handle is None:
            return
        elapsed = time.monotonic() - self._started
        status = "stopped at" if exc_type else "fetched"
        self._handle.update(_Text(f"{self.resource}: {status} {self._count:,} records in {elapsed:.1f} s"))


class _Text:
    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text)

    def __repr__(self) -> str:
        return self.text


def _display_handle():
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    return display(_Text(""), display_id=True)
