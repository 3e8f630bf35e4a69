"""Pacing requests to Lightspeed's leaky bucket so that none is refused.

Lightspeed meters each account+client connection with a leaky bucket (docs/lightspeed-api.md section 4): every request
adds its cost to a float level that drains at the drip rate; a request is admitted while the level is below the
bucket size (the one that crosses it is still admitted), and a burst limiter caps requests per 1-second window.
Every response reports the level, size, drip rate and burst use in ``X-LS-Api-*`` headers.

The pacer keeps the last reported level and the local time it was received, predicts the level as it drains, and
waits just until the predicted level is below the size. Taking the *receive* time as the report's time
over-estimates the level a little (the bucket drained while the answer travelled), so the prediction errs on the
safe side; in steady state requests then go out exactly every ``cost / drip`` seconds, the fastest a serial client
can be admitted. The burst limit is honoured by never sending more than its maximum within any rolling second,
which guarantees the same within every fixed 1-second window the server counts.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping

# Below the size by this much before sending: covers the header's two-decimal rounding.
_LEVEL_MARGIN = 0.01
# A rolling window a hair longer than the server's 1-second windows, for clock granularity.
_BURST_WINDOW = 1.02
_DEFAULT_RETRY_AFTER = 1.0  # seconds; the burst limiter's documented minimum back-off
_NEGLIGIBLE = 1e-6  # below a clock's resolution: sleeping it would not move the clock and would loop forever


@dataclass(frozen=True)
class BucketReport:
    """What one response said about the bucket (``None`` where a header was missing or unreadable)."""

    level: float | None = None
    size: float | None = None
    drip_rate: float | None = None
    cost: float | None = None
    burst_used: float | None = None
    burst_max: float | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "BucketReport":
        level, size = _fraction(_get(headers, "X-LS-Api-Bucket-Level"))
        burst_used, burst_max = _fraction(_get(headers, "X-LS-API-Burst-Level"))
        return cls(
            level=level,
            size=size,
            drip_rate=_float(_get(headers, "X-LS-Api-Drip-Rate")),
            cost=_float(_get(headers, "X-LS-Api-Request-Cost")),
            burst_used=burst_used,
            burst_max=burst_max,
        )


class Pacer:
    """Decides how long to wait before the next request of one connection. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.clock = clock  # the time the bucket drains by (monotonic seconds; a benchmark's virtual time)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._level: float | None = None
        self._size: float | None = None
        self._drip: float | None = None
        self._seen_at = 0.0
        self._burst_max: float | None = None
        self._sent: deque[float] = deque()
        self._blocked_until = 0.0
        self._cost: float | None = None

    def delay(self) -> float:
        """Seconds to wait before sending now (0 when the request would be admitted at once)."""
        with self._lock:
            return self._delay(self._clock())

    def wait(self) -> float:
        """Sleep until a request would be admitted, record it as sent, and return the time slept."""
        slept = 0.0
        while True:
            with self._lock:
                now = self._clock()
                pause = self._delay(now)
                if pause <= _NEGLIGIBLE:
                    self._sent.append(now)
                    return slept
            self._sleep(pause)
            slept += pause

    def seconds_per_request(self) -> float | None:
        """At the bucket's bound, the time one more request like the last takes: its cost over the drip rate."""
        with self._lock:
            if not self._drip:
                return None
            return (self._cost or 1.0) / self._drip

    def observe(self, headers: Mapping[str, str], status: int | None = None) -> None:
        """Take in a response's headers; a 429 also blocks until its ``Retry-After`` has passed."""
        report = BucketReport.from_headers(headers)
        with self._lock:
            now = self._clock()
            if report.level is not None and report.size is not None:
                self._level, self._size, self._seen_at = report.level, report.size, now
            if report.drip_rate is not None and report.drip_rate > 0:
                self._drip = report.drip_rate
            if report.cost is not None and report.cost > 0:
                self._cost = report.cost
            if report.burst_max is not None and report.burst_max > 0:
                self._burst_max = report.burst_max
            if status == 429:
                retry_after = parse_retry_after(_get(headers, "Retry-After"))
                self._blocked_until = max(self._blocked_until, now + (retry_after or _DEFAULT_RETRY_AFTER))

    def _delay(self, now: float) -> float:
        waits = [self._blocked_until - now]
        if self._level is not None and self._size is not None and self._drip:
            predicted = self._level - self._drip * (now - self._seen_at)
            waits.append((predicted - (self._size - _LEVEL_MARGIN)) / self._drip)
        if self._burst_max:
            while self._sent and now - self._sent[0] >= _BURST_WINDOW:
                self._sent.popleft()
            allowed = math.floor(self._burst_max)
            if allowed >= 1 and len(self._sent) >= allowed:
                waits.append(self._sent[len(self._sent) - allowed] + _BURST_WINDOW - now)
        return max(0.0, *waits)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds to wait: a number of seconds, or an HTTP date (accepted too, see section 4.2)."""
    if not value:
        return None
    value = value.strip()
    seconds = _float(value)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError, OSError):
        # Not a date Python can read: the caller falls back to the documented minimum back-off.
        return None


def _get(headers: Mapping[str, str], name: str) -> str | None:
    # httpx.Headers are case-insensitive already; plain dicts (tests, other clients) may not be.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _float(text: str | None) -> float | None:
    try:
        number = float(text) if text is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _fraction(text: str | None) -> tuple[float | None, float | None]:
    """``"92.57/90"`` -> ``(92.57, 90.0)``."""
    if not text or "/" not in text:
        return None, None
    left, _, right = text.partition("/")
    return _float(left.strip()), _float(right.strip())
