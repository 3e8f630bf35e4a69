"""Pacing and retries as an httpx transport: what sits between the session's requests and the network.

``PacedTransport`` wraps the real transport (``httpx.HTTPTransport``, or ``httpx.MockTransport`` in tests):
- every request first waits until Lightspeed's leaky bucket would admit it (``ratelimit.Pacer``);
- a 429 is honoured with its ``Retry-After`` and sent again (it was refused unprocessed, so even a write is safe);
- GETs are retried on 5xx and on dropped connections with capped exponential backoff and full jitter; a write only
  when it never reached Lightspeed (connect errors).
- The body is read here, inside the retry loop: an answer cut short (the connection closing before the
  ``Content-Length`` it announced arrived, a read timing out mid-body) is a dropped connection like any other,
  retried for a GET and then an ``ApiError``, never an ``httpx`` error escaping from the client above.
No wait is ever longer than ``max_wait`` seconds: a server asking for more (a huge ``Retry-After``, a year-9999
date, bucket headers that would take hours to drain) ends the request with an ``ApiError`` saying how long it asked
for, instead of a kernel that sleeps for decades.

Authentication is not this layer's business: ``auth.LightspeedAuth`` runs above it, so a retry here re-sends the
same authenticated request, and a refresh after a 401 comes back down through the pacing.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Callable

import httpx

from .errors import ApiError
from .ratelimit import Pacer, parse_retry_after

DEFAULT_MAX_WAIT = 60.0  # seconds; one wait longer than this is refused (a session option)
_RETRY_STATUSES = {500, 502, 503, 504}
_MAX_ATTEMPTS = 6  # for 5xx and dropped connections
_MAX_RATE_LIMITED = 10  # consecutive 429s before giving up
_BACKOFF_BASE, _BACKOFF_CAP = 0.5, 30.0
_IDEMPOTENT = {"GET", "HEAD", "OPTIONS"}


class PacedTransport(httpx.BaseTransport):
    """Paces requests to one connection's bucket and retries what is safe to retry."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = DEFAULT_MAX_WAIT,
    ) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._sleep = sleep
        self.pacer = pacer or Pacer(sleep=sleep)
        self.max_wait = max_wait
        # Every status received, retried ones included (the client above sees only the final answer): benchmarks
        # and tests read the 429s here.
        self.statuses: Counter[int] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = request.method.upper() in _IDEMPOTENT
        failures = rate_limited = 0
        while True:
            self._wait_for_bucket()
            answered = False
            try:
                response = self._inner.handle_request(request)
                answered = True
                response = _read_whole(response, request)
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                failures += 1
                if (idempotent or never_sent) and failures < _MAX_ATTEMPTS:
                    self._backoff(failures)
                    continue
                attempts = f"{failures} attempt{'s' if failures > 1 else ''}"
                if answered:
                    # Lightspeed answered, then the body stopped short: a write it may well have carried out.
                    done = "" if idempotent else (f" The {request.method.upper()} may have been carried out: check "
                                                  "before sending it again.")
                    raise ApiError(0, f"Lightspeed's answer was cut short ({type(exc).__name__}: the connection "
                                      f"closed or stalled before the whole body arrived) after {attempts}.{done} "
                                      "Check the network and run it again.") from None
                raise ApiError(0, f"Lightspeed could not be reached ({type(exc).__name__}) after {attempts}. Check "
                                  "the network and run it again.") from None
            self.pacer.observe(response.headers, response.status_code)
            self.statuses[response.status_code] += 1
            if response.status_code == 429:
                rate_limited += 1
                asked = parse_retry_after(response.headers.get("Retry-After"))
                if asked is not None and asked > self.max_wait:
                    response.read()
                    raise ApiError(429, f"Lightspeed asked to wait {describe_seconds(asked)} before the next request, "
                                        f"longer than this session waits ({describe_seconds(self.max_wait)}). Try "
                                        "again later, or raise session.max_wait.", response=response)
                if rate_limited < _MAX_RATE_LIMITED:
                    response.close()
                    continue
                return response
            if response.status_code in _RETRY_STATUSES and idempotent:
                failures += 1
                if failures < _MAX_ATTEMPTS:
                    response.close()
                    self._backoff(failures)
                    continue
            return response

    def close(self) -> None:
        self._inner.close()

    def _wait_for_bucket(self) -> None:
        delay = self.pacer.delay()
        if delay > self.max_wait:
            raise ApiError(429, f"Lightspeed's rate-limit headers ask to wait {describe_seconds(delay)} before the next "
                                f"request, longer than this session waits ({describe_seconds(self.max_wait)}). Try "
                                "again later, or raise session.max_wait.")
        self.pacer.wait()

    def _backoff(self, attempt: int) -> None:
        # Full jitter: spreads retries from many clients; capped so a long outage does not stall for minutes.
        self._sleep(random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** attempt)))


def _read_whole(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    """``response`` with its body read now (raw, still encoded), so a body cut short raises here, where it is
    retried, rather than later in the client. Pages are small (a session refuses more than ``MAX_BODY``)."""
    try:
        body = b"".join(response.stream)
    finally:
        response.close()
    return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(body),
                          extensions=response.extensions, request=request)


def describe_seconds(seconds: float) -> str:
    """A wait as a person reads it: "45 s", "12 min", "3.5 h", "11574 days"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"
