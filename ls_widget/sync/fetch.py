"""Pages fetched on a thread of their own while the previous chunk loads, handed over in chunks.

The rate limit is a bucket that drains whether or not the client asks: while a chunk is being loaded into the
destination the next pages keep coming, so loading costs the pull no time. How much is fetched ahead is bounded, and
so is a chunk, so that a kill (SIGKILL, a kernel restart) never loses more than ``max(10 pages, 5 s of fetching)``:
a chunk closes once it holds at least ``COMMIT_PAGES`` pages *and* ``COMMIT_SECONDS`` of fetching (a fast pull makes a
few large loads, a slow one at Lightspeed's real rate still commits every 5 pages), and at most ``AHEAD`` pages wait
while it loads, one more in the fetcher's hands. Lost at worst: the chunk being loaded plus those, 10 pages where a
page takes half a second or more, else 2.5 s of pages plus 5 fetched in under 2.5 s: 10 pages or 5 seconds of
fetching, whichever is more. Use it as a context manager: leaving it (a load that failed, Ctrl-C) stops the fetching
at once. A chunk never holds more than ``MAX_PAGES`` pages (10,000 records), so a fast pull's memory stays that of a
chunk however large the table.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable, Iterator

COMMIT_PAGES = 5
COMMIT_SECONDS = 2.5
AHEAD = 4  # pages waiting while a chunk loads (and one more in the fetcher's hands): 5 + 4 + 1 = 10
MAX_PAGES = 100  # however fast the pages come: what a load holds in memory is bounded by a chunk, not the table

_END = object()


def chunk_full(pages: int, seconds: float) -> bool:
    """The rule above: ``pages`` taking ``seconds`` to fetch make a chunk to load now (also run.py's waiting pages)."""
    return pages >= MAX_PAGES or (pages >= COMMIT_PAGES and seconds >= COMMIT_SECONDS)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetch:
    """``chunks()`` yields lists of pages; the pages are fetched on a daemon thread, at most ``AHEAD`` ahead."""

    def __init__(self, pages: Iterator[list[dict]], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._pages, self._clock = pages, clock
        self._queue: queue.Queue = queue.Queue(maxsize=AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="ls-widget-fetch", daemon=True)
        self.final = False  # the chunk just yielded is the last: the pages ended (not an error, not a cut)
        self.seconds = 0.0  # of fetching, in the chunk just yielded

    def _fetch(self) -> None:
        try:
            while not self._stop.is_set():
                started = self._clock()
                page = next(self._pages, _END)
                if page is _END:
                    break
                self._put((page, self._clock() - started))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it in its own thread
            self._put(_Failed(error))
            return
        self._put(_END)

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def chunks(self, on_page: Callable[[list[dict]], None] = lambda page: None, *, carried: int = 0,
               carried_seconds: float = 0.0) -> Iterator[list[list[dict]]]:
        """Chunks of pages in order; a fetch error comes after the pages fetched before it (which are worth
        loading: they are a prefix of the pull, so the high-water mark stays right). A chunk is a list the
        consumer uses until it asks for the next one: it is emptied then (so only one chunk's pages are alive).

        ``carried`` pages (taking ``carried_seconds`` to fetch) wait to be loaded with the first chunk (earlier
        resources' last chunks, run.py): they count toward its size, so what waits unloaded stays within the rule."""
        self._thread.start()
        chunk: list[list[dict]] = []
        seconds = 0.0
        try:
            while True:
                item = self._get()
                if item is _END or isinstance(item, _Failed):
                    if chunk:
                        self.final, self.seconds = item is _END, seconds
                        yield chunk
                    if isinstance(item, _Failed):
                        raise item.error
                    return
                page, took = item
                on_page(page)
                chunk.append(page)
                seconds += took
                if chunk_full(len(chunk) + carried, seconds + carried_seconds):
                    self.seconds = seconds
                    yield chunk
                    carried, carried_seconds = 0, 0.0  # loaded with the first chunk
                    # Asked for the next chunk: the consumer is done with this one. Emptied, not just dropped here,
                    # because the consumer's loop variable still holds it while the next chunk is gathered: its
                    # pages (the bulk of a sync's memory) would otherwise stay alive beside the next chunk's.
                    chunk.clear()
                    chunk, seconds = [], 0.0
        finally:
            self.close()

    def _get(self):
        while True:  # a timeout, so Ctrl-C reaches the waiting thread
            try:
                return self._queue.get(timeout=0.2)
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    return _Failed(RuntimeError("the fetching thread stopped without a word"))

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop fetching (pages already asked for finish; nothing more is requested)."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
