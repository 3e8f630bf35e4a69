"""Lightspeed's 2026 rate limits (docs/lightspeed-api.md section 4.1): a leaky bucket plus a burst limiter, both per
account + OAuth client, so one client's traffic to one account never affects another pair.

Leaky bucket: the level is a float that drains by the drip rate every second. Size 90 plus 10 per register beyond the
first, drip 1/s plus 0.5/s per register beyond the first (both overridable). "The first request that would increase
the bucket level beyond the bucket size is allowed, but subsequent requests will be blocked with a 429 ... until the
bucket level reduces below the bucket size": a request is admitted while the level is at most the size, whatever it
costs; once the level is above the size, requests are refused until it drains back. A refused request costs nothing.

Burst limiter: 1-second fixed windows; every request (refused ones too) adds 1; more than the limit in a window gets
429 with "burst rate limit exceeded". The limit is "a fraction of the allowed bucket size"; the documented example is
20 for 90, so the sandbox uses 2/9 of the size, rounded (overridable).

``Retry-After`` is whole seconds, rounded up, so that waiting exactly that long does admit the request: for the bucket
ceil((level - size) / drip), for the burst limiter the rest of the current window (1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .clock import Clock

LEAKY = "api-leaky-bucket"
BURST = "api-burst-limiter"
_EPSILON = 1e-9


@dataclass
class Decision:
    allowed: bool
    level: float
    size: float
    drip: float
    burst: int
    burst_limit: int
    cost: float
    limited_by: str | None = None
    retry_after: int | None = None

    def headers(self) -> dict:
        headers = {
            "X-LS-Api-Bucket-Level": f"{number(self.level, 2)}/{number(self.size, 2)}",
            "X-LS-API-Burst-Level": f"{self.burst}/{self.burst_limit}",
            "X-LS-Api-Drip-Rate": number(self.drip, 4),
            "X-LS-Api-Request-Cost": number(self.cost, 4),
        }
        if self.limited_by:
            headers["X-LS-API-RateLimit-Type"] = self.limited_by
            headers["Retry-After"] = str(self.retry_after)
        return headers


def number(value: float, places: int) -> str:
    """``1``, ``1.5``, ``92.57``: at most ``places`` decimals, no trailing zeros."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass
class _Bucket:
    level: float
    updated: float
    window: int = -1
    window_count: int = 0


class RateLimiter:
    def __init__(self, clock: Clock, bucket_size: float | None = None, drip_rate: float | None = None,
                 burst_limit: int | None = None) -> None:
        self._clock = clock
        self._size = bucket_size
        self._drip = drip_rate
        self._burst = burst_limit
        self._buckets: dict[tuple, _Bucket] = {}

    def limits(self, registers: int) -> tuple[float, float, int]:
        """(size, drip rate, burst limit) for an account with this many registers."""
        extra = max(0, registers - 1)
        size = float(self._size if self._size is not None else 90 + 10 * extra)
        drip = float(self._drip if self._drip is not None else 1 + 0.5 * extra)
        burst = int(self._burst if self._burst is not None else max(1, round(size * 2 / 9)))
        return size, drip, burst

    def level(self, account_id: str, client_id: str, registers: int) -> float:
        size, drip, _ = self.limits(registers)
        bucket = self._buckets.get((account_id, client_id))
        return self._drain(bucket, drip, self._clock.monotonic()) if bucket else 0.0

    def charge(self, account_id: str, client_id: str, registers: int, cost: float) -> Decision:
        size, drip, burst_limit = self.limits(registers)
        now = self._clock.monotonic()
        bucket = self._buckets.setdefault((account_id, client_id), _Bucket(0.0, now))
        level = self._drain(bucket, drip, now)
        window = math.floor(now)
        if window != bucket.window:
            bucket.window, bucket.window_count = window, 0
        bucket.window_count += 1
        decision = Decision(True, level, size, drip, bucket.window_count, burst_limit, cost)
        if bucket.window_count > burst_limit:
            decision.allowed, decision.limited_by = False, BURST
            decision.retry_after = max(1, math.ceil(window + 1 - now))
        elif level > size + _EPSILON:
            decision.allowed, decision.limited_by = False, LEAKY
            decision.retry_after = max(1, math.ceil((level - size) / drip - _EPSILON))
        else:
            bucket.level = decision.level = level + cost
        return decision

    @staticmethod
    def _drain(bucket: _Bucket, drip: float, now: float) -> float:
        bucket.level = max(0.0, bucket.level - drip * (now - bucket.updated))
        bucket.updated = now
        return bucket.level
