"""The sync's progress bar: pages and records, and the time left when the total is known, in notebooks and terminals.

tqdm draws it (a widget in Jupyter, a text bar in a terminal). The time left is estimated from the bucket, not from
the pages so far: at the rate limit's bound each page takes its cost over the drip rate, which the session's pacer
knows from Lightspeed's headers. The total is known only when it costs (nearly) nothing: see ``run._affordable_count``.
"""

from __future__ import annotations

import sys

from ..session import LightspeedSession


class SyncProgress:
    def __init__(self, connection: str, resource: str, *, total_pages: int | None, session: LightspeedSession,
                 enabled: bool = True) -> None:
        self._session = session
        self._total = total_pages
        self._records = 0
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total_pages, unit="page", desc=f"{connection} · {resource}", leave=True,
                             file=sys.stderr, dynamic_ncols=True, bar_format=None if total_pages else
                             "{desc}: {n_fmt} pages [{elapsed}, {rate_fmt}]{postfix}")

    def advance(self, pages: int, records: int) -> None:
        self._records += records
        if self._bar is None:
            return
        self._bar.update(pages)
        postfix = {"records": self._records}
        per_page = self._session._paced.pacer.seconds_per_request()
        if self._total and per_page:
            left = max(0, self._total - self._bar.n) * per_page
            postfix["left"] = f"{left / 60:.0f} min" if left >= 90 else f"{left:.0f} s"
        self._bar.set_postfix(postfix, refresh=True)

    def __enter__(self) -> "SyncProgress":
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
