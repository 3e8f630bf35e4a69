"""Fetching while loading, and when a chunk is committed: at least 5 pages and 2.5 s of fetching, at most 4 ahead.

Together these bound what a kill loses (the chunk being loaded and the pages waiting) to 10 pages or 5 seconds of
fetching, whichever is more, while a fast pull makes a few large loads. A fake clock: nothing here waits for real.
"""

from __future__ import annotations

import queue
import threading
import time

import pytest

from ls_widget.sync import fetch
from ls_widget.sync.fetch import Prefetch


class Pull:
    """Pages that each take ``seconds`` of fetching on a fake clock; counts how many were fetched."""

    def __init__(self, pages: int, seconds: float, fail_at: int | None = None) -> None:
        self.total, self.seconds, self.fail_at = pages, seconds, fail_at
        self.now = 0.0
        self.fetched = 0
        self.lock = threading.Lock()

    def clock(self) -> float:
        with self.lock:
            return self.now

    def __iter__(self):
        for number in range(self.total):
            if number == self.fail_at:
                raise RuntimeError("the connection dropped")
            with self.lock:
                self.now += self.seconds
                self.fetched += 1
            yield [{"page": number}]


def chunk_sizes(pull: Pull) -> list[int]:
    return [len(chunk) for chunk in Prefetch(iter(pull), clock=pull.clock).chunks()]


def test_at_lightspeeds_pace_a_chunk_is_five_pages():
    assert chunk_sizes(Pull(23, seconds=1.0)) == [5, 5, 5, 5, 3]


def test_a_fast_pull_makes_few_large_chunks():
    sizes = chunk_sizes(Pull(120, seconds=0.0625))  # 2.5 s of fetching is 40 pages
    assert sizes == [40, 40, 40]


class WatchedQueue(queue.Queue):
    """The fetcher's queue, telling when a put found no room: the fetcher is then waiting with a page in its hands,
    and fetches nothing more until the consumer takes one."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self.refused = threading.Event()

    def put(self, item, block=True, timeout=None) -> None:
        try:
            super().put(item, block, timeout)
        except queue.Full:
            self.refused.set()
            raise


def test_the_fetcher_runs_at_most_five_pages_ahead_of_the_load():
    pull = Pull(200, seconds=0.05)
    prefetch = Prefetch(iter(pull), clock=pull.clock)
    prefetch._queue = watched = WatchedQueue(fetch.AHEAD)
    chunks = prefetch.chunks()
    first = next(chunks)  # "loading" it now: the consumer takes nothing more for a while
    watched.refused.clear()  # a refusal while the chunk was gathered says nothing about the load
    # However long the load takes, the fetcher goes no further than AHEAD waiting and one in its hands: it is
    # seen stuck there (a put refused while nobody takes), not assumed to be after some time.
    assert watched.refused.wait(60), "the fetcher never waited for room"
    assert pull.fetched == len(first) + fetch.AHEAD + 1
    chunks.close()


def test_leaving_it_stops_the_fetching_at_once():
    pull = Pull(10_000, seconds=0.001)
    with Prefetch(iter(pull), clock=pull.clock) as fetched:
        chunks = fetched.chunks()
        next(chunks)  # a load that fails now, in the consumer: the with block ends
    stopped = pull.fetched
    deadline = time.monotonic() + 5
    while fetched._thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not fetched._thread.is_alive() and pull.fetched <= stopped + 1


def test_pages_fetched_before_an_error_are_handed_over_then_the_error():
    pull = Pull(30, seconds=1.0, fail_at=12)
    chunks = Prefetch(iter(pull), clock=pull.clock).chunks()
    assert [len(next(chunks)), len(next(chunks)), len(next(chunks))] == [5, 5, 2]
    with pytest.raises(RuntimeError, match="dropped"):
        next(chunks)


def test_the_kill_bound_holds_for_any_pace():
    for seconds in (0.01, 0.1, 0.5, 1.0, 3.0):
        pull = Pull(400, seconds=seconds)
        biggest = max(chunk_sizes(pull))
        lost_pages = biggest + fetch.AHEAD + 1  # the chunk being loaded, those waiting, one in the fetcher's hands
        assert lost_pages <= max(10, 5.0 / seconds + 1), seconds


def test_however_fast_the_pages_come_a_chunk_holds_at_most_max_pages():
    sizes = chunk_sizes(Pull(250, seconds=0.0001))  # 2.5 s of fetching would be the whole pull
    assert sizes == [fetch.MAX_PAGES, fetch.MAX_PAGES, 50]


class _Page(list):
    """A page that can be watched with a weak reference (a plain list cannot)."""


def test_a_chunk_loaded_is_let_go_when_the_next_is_asked_for():
    # The consumer's loop variable still names the chunk it just loaded while the next one is gathered: its pages
    # (the bulk of a sync's memory) must not stay alive beside the next chunk's.
    import gc
    import weakref

    made: list[weakref.ref] = []

    def pages():  # each page made as it is fetched, held by nothing but the chunks
        for number in range(300):
            page = _Page([{"page": number}])
            made.append(weakref.ref(page))
            yield page

    clock = iter(range(10**6)).__next__  # a page takes a second: a chunk is 5 pages
    chunks = Prefetch(pages(), clock=clock).chunks()
    first = next(chunks)
    watched = made[0]
    assert len(first) == 5 and watched() is not None
    second = next(chunks)
    gc.collect()
    assert watched() is None and second[0][0] == {"page": 5}
    chunks.close()
