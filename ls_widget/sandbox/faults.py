"""Fault injection: make the next requests fail the way real networks and servers do.

A queue of faults, each for the next ``count`` requests to a target:
- ``error``: answer with a 5xx (as an overloaded upstream would: no rate-limit headers, a short JSON body);
- ``drop``: close the connection without answering (the client sees a protocol or read error);
- ``delay``: wait ``seconds`` first, then answer normally (for timeouts).
Targets: ``"api"`` (the ``/API/`` paths), ``"token"`` (token and revoke endpoints), ``"authorize"`` (the consent
page), ``"any"`` (all of these; the ``/_sandbox/`` admin paths and the JWKS are never affected). Faults are taken in
the order they were queued: a request takes one unit of the first queued fault that matches its target.

``holding()`` counts the requests a delay holds back at this moment: a test proves a delay happened by that condition
(the request is being held while its client gives up) instead of timing the answer on the wall clock.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

TARGETS = ("api", "token", "authorize", "any")


@dataclass
class Fault:
    kind: str  # "error" | "drop" | "delay"
    remaining: int
    target: str = "api"
    status: int = 503
    seconds: float = 0.0


class Faults:
    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self._lock = threading.Lock()
        self._held = 0

    def fail_next(self, count: int = 1, status: int = 503, target: str = "api") -> Fault:
        if not 500 <= int(status) <= 599:
            raise ValueError("status must be a 5xx code")
        return self._add(Fault("error", count, target, status=int(status)))

    def drop_next(self, count: int = 1, target: str = "api") -> Fault:
        return self._add(Fault("drop", count, target))

    def delay_next(self, count: int = 1, seconds: float = 1.0, target: str = "api") -> Fault:
        if seconds < 0:
            raise ValueError("seconds cannot be negative")
        return self._add(Fault("delay", count, target, seconds=float(seconds)))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.kind, f.remaining, f.target, f.status, f.seconds) for f in self._queue]

    def take(self, target: str) -> Fault | None:
        """The fault for one request to ``target`` (consuming one unit of it), or None."""
        with self._lock:
            for fault in self._queue:
                if fault.target in (target, "any"):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._queue.remove(fault)
                    return fault
        return None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Count one request as held back by a delay for as long as the block runs (see ``holding``)."""
        with self._lock:
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1

    def holding(self) -> int:
        """How many requests a delay fault is holding back right now."""
        with self._lock:
            return self._held

    def _add(self, fault: Fault) -> Fault:
        if fault.target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}")
        if int(fault.remaining) < 1:
            raise ValueError("count must be at least 1")
        fault.remaining = int(fault.remaining)
        with self._lock:
            self._queue.append(fault)
        return fault
