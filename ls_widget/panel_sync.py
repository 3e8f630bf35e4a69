"""The panel's Sync part, Python half: runs ``Connection.sync`` on a thread of its own and reports through one state.

A comm message is handled on the kernel's main thread, and a cell cannot run while one is being handled: so "Sync
now" only starts a thread and returns, and the notebook stays usable while the sync runs (a cell calling
``conn.sync`` into the same tables meanwhile is refused by the sync's own lock, with a message saying so). Progress
reaches the browser through the panel's ``_sync`` trait, at most ``UPDATES_PER_SECOND`` times a second: every
page would otherwise be a comm message (and a screen reader announcement). "Cancel" sets the sync's cancel event:
it stops between pages and keeps what it committed.

The state is a plain dict (``SyncPartState`` in ``panel_protocol``) and, being a trait, is saved with the notebook:
it holds the resources, table names, row counts and times, and messages made fit to share (the home directory
written ``~``, other saved connections not named). Never the destination's path, nor anything secret.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import ConfigurationError, LightspeedError

if TYPE_CHECKING:
    from .connection import Connection

log = logging.getLogger("ls_widget.panel")

UPDATES_PER_SECOND = 4
DISCONNECT_WAIT = 3.0  # seconds Disconnect waits for a cancelled sync to stop before revoking the sign-in
EXIT_WAIT = 30.0  # seconds the interpreter's exit waits for the panels' threads (a cancelled sync commits its pages)

# The threads of every panel, stopped when the interpreter exits (a script's end, a kernel's shutdown). They are
# daemon threads, so exit does not wait for a long sync; but one still inside DuckDB when the interpreter finalizes
# is torn down from under its C++ frames, and the process aborts ("terminate called ... FATAL: exception not
# rethrown"). atexit runs before that: it cancels the syncs and waits for the threads to end.
_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()
_cancels: "weakref.WeakSet[PanelSync]" = weakref.WeakSet()


@atexit.register
def _stop_at_exit() -> None:
    for part in list(_cancels):
        part.cancel()
    deadline = time.monotonic() + EXIT_WAIT
    for thread in list(_threads):
        if thread.is_alive() and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


def _start(target: Callable, *args, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    _threads.add(thread)
    thread.start()
    return thread


def initial_state() -> dict:
    return {"running": False, "cancelling": False, "resources": [], "progress": None, "error": "", "result": "",
            "tables": []}


class PanelSync:
    """One panel's syncs: at most one at a time, on a daemon thread; ``publish(state)`` shows each new state."""

    def __init__(self, connection: Connection, publish: Callable[[dict], None], *,
                 interval: float = 1.0 / UPDATES_PER_SECOND, clock: Callable[[], float] = time.monotonic,
                 timer: Callable[[float, Callable[[], None]], threading.Timer] = threading.Timer) -> None:
        self._connection = connection
        self._publish = publish
        self._interval = interval
        self._clock, self._new_timer = clock, timer  # the progress throttle's (tests step them by hand)
        self._lock = threading.RLock()
        # A table listing and this panel's sync take turns: the listing a sync ends with then shows its rows, never
        # an earlier listing's that finished after it. (Reads and a sync may share the DuckDB file: target.py.)
        self._tables_lock = threading.Lock()
        self._state = initial_state()
        self._thread: threading.Thread | None = None
        self._cancel: threading.Event | None = None
        self._chosen: list[str] | None = None  # what the analyst last synced: selected next time
        self._scopes: tuple[str, ...] | None = None  # the scopes the resource list was made for
        self._connected = False
        self._last_sent = 0.0
        self._pending: dict | None = None
        self._timer: threading.Timer | None = None

    # -- state ---------------------------------------------------------------------------------------------------
    @property
    def state(self) -> dict:
        with self._lock:
            return dict(self._state)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _update(self, **changes) -> None:
        with self._lock:
            self._state = {**self._state, **changes}
            state = dict(self._state)
            self._pending = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._last_sent = self._clock()
        self._publish(state)

    # -- what the part offers -----------------------------------------------------------------------------------------
    def follow(self, connected: bool, scopes: Iterable[str] | None, synced: bool) -> None:
        """The connection changed: a sign-out stops the sync; once connected, the resources its scopes read are
        offered and the local tables read (again after a sync made elsewhere, e.g. ``conn.sync`` in a cell)."""
        if not connected:
            self._connected = False
            self.cancel()
            return
        first, self._connected = not self._connected, True
        try:
            self.offer(scopes)
        except Exception as exc:  # noqa: BLE001 - a sign-in must not fail for the Sync part's sake
            log.exception("ls_widget: the Sync part could not list the resources")
            self._update(error=_unexpected(exc, "listing the resources to sync"))
        if (first or synced) and not self.running:
            self.refresh()

    def offer(self, scopes: Iterable[str] | None) -> None:
        """The resources the granted scopes can read, the models' inputs (or the last sync's choice) selected.
        Cheap (the catalogue only): called whenever the connection changes."""
        key = tuple(scopes) if scopes is not None else None
        if key == self._scopes and self._state["resources"]:
            return
        self._scopes = key
        self._update(resources=self._resources(scopes))

    def _resources(self, scopes: Iterable[str] | None) -> list[dict]:
        from .catalogue import CATALOGUE
        from .models import MODEL_INPUTS
        from .sync.specs import select

        try:
            readable = [spec.resource for spec in select("all", list(scopes) if scopes else None).specs]
        except ConfigurationError:
            readable = []  # the scopes read nothing: the part says so
        # MODEL_INPUTS is a part of the catalogue (its entries carry .name); plain names work too.
        models = {getattr(entry, "name", entry) for entry in MODEL_INPUTS}
        chosen = set(self._chosen if self._chosen is not None else models)
        return [{"name": name, "summary": CATALOGUE[name].summary if name in CATALOGUE else "",
                 "selected": name in chosen} for name in readable]

    def refresh(self) -> None:
        """Read the local tables again (row counts, when each was last brought up to date), on a thread: the first
        read imports dlt and opens the database, which takes a moment the kernel should not be blocked for."""
        if self.running:
            return  # the sync publishes the tables when it ends
        _start(self._refresh_tables, name="ls-widget-sync-tables")

    def _refresh_tables(self) -> None:
        try:
            with self._tables_lock:
                tables = self._tables()
        except LightspeedError as exc:
            self._update(error=shareable(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - a thread's error goes to the panel and the log, never lost
            log.exception("ls_widget: reading the local tables failed")
            self._update(error=_unexpected(exc, "reading the local tables"))
            return
        self._update(tables=tables)

    def _tables(self) -> list[dict]:
        tables = self._connection.tables()
        return [{"table": str(t["table"]), "rows": int(t.get("rows") or 0), "kind": str(t.get("kind") or "raw"),
                 "updated": t.get("updated") or None} for t in tables]

    # -- a sync ----------------------------------------------------------------------------------------------------------
    def start(self, resources: object, full: object) -> str | None:
        """Start a sync of ``resources``; None once started, else why not (shown by the panel)."""
        if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            return "The panel sent no list of resources to sync: reload the page and try again."
        if not resources:
            return "Choose at least one resource to sync."
        offered = {r["name"] for r in self._state["resources"]}
        unknown = [r for r in resources if r not in offered]
        if unknown:
            return (f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not among the resources this "
                    "sign-in can read: pick from the list.")
        with self._lock:
            if self.running:
                return "A sync is already running: wait for it to finish, or cancel it."
            if self._connection.status != "connected":
                return "Sign in first: the Sync part works once the panel is connected."
            self._chosen = list(resources)
            self._cancel = threading.Event()
            selected = set(resources)
            self._update(running=True, cancelling=False, error="", result="", progress=None,
                         resources=[{**r, "selected": r["name"] in selected} for r in self._state["resources"]])
            _cancels.add(self)
            self._thread = _start(self._run, list(resources), bool(full), self._cancel, name="ls-widget-sync")
        return None

    def cancel(self) -> None:
        """Stop the running sync between pages; it keeps what it committed."""
        with self._lock:
            if self._cancel is None or not self.running or self._cancel.is_set():
                return
            self._cancel.set()
            self._update(cancelling=True)

    def stop(self, wait: float = DISCONNECT_WAIT) -> None:
        """Cancel and wait (a little) for the sync to stop: before a disconnect revokes the tokens it uses."""
        self.cancel()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and scripts: wait until no sync runs; True when none does."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running

    def _run(self, resources: list[str], full: bool, cancel: threading.Event) -> None:
        with self._tables_lock:  # after a table listing still under way (it takes a moment)
            self._sync(resources, full, cancel)

    def _sync(self, resources: list[str], full: bool, cancel: threading.Event) -> None:
        started = time.monotonic()
        summary, error = "", ""
        try:
            result = self._connection.sync(resources, full=full, progress=False, on_progress=self._progress,
                                              cancel=cancel)
            summary = result_text(result, time.monotonic() - started)
        except LightspeedError as exc:
            error = shareable(str(exc))
        except Exception as exc:  # noqa: BLE001 - a thread's error goes to the panel and the log, never lost
            log.exception("ls_widget: the panel's sync failed")
            error = _unexpected(exc, "syncing")
        if error and cancel.is_set():
            # Cancelled by a disconnect: the tokens went while a request was out; what was committed is kept.
            error, summary = "", ("Cancelled: every chunk committed before it is kept; sign in and sync again to "
                                  "carry on from there.")
        try:
            tables = self._tables()
        except Exception:  # noqa: BLE001 - the tables were shown before; the sync's own message matters more
            log.debug("ls_widget: could not read the local tables after the sync", exc_info=True)
            tables = self._state["tables"]
        self._update(running=False, cancelling=False, progress=None, result=summary, error=error, tables=tables)

    def _progress(self, event) -> None:
        progress = {"resource": event.resource, "phase": event.phase, "pages": event.pages, "records": event.records,
                    "total_pages": event.total_pages,
                    "seconds_left": None if event.seconds_left is None else round(float(event.seconds_left), 1),
                    "resources_done": event.resources_done, "resources_total": event.resources_total,
                    "all_pages": event.all_pages, "all_records": event.all_records}
        with self._lock:
            wait = self._last_sent + self._interval - self._clock()
            if wait > 0:  # too soon: shown when the interval is up, unless a newer one comes first
                self._pending = progress
                if self._timer is None:
                    self._timer = self._new_timer(wait, self._flush)
                    self._timer.daemon = True
                    self._timer.start()
                return
        self._update(progress=progress)

    def _flush(self) -> None:
        with self._lock:
            self._timer = None
            pending, self._pending = self._pending, None
            if pending is None or not self._state["running"]:
                return
        self._update(progress=pending)


def result_text(result, seconds: float) -> str:
    """One paragraph on what a sync did, for the panel: pages, rows, models, what was skipped, its notes."""
    pages = f"{result.pages:,} page{'s' if result.pages != 1 else ''}"
    tables = getattr(result, "tables", {}) or {}
    inserted = sum(t.inserted for t in tables.values())
    updated = sum(t.updated for t in tables.values())
    deleted = sum(t.deleted for t in tables.values())
    changes = f"{inserted:,} rows added, {updated:,} updated, {deleted:,} deleted"
    if getattr(result, "cancelled", False):
        parts = [f"Cancelled after {pages} in {seconds:.0f} s ({changes})."]
    else:
        parts = [f"Synced {len(tables)} table{'s' if len(tables) != 1 else ''}: {pages} in {seconds:.0f} s, "
                 f"{changes}."]
    models = getattr(result, "models", None) or {}
    if models:
        parts.append(f"Models refreshed: {', '.join(models)}.")
    skipped = getattr(result, "skipped", None) or {}
    if skipped:
        parts.append("Skipped: " + "; ".join(f"{name}, {why}" for name, why in skipped.items()) + ".")
    parts.extend(getattr(result, "notes", None) or [])
    return shareable(" ".join(parts))


def shareable(text: str) -> str:
    """A message fit for a trait a saved notebook keeps: the home directory as ``~``, other saved connections
    unnamed (a refusal may name the connection that synced a destination before)."""
    home = str(Path.home())
    if home not in ("", "/"):
        text = text.replace(home, "~")
    try:
        from .connections import saved_connections

        names = saved_connections()
    except Exception:  # noqa: BLE001 - a broken store must not hide the message itself
        names = []
    for name in names:
        for quoted in (repr(name), f'"{name}"'):
            text = text.replace(f"the connection {quoted}", "another connection")
    return text


def _unexpected(exc: BaseException, doing: str) -> str:
    return shareable(f"Something unexpected went wrong while {doing} ({type(exc).__name__}: {exc}). What the sync "
                     "committed is kept; try Sync now again, and if it fails the same way, the kernel's log has the "
                     "details to report.")
