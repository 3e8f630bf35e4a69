"""Progress of a pull, one protocol for every reader of it: ``ProgressEvent``s, told to plain callbacks.

A pull (``session.to_pandas``, or each resource of a sync) is counted by a ``PullProgress``: it tells every listener a
``ProgressEvent`` when the pull starts, after each page and when it ends (not when it fails: a listener that must
say so, like the note below, is a context manager and learns it there). The listeners are the caller's
``on_progress`` and whatever shows the pull: the one-line ``ProgressNote`` here for ``to_pandas``, the sync's bar
(ls_widget/sync/progress.py), the panel's Sync part. Everything is called from the thread running the pull.

The note is a notebook display handle updated in place (no extra dependency, no red stderr); outside IPython nothing
is printed, so scripts and logs stay clean.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, Literal

Phase = Literal["start", "page", "end"]


@dataclass(frozen=True)
class ProgressEvent:
    """Where a pull stands. ``pages`` and ``records`` count the resource in progress; ``all_pages`` and
    ``all_records`` every resource of the pull so far (a sync reads several; both only grow). ``seconds_left`` (the
    resource's pages still to come at the rate limit's bound) is None when the total is unknown (``to_pandas`` and
    incremental reads never count)."""

    resource: str
    phase: Phase
    pages: int
    records: int
    total_pages: int | None
    seconds_left: float | None
    resources_done: int  # resources finished before this one (this one too, once it ends)
    resources_total: int
    all_pages: int
    all_records: int


ProgressCallback = Callable[[ProgressEvent], None]


class PullProgress:
    """One resource's pull, counted page by page and told to ``listeners`` as ``ProgressEvent``s: "start" on
    entering, "page" after each ``advance``, "end" on leaving without an exception.

    ``seconds_per_page`` (the session's ``seconds_per_request``) prices the pages left when ``total_pages`` is known;
    ``resources_done``, ``resources_total``, ``pages_before`` and ``records_before`` place the resource in a pull of
    several."""

    def __init__(self, resource: str, listeners: Iterable[ProgressCallback | None] = (), *,
                 total_pages: int | None = None, seconds_per_page: Callable[[], float | None] | None = None,
                 resources_done: int = 0, resources_total: int = 1, pages_before: int = 0,
                 records_before: int = 0) -> None:
        self.resource = resource
        self._listeners = [listener for listener in listeners if listener is not None]
        self._total = total_pages
        self._per_page = seconds_per_page
        self._done, self._of = resources_done, resources_total
        self._pages_before, self._records_before = pages_before, records_before
        self.pages = 0
        self.records = 0

    def seconds_left(self) -> float | None:
        """The resource's pages still to come at the rate limit's bound; None when the total is unknown."""
        per_page = self._per_page() if self._per_page is not None else None
        if not self._total or not per_page:
            return None
        return max(0, self._total - self.pages) * per_page

    def advance(self, pages: int, records: int) -> None:
        self.pages += pages
        self.records += records
        self._tell("page")

    def __enter__(self) -> "PullProgress":
        self._tell("start")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self._tell("end")

    def _tell(self, phase: Phase) -> None:
        if not self._listeners:
            return
        ended = phase == "end"
        event = ProgressEvent(
            resource=self.resource, phase=phase, pages=self.pages, records=self.records, total_pages=self._total,
            seconds_left=0.0 if ended else self.seconds_left(), resources_done=self._done + (1 if ended else 0),
            resources_total=self._of, all_pages=self._pages_before + self.pages,
            all_records=self._records_before + self.records)
        for listener in self._listeners:
            listener(event)


class ProgressNote:
    """The one-line note of a long pull in a notebook, a ``ProgressCallback``: records so far as pages arrive, then
    how many were fetched, or where the pull stopped (as a context manager, it learns of a failure)."""

    _EVERY = 0.25  # seconds between redraws; a page arrives every few hundred ms at full speed

    def __init__(self, resource: str, enabled: bool = True) -> None:
        self.resource = resource
        self._handle = _display_handle() if enabled else None
        self._records = 0
        self._started = time.monotonic()
        self._drawn_at = 0.0

    def __enter__(self) -> "ProgressNote":
        return self

    def __call__(self, event: ProgressEvent) -> None:
        self._records = event.records
        if self._handle is None:
            return
        if event.phase == "end":
            self._draw("fetched")
            return
        now = time.monotonic()
        if event.phase == "page" and now - self._drawn_at >= self._EVERY:
            self._drawn_at = now
            self._handle.update(_Text(f"{self.resource}: {event.records:,} records so far…"))

    def __exit__(self, exc_type, *_) -> None:
        if self._handle is not None and exc_type is not None:
            self._draw("stopped at")

    def _draw(self, status: str) -> None:
        elapsed = time.monotonic() - self._started
        self._handle.update(_Text(f"{self.resource}: {status} {self._records:,} records in {elapsed:.1f} s"))


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
