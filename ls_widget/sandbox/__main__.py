"""``python -m ls_widget.sandbox [--port N] [--items N ...]``: serve the sandbox until Ctrl+C.

The first line of output is the base URL (flushed at once, so a parent process can read it); the next lines say
which clients and accounts it has. Every ``SandboxOptions``/``DataOptions`` field is an option (``--bucket-size``,
``--sales``, ``--end-date 2026-10-31``, ``--consent-coop`` ...). The environment is left alone: point ls_widget at
the sandbox with ``LS_WIDGET_AUTH_URL`` and ``LS_WIDGET_API_URL``.

A bad option (a port outside 0-65535, ``--items -5``, a port already in use, a typo) ends it with exit status 2 and
one line on stderr, ``python -m ls_widget.sandbox: error: ...``, as for any command-line mistake: never a traceback,
and never a server on some other port than the one asked for.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import threading
from datetime import date

from .config import SandboxOptions, option_fields


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-10-31") from None


def _port(text: str) -> int:
    port = _whole(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1 to 65535, or 0 for any free port")
    return port


_TYPES = {"int": _whole, "float": _number, "str": str, "date": _day}


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (usage is one ``--help`` away): ``prog: error: message``, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m ls_widget.sandbox", description="A local Lightspeed Retail (R-Series) for demos and tests.",
        epilog="While it runs, admin endpoints under <url>/_sandbox inject faults, expire tokens, advance the clock "
               "and change the data for incremental-sync demos: POST <url>/_sandbox/changes with a JSON body such "
               "as {\"edits\": 10, \"adds\": 5, \"archives\": 2, \"deletes\": 1, \"resources\": [\"Item\", "
               "\"Customer\", \"Sale\"]} edits, adds, archives and deletes records now (one timeStamp for all) "
               "and answers the changed IDs.")
    p.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: any free port)")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    for name, type_name, default in option_fields():
        flag = "--" + name.replace("_", "-")
        base = type_name.split("|")[0].strip()
        if base == "bool":
            if default:
                p.add_argument("--no-" + name.replace("_", "-"), dest=name, action="store_false")
            else:
                p.add_argument(flag, dest=name, action="store_true")
            p.set_defaults(**{name: default})
        else:
            p.add_argument(flag, dest=name, type=_TYPES[base], default=default,
                           help=f"default: {default if default is not None else 'Lightspeed formula'}")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = vars(p.parse_args(argv))
    port, verbose = args.pop("port"), args.pop("verbose")
    try:
        options = SandboxOptions.build(**args)  # the values' ranges (--items -5, --bucket-size 0), before any work
    except (TypeError, ValueError) as exc:
        p.error(_as_flags(str(exc)))
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
        logging.getLogger("ls_widget.sandbox").setLevel(logging.DEBUG)
    from . import Sandbox

    try:
        box = Sandbox(options, port=port, configure_environment=False)
    except OSError as exc:  # the port is taken, or not ours to bind
        p.error(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); pick another port, "
                "or 0 for any free one")
    print(box.url, flush=True)
    demo, v2 = box.state.registry.demo, box.state.registry.v2_builtin
    accounts = ", ".join(f"{a.account_id} ({a.name})" for a in box.state.accounts())
    print(f"accounts: {accounts}\n"
          f"demo client (v3): id {demo.client_id} secret {demo.secret} redirect {demo.redirect_uri}\n"
          f"v2 built-in client: id {v2.client_id} secret {v2.secret}\n"
          f"admin: {box.url}/_sandbox (POST {box.url}/_sandbox/changes: a day of changes)\n"
          f"Press Ctrl+C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
    return 0


def _as_flags(message: str) -> str:
    """A SandboxOptions message in the command line's words: "items cannot be negative" -> "--items cannot be
    negative", "bucket_size must be positive" -> "--bucket-size must be positive"."""
    names = {name for name, _type, _default in option_fields()}
    first, _, rest = message.partition(" ")
    return f"--{first.replace('_', '-')} {rest}" if first in names else message


if __name__ == "__main__":
    sys.exit(main())
