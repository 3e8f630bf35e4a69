"""``sync_all``: several saved connections at once (``ls_widget.sync_all``).

Above the sync engine (ls_widget/sync/: a session and a target in, a result out): a store is named here, and opened
as a ``Connection`` whose ``sync`` runs the engine.

Each Lightspeed account+client connection has its own leaky bucket, so stores synced side by side do not slow each
other down. Each store syncs in a process of its own (``python -m ls_widget.multi_sync_worker``): the loads are CPU
work under one GIL per process, and stores sharing one process would queue for it (three stores took up to 2.5 times
the slowest alone). A plain subprocess rather than ``multiprocessing``: it needs no ``if __name__ == "__main__"``
guard in the caller's script and works the same from a notebook. On Linux those processes are forked from one
*zygote* per call that has imported dlt, DuckDB, pyarrow and pandas once (multi_sync_worker.py), instead of each
store paying the imports; elsewhere (Windows, macOS) each process imports them itself. A store that fails does not
stop the others; a destination object that cannot be handed to another process is synced on a thread here instead.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from .catalogue import Catalogue
from .connection import Connection
from .errors import ConfigurationError, LightspeedError, SyncError
from .sync.run import SyncResult

WORKER = "ls_widget.multi_sync_worker"  # the module each store's process runs (python -m)


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

    zygote = _Zygote.start() if separate else None

    def one(name: str) -> SyncResult | LightspeedError:
        request = {"name": name, "resources": resources, "destination": destination, "full": full}
        return _in_a_process(request, zygote and zygote.path) if separate else sync_one(**request, progress=progress)

    try:
        with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="ls-widget-sync") as pool:
            outcomes = list(pool.map(one, names))
    finally:
        if zygote is not None:
            zygote.stop()
    return SyncAllResult(zip(names, outcomes))


def sync_one(name: str, resources, destination: Any, full: bool, progress: bool = False):
    """One saved connection's sync; a ``LightspeedError`` is returned, not raised (the worker's job, and the thread
    fallback's)."""
    try:
        return Connection.load(name).sync(resources, destination=destination, full=full, progress=progress)
    except LightspeedError as exc:
        return exc


def _in_a_process(request: dict, via: str | None = None) -> SyncResult | LightspeedError:
    """The store's sync in ``python -m ls_widget.multi_sync_worker``: forked from the zygote listening at ``via`` if
    there is one, else in that process itself."""
    message = {"via": via, "request": pickle.dumps(request)}
    done = subprocess.run([sys.executable, "-m", WORKER], input=pickle.dumps(message),
                          capture_output=True)
    if done.returncode == 0:
        try:
            return pickle.loads(done.stdout)
        except Exception:  # noqa: BLE001 - our own child's answer, unreadable: say so below
            pass
    said = done.stderr.decode(errors="replace").strip().splitlines()
    return SyncError(f"The sync of {request['name']!r} stopped in its process (exit status {done.returncode}): "
                     f"{said[-1] if said else 'no message'}. What it committed stays; run it again to carry on.")


class _Zygote:
    """``python -m ls_widget.multi_sync_worker --zygote``: the imports a sync needs, paid once for all of a call's
    stores; each store's worker has its sync forked from it. Linux only: elsewhere a process forked without exec
    is not safe with these libraries (macOS), or there is no fork (Windows)."""

    def __init__(self, folder: str, process: subprocess.Popen) -> None:
        self.folder, self.process = folder, process
        self.path = os.path.join(folder, "zygote")

    @classmethod
    def start(cls) -> "_Zygote | None":
        if not sys.platform.startswith("linux") or not hasattr(socket, "send_fds"):
            return None
        folder = tempfile.mkdtemp(prefix="ls-widget-sync-")  # private (0700): only this user reaches the socket
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
                listener.bind(os.path.join(folder, "zygote"))
                listener.listen(64)  # listening before any worker starts: they wait in line while it imports
                process = subprocess.Popen(
                    [sys.executable, "-m", WORKER, "--zygote", str(listener.fileno())],
                    pass_fds=(listener.fileno(),), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
        except OSError:  # no zygote: each worker runs its sync itself, as on the other systems
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return cls(folder, process)

    def stop(self) -> None:
        """Every worker has its answer (so every child has ended): the zygote ends when its stdin closes."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
