"""``python -m ls_widget.sandbox [--port N] [--items N ...]``: serve the sandbox until Ctrl+C.

The first line of output is the base URL (flushed at once, so a parent process can read it); the next lines say
which clients and accounts it has. Every ``SandboxOptions``/``DataOptions`` field is an option (``--bucket-size``,
``--sales``, ``--end-date 2026-10-31``, ``--consent-coop`` ...). The environment is left alone: point ls_widget at
the sandbox with ``LS_WIDGET_AUTH_URL`` and ``LS_WIDGET_API_URL``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from datetime import date

from .config import option_fields

_TYPES = {"int": int, "float": float, "str": str, "date": date.fromisoformat}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ls_widget.sandbox", description="A local Lightspeed Retail (R-Series) for demos and tests.",
        epilog="While it runs, admin endpoints under <url>/_sandbox inject faults, expire tokens, advance the clock "
               "and change the data for incremental-sync demos: POST <url>/_sandbox/changes with a JSON body such "
               "as {\"edits\": 10, \"adds\": 5, \"archives\": 2, \"deletes\": 1, \"resources\": [\"Item\", "
               "\"Customer\", \"Sale\"]} edits, adds, archives and deletes records now (one timeStamp for all) "
               "and answers the changed IDs.")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
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
    args = vars(parser().parse_args(argv))
    port, verbose = args.pop("port"), args.pop("verbose")
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
        logging.getLogger("ls_widget.sandbox").setLevel(logging.DEBUG)
    from . import start

    box = start(port, configure_environment=False, **args)
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


if __name__ == "__main__":
    sys.exit(main())
