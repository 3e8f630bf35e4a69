"""The sync's progress: a bar for people (notebooks and terminals), and the same ``ProgressEvent``s as ``to_pandas``
for code (``on_progress``; the panel's Sync part).

Each resource is a ``progress.PullProgress`` (ls_widget/progress.py) telling the bar and ``on_progress``. tqdm draws
the bar (a widget in Jupyter, a text bar in a terminal). The time left is estimated from the bucket, not from the
pages so far: at the rate limit's bound each page takes its cost over the drip rate, which the session's pacer knows
from Lightspeed's headers. The total is known only when it costs (nearly) nothing: see ``run._affordable_count``;
without it there is no time left to tell.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from ..progress import ProgressCallback, ProgressEvent, PullProgress
from ..session import LightspeedSession


class SyncBar:
    """One resource's tqdm bar, a ``ProgressCallback``: pages (of the total when known), records, time left."""

    def __init__(self, connection: str, resource: str, total_pages: int | None) -> None:
        from tqdm.auto import tqdm

        self._shown = 0
        self._bar = tqdm(total=total_pages, unit="page", desc=f"{connection} · {resource}", leave=True,
                         file=sys.stderr, dynamic_ncols=True, bar_format=None if total_pages else
                         "{desc}: {n_fmt} pages [{elapsed}, {rate_fmt}]{postfix}")

    def __call__(self, event: ProgressEvent) -> None:
        if event.phase != "page":
            return
        self._bar.update(event.pages - self._shown)
        self._shown = event.pages
        postfix = {"records": event.records}
        left = event.seconds_left
        if left is not None:
            postfix["left"] = f"{left / 60:.0f} min" if left >= 90 else f"{left:.0f} s"
        self._bar.set_postfix(postfix, refresh=True)

    def close(self) -> None:
        self._bar.close()


@contextmanager
def sync_progress(connection: str, resource: str, *, total_pages: int | None, session: LightspeedSession,
                  enabled: bool = True, on_progress: ProgressCallback | None = None, resources_done: int = 0,
                  resources_total: int = 1, pages_before: int = 0, records_before: int = 0) -> Iterator[PullProgress]:
    """One resource's ``PullProgress``, told to its bar (``enabled``) and to ``on_progress``; the bar is closed
    however the resource ends."""
    bar = SyncBar(connection, resource, total_pages) if enabled else None
    try:
        with PullProgress(resource, (bar, on_progress), total_pages=total_pages,
                          seconds_per_page=session.seconds_per_request, resources_done=resources_done,
                          resources_total=resources_total, pages_before=pages_before,
                          records_before=records_before) as pull:
            yield pull
    finally:
        if bar is not None:
            bar.close()
