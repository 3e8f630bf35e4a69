"""``sync_all``: several saved connections at once.

Each Lightspeed account+client connection has its own leaky bucket, so stores synced side by side do not slow each
other down: three stores take about the time of the slowest. One thread per connection (the work is waiting on the
rate limit and the network); a store that fails does not stop the others.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from ..catalogue import Catalogue
from ..errors import ConfigurationError, LightspeedError
from .run import SyncResult


class SyncAllResult(dict):
    """``{connection name: SyncResult}``, or the ``LightspeedError`` that stopped that connection's sync."""

    @property
    def failed(self) -> dict[str, LightspeedError]:
        return {name: outcome for name, outcome in self.items() if isinstance(outcome, Exception)}

    @property
    def ok(self) -> bool:
        return not self.failed

    def __repr__(self) -> str:
        parts = []
        for name, outcome in self.items():
            parts.append(repr(outcome) if isinstance(outcome, SyncResult) else f"{name}: FAILED: {outcome}")
        return "\n".join(parts)


def sync_all(names: Iterable[str], resources: Iterable[str] | str, *, destination: Any = None, full: bool = False,
             progress: bool = True) -> SyncAllResult:
    """Sync ``resources`` for every saved connection in ``names`` concurrently; see ``SyncAllResult``."""
    from ..connection import Connection

    if names is None or not (isinstance(names, str) or hasattr(names, "__iter__")):
        raise ConfigurationError(f"Name the saved connections to sync as a list, e.g. sync_all(['Downtown', "
                                 f"'Uptown'], ['Sale']) (got {names!r}).")
    names = list(dict.fromkeys([names] if isinstance(names, str) else names))
    if not names:
        raise ConfigurationError("Name at least one saved connection, e.g. sync_all(['Downtown', 'Uptown'], ['Sale']).")
    if resources is None or not hasattr(resources, "__iter__"):
        raise ConfigurationError("Name the resources to sync, e.g. sync_all(['Downtown', 'Uptown'], ['Sale']), or "
                                 "'all'.")
    if not isinstance(resources, (str, Catalogue)):
        resources = list(resources)  # an iterator must serve every connection, not just the first

    def one(name: str) -> SyncResult | LightspeedError:
        try:
            connection = Connection.load(name)
            return connection.sync(resources, destination=destination, full=full, progress=progress)
        except LightspeedError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="ls-widget-sync") as pool:
        outcomes = list(pool.map(one, names))
    return SyncAllResult(zip(names, outcomes))
