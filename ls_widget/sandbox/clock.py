"""The sandbox's sense of time: the real clocks plus an offset that only ever grows.

Every rule that depends on time (code and token lifetimes, the leaky bucket's drip, the burst limiter's 1-second
windows, the refresh cap) reads this clock, so ``advance(seconds)`` lets a test or a demo jump ahead (expire a code,
drain the bucket) without sleeping. Moving time backwards is refused: the bucket and the windows assume it never does.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        return self._offset

    def monotonic(self) -> float:
        """Seconds on a monotonic scale (for intervals: the bucket, windows, lifetimes)."""
        return time.monotonic() + self._offset

    def time(self) -> float:
        """Unix time in seconds (for what leaves the server: JWT ``iat``/``nbf``/``exp``, timestamps)."""
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, seconds: float) -> float:
        """Jump ``seconds`` ahead; returns the total offset."""
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("The sandbox clock only moves forward.")
        with self._lock:
            self._offset += seconds
            return self._offset
