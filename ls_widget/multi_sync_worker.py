"""``python -m ls_widget.multi_sync_worker``: one store's sync for ``sync_all`` (multi_sync.py), in a process of its
own.

Reads the request pickled on stdin and writes the outcome pickled on stdout: the ``SyncResult``, or the
``LightspeedError`` that stopped it. Only ``sync_all`` starts it, with its own request: stdin is trusted as the parent
process is.

The request is ``{"via": path or None, "request": bytes}`` (the pickled ``sync_one`` arguments kept as bytes, so that
reading them here imports nothing). With ``via`` (Linux), the store's sync runs in a child forked from a *zygote*
(``python -m ls_widget.multi_sync_worker --zygote FD``, one per ``sync_all`` call, listening on the Unix socket
``via``): the zygote has paid the imports of dlt, DuckDB, pyarrow and pandas (about 2.3 s of CPU) once for every
store, and each child starts with them loaded. This process hands the zygote its stdout and stderr (``SCM_RIGHTS``), so the
child writes the outcome and any error exactly where this process would, then ends as the child ended (its exit
status, or the signal that killed it). Should the zygote not take the request (it could not start, or it stopped), or
without ``via`` (Windows, macOS: no fork without exec there), the sync runs in this process, as it always did.

The zygote forks only from its one thread: it accepts, forks and reaps in a single loop and runs no sync itself.
It ends when ``sync_all`` closes its stdin.
"""

from __future__ import annotations

import os
import pickle
import sys

_FORKED, _EXIT = b"forked\n", b"exit "


def main() -> int:
    if sys.argv[1:2] == ["--zygote"]:
        return serve(int(sys.argv[2]))
    message = pickle.loads(sys.stdin.buffer.read())
    if not (isinstance(message, dict) and "request" in message):  # a request from before the zygote
        return run(pickle.dumps(message))
    if message.get("via"):
        ended = _through(message["via"], message["request"])
        if ended is not None:
            return ended
    return run(message["request"])


def run(request: bytes) -> int:
    """The store's sync here; the outcome pickled on stdout."""
    from .multi_sync import sync_one

    outcome = sync_one(**pickle.loads(request))
    sys.stdout.buffer.write(pickle.dumps(outcome))
    sys.stdout.flush()
    return 0


def _through(path: str, request: bytes) -> int | None:
    """The sync in a child of the zygote at ``path``, writing to this process's stdout and stderr; its exit status,
    or None when the zygote did not take the request (nothing was started: the caller runs it here)."""
    import signal
    import socket

    try:
        link = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        link.connect(path)
        socket.send_fds(link, [len(request).to_bytes(8, "big") + request], [1, 2])
        replies = link.makefile("rb")
        if replies.readline() != _FORKED:
            return None
    except OSError:
        return None
    try:
        line = replies.readline()
    finally:
        link.close()
    if not line.startswith(_EXIT):
        print("the zygote the sync was forked from stopped before the sync ended", file=sys.stderr)
        return 1
    status = int(line[len(_EXIT):])
    if status < 0:  # killed by a signal: end the same way, so sync_all reports what it would have
        sys.stderr.flush()
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    return status


def serve(fd: int) -> int:
    """The zygote: import what a sync needs, then fork a child for each request arriving on the listening socket
    ``fd``, and tell each requester when its child ended. Ends when stdin closes."""
    import select
    import socket
    import time

    listener = socket.socket(fileno=fd)
    try:
        _preload()
    except Exception:  # noqa: BLE001 - the workers run their syncs themselves, and say what is wrong
        return 1
    waiting: dict[int, socket.socket] = {}  # child pid -> the requester's link
    watched = [listener, sys.stdin]
    while watched or waiting:
        if watched:
            ready = select.select(watched, [], [], 0.05)[0]
        else:  # closing: only children left to wait for
            ready = []
            time.sleep(0.05)
        for pid, link in list(waiting.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                del waiting[pid]
                try:
                    link.sendall(_EXIT + str(os.waitstatus_to_exitcode(status)).encode() + b"\n")
                except OSError:
                    pass  # the requester is gone: nobody to tell
                link.close()
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):  # sync_all is done with us
            listener.close()
            watched = []
        elif listener in ready:
            link = listener.accept()[0]
            pid = _fork(link, listener, waiting)
            if pid:
                waiting[pid] = link
    return 0


def _fork(link, listener, waiting: dict) -> int | None:
    """A child for the request on ``link``, writing to the requester's stdout and stderr; its pid (None if the request
    could not be read: the requester then runs the sync itself)."""
    import socket

    try:
        data, fds, _, _ = socket.recv_fds(link, 1 << 16, 2)
        if len(fds) != 2 or len(data) < 8:
            raise OSError("no request")
        size = int.from_bytes(data[:8], "big")
        request = bytearray(data[8:])
        while len(request) < size:
            more = link.recv(1 << 20)
            if not more:
                raise OSError("the request was cut short")
            request += more
    except OSError:
        link.close()
        return None
    pid = os.fork()
    if pid == 0:  # the child: the requester's stdout and stderr as its own, nothing of the zygote's loop
        code = 1
        try:
            listener.close()
            for other in waiting.values():
                other.close()
            link.close()
            os.dup2(fds[0], 1)
            os.dup2(fds[1], 2)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            for extra in (*fds, null):
                os.close(extra)
            code = run(bytes(request))
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
            if not isinstance(stop.code, int) and stop.code is not None:
                print(stop.code, file=sys.stderr)
        except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback on stderr, status 1
            import traceback

            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    for extra in fds:
        os.close(extra)
    link.sendall(_FORKED)
    return pid


def _preload() -> None:
    """What every store's sync imports, once, before any fork."""
    import dlt  # noqa: F401
    import dlt.destinations  # noqa: F401
    import dlt.extract  # noqa: F401
    import dlt.load  # noqa: F401
    import dlt.normalize  # noqa: F401
    import dlt.pipeline  # noqa: F401
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from . import connection, multi_sync  # noqa: F401
    from .sync import run, target  # noqa: F401


if __name__ == "__main__":
    sys.exit(main())
