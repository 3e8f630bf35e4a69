"""Many threads refreshing one stored token at once, every one of them provably inside ``TokenStore.refresh`` before
the refresh may finish: the race the refresh lock must win, on however the scheduler runs the threads."""

from __future__ import annotations

import sys
import threading
import time

from ls_widget.token_store import TokenStore


def inside_refresh(thread: threading.Thread) -> bool:
    """Whether ``thread`` is running ``TokenStore.refresh`` now (waiting for its lock counts): its stack says so."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code is TokenStore.refresh.__code__:
            return True
        frame = frame.f_back
    return False


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds (the timeout only ends a run that would otherwise hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.001)


def refresh_from_threads(store: TokenStore, stale, make_token, count: int = 16) -> list:
    """``count`` threads each call ``store.refresh(stale, ...)``; the one that refreshes holds the lock (through
    ``make_token(current)``) until all are inside ``refresh``. Returns what each got."""
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(store.refresh(stale, refresh, margin=300)))
               for _ in range(count)]

    def refresh(current):
        wait_until(lambda: all(inside_refresh(thread) for thread in threads), f"all {count} threads inside refresh")
        return make_token(current)

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == count
    return results
