"""``sync_all``: several saved connections at once.

Each Lightspeed account+client connection has its own leaky bucket, so stores synced side by side do not slow each
other down. Each store syncs in a process of its own (``python -m ls_widget.sync.worker``): the loads are CPU work
under one GIL per process, and stores sharing one process would queue for it (three stores took up to 2.5 times the
slowest alone). A plain subprocess rather than ``multiprocessing``: it needs no ``if __name__ == "__main__"`` guard in
the caller's script and works the same from a notebook. A store that fails does not stop the others; a destination
object that cannot be handed to another process is synced on a thread here instead.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from ..catalogue import Catalogue
from ..errors import ConfigurationError, LightspeedError, SyncError
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
    """Sync ``resources`` for every saved connection in ``names`` concurrently, each in a process of its own; see
    ``SyncAllResult``. ``progress`` shows bars only where a store syncs in this process."""
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

    if isinstance(resources, Catalogue):
        resources = "all"  # the same request, in a form another process reads
    try:
        pickle.dumps(destination)
        separate = True
    except Exception:  # noqa: BLE001 - an object that does not travel: this process it is
        separate = False

    def one(name: str) -> SyncResult | LightspeedError:
        request = {"name": name, "resources": resources, "destination": destination, "full": full}
        return _in_a_process(request) if separate else sync_one(**request, progress=progress)

    with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="ls-widget-sync") as pool:
        outcomes = list(pool.map(one, names))
    return SyncAllResult(zip(names, outcomes))


def sync_one(name: str, resources, destination: Any, full: bool, progress: bool = False):
    """One saved connection's sync; a ``LightspeedError`` is returned, not raised (the worker's job, and the thread
    fallback's)."""
    from ..connection import Connection

    try:
        return Connection.load(name).sync(resources, destination=destination, full=full, progress=progress)
    except LightspeedError as exc:
        return exc


def _in_a_process(request: dict) -> SyncResult | LightspeedError:
    done = subprocess.run([sys.executable, "-m", "ls_widget.sync.worker"], input=pickle.dumps(request),
                          capture_output=True)
    if done.returncode == 0:
        try:
            return pickle.loads(done.stdout)
        except Exception:  # noqa: BLE001 - our own child's answer, unreadable: say so below
            pass
    said = done.stderr.decode(errors="replace").strip().splitlines()
    return SyncError(f"The sync of {request['name']!r} stopped in its process (exit status {done.returncode}): "
                     f"{said[-1] if said else 'no message'}. What it committed stays; run it again to carry on.")
