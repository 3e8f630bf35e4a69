"""The sync's progress: a bar for people (notebooks and terminals) and events for code (the panel's Sync part).

tqdm draws the bar (a widget in Jupyter, a text bar in a terminal). The time left is estimated from the bucket, not
from the pages so far: at the rate limit's bound each page takes its cost over the drip rate, which the session's
pacer knows from Lightspeed's headers. The total is known only when it costs (nearly) nothing: see
``run._affordable_count``; without it there is no time left to tell.

``on_progress(event)`` (``run.sync``'s argument) receives a ``SyncProgressEvent`` when a resource starts, after each
page, and when the resource ends, called from the thread running the sync.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Literal

from ..session import LightspeedSession


@dataclass(frozen=True)
class SyncProgressEvent:
    """Where a sync stands. ``pages`` and ``records`` count the resource in progress; ``all_pages`` and
    ``all_records`` the whole sync so far (both only grow). ``seconds_left`` (the resource's pages still to come at
    the rate limit's bound) is None when the total is unknown (incremental reads never count)."""

    resource: str
    phase: Literal["start", "page", "end"]
    pages: int
    records: int
    total_pages: int | None
    seconds_left: float | None
    resources_done: int  # resources finished before this one
    resources_total: int
    all_pages: int
    all_records: int


ProgressCallback = Callable[[SyncProgressEvent], None]


class SyncProgress:
    def __init__(self, connection: str, resource: str, *, total_pages: int | None, session: LightspeedSession,
                 enabled: bool = True, on_progress: ProgressCallback | None = None, resources_done: int = 0,
                 resources_total: int = 1, pages_before: int = 0, records_before: int = 0) -> None:
        self._session = session
        self._resource = resource
        self._total = total_pages
        self._pages = 0
        self._records = 0
        self._on_progress = on_progress
        self._done, self._of = resources_done, resources_total
        self._pages_before, self._records_before = pages_before, records_before
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total_pages, unit="page", desc=f"{connection} · {resource}", leave=True,
                             file=sys.stderr, dynamic_ncols=True, bar_format=None if total_pages else
                             "{desc}: {n_fmt} pages [{elapsed}, {rate_fmt}]{postfix}")

    @property
    def pages(self) -> int:
        return self._pages

    @property
    def records(self) -> int:
        return self._records

    def seconds_left(self) -> float | None:
        """The resource's pages still to come at the rate limit's bound; None when the total is unknown."""
        per_page = self._session.seconds_per_request()
        if not self._total or not per_page:
            return None
        return max(0, self._total - self._pages) * per_page

    def advance(self, pages: int, records: int) -> None:
        self._pages += pages
        self._records += records
        if self._bar is not None:
            self._bar.update(pages)
            postfix = {"records": self._records}
            left = self.seconds_left()
            if left is not None:
                postfix["left"] = f"{left / 60:.0f} min" if left >= 90 else f"{left:.0f} s"
            self._bar.set_postfix(postfix, refresh=True)
        self._emit("page")

    def _emit(self, phase: Literal["start", "page", "end"]) -> None:
        if self._on_progress is None:
            return
        self._on_progress(SyncProgressEvent(
            resource=self._resource, phase=phase, pages=self._pages, records=self._records, total_pages=self._total,
            seconds_left=0.0 if phase == "end" else self.seconds_left(),
            resources_done=self._done + (1 if phase == "end" else 0), resources_total=self._of,
            all_pages=self._pages_before + self._pages, all_records=self._records_before + self._records))

    def __enter__(self) -> "SyncProgress":
        self._emit("start")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
        if exc_type is None:
            self._emit("end")
