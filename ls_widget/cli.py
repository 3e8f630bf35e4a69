"""``ls-widget``: the command line, for cron, CI and machines without a browser.

    ls-widget connections                      saved connections, whether signed in, and their last sync
    ls-widget sync NAME RESOURCE... [--full]   bring tables up to date (exit 0, or 1 with the reason on stderr);
                                               RESOURCE "all": every resource the sign-in's scopes read
    ls-widget resources                        the resources Lightspeed offers: key, sortable fields, how they sync
    ls-widget login NAME                       sign in without a browser here: open the printed address anywhere,
                                               approve, paste the address you land on

Every failure the package knows (``LightspeedError``) is one line on stderr and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import __version__
from .profiles import PROFILES
from .errors import LightspeedError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except LightspeedError as exc:
        _say(str(exc))
        return 1
    except KeyboardInterrupt:
        _say("interrupted (a sync keeps what it committed; run it again to carry on)")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug of ours: still one line for cron, with what to report
        _say(f"unexpected {type(exc).__name__}: {exc} (a bug in ls-widget: please report it with this line)")
        return 1


def _say(message: str) -> None:
    """One line on stderr, whatever the message holds (a library's message can span many)."""
    print("ls-widget: " + " ".join(message.split()), file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ls-widget", description="Lightspeed Retail (R-Series) from the shell.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser("connections", help="list saved connections and their last sync")
    listing.set_defaults(run=_connections)

    sync = commands.add_parser("sync", help="sync resources of a saved connection into its tables")
    sync.add_argument("name", help="the saved connection's name")
    sync.add_argument("resources", nargs="+", metavar="RESOURCE",
                      help="e.g. Item Sale Customer, or all (every resource the sign-in's scopes read)")
    sync.add_argument("--full", action="store_true", help="read everything again and drop what Lightspeed deleted")
    sync.add_argument("--destination", help="a dlt destination name (default: the connection's DuckDB file)")
    sync.add_argument("--quiet", action="store_true", help="no progress bar")
    sync.set_defaults(run=_sync)

    catalogue = commands.add_parser("resources", help="list the resources: key, sortable fields, sync, scopes")
    catalogue.set_defaults(run=_resources)

    login = commands.add_parser("login", help="sign a saved connection in by pasting the redirected address")
    login.add_argument("name", help="the connection's name")
    login.add_argument("--api-type", choices=tuple(PROFILES), help="for a new connection (default v3)")
    login.add_argument("--scope", action="append", dest="scopes", metavar="SCOPE",
                       help="for a new connection; repeat for several, e.g. --scope employee:inventory_read")
    login.add_argument("--client", help="for a new v3 connection: the stored OAuth 2.0 client's name")
    login.set_defaults(run=_login)
    return parser


def _connections(_args) -> int:
    from .connections import ConnectionRecord, saved_connections
    from .token_store import TokenStore

    names = saved_connections()
    if not names:
        print("No saved connections yet: create one in the panel (LightspeedConnection()) or with 'ls-widget login'.")
        return 0
    rows = [("NAME", "API", "ACCOUNT", "SIGNED IN", "LAST SYNC")]
    for name in names:
        try:
            record = ConnectionRecord.load(name)
            signed_in = "yes" if TokenStore(name).current() is not None else "no"
        except LightspeedError as exc:
            rows.append((name, "?", "?", "?", f"unreadable: {exc}"))
            continue
        last = record.last_sync or {}
        synced = (f"{last.get('at', '?')} ({', '.join(map(str, last.get('resources', [])))})" if last else "never")
        account = f"{record.account_name} ({record.account_id})" if record.account_id else "-"
        rows.append((name, record.api_type, account, signed_in, synced))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + "  " + str(row[-1]))
    return 0


def _resources(_args) -> int:
    from .catalogue import resources

    print(resources())
    return 0


def _sync(args) -> int:
    import logging

    from .connection import Connection
    from .sync.target import check_destination

    # dlt logs its own account of a failure (many lines, with advice about credentials); the error says it in one.
    logging.getLogger("dlt").setLevel(logging.CRITICAL)
    check_destination(args.destination)  # a misspelt destination is refused before anything is fetched
    connection = Connection.load(args.name)
    if connection.status != "connected":
        raise LightspeedError(f"{args.name!r} is not signed in ({connection.error or 'no stored sign-in'}). "
                              f"Sign in with: ls-widget login {_quoted(args.name)}")
    result = connection.sync(args.resources, destination=args.destination, full=args.full,
                             progress=not args.quiet and sys.stderr.isatty())
    print(result)
    return 0


def _login(args) -> int:
    from .connection import Connection
    from .connections import saved_connections

    if args.name.strip() in saved_connections():
        connection = Connection.load(args.name)
        for option in ("api_type", "scopes", "client"):
            if getattr(args, option):
                raise LightspeedError(f"{args.name!r} is saved already: --{option.replace('_', '-')} applies only "
                                      "to a new connection (change a saved one in the panel).")
    else:
        connection = Connection(args.name, args.api_type or "v3", args.scopes or (), args.client)
    url = connection.authorization_url()
    lifetime = connection.profile.code_lifetime
    print("1. Open this address in any browser and approve:\n\n   " + url + "\n")
    print(f"2. Paste the whole address your browser lands on (it starts with https:// and contains '?code='), "
          f"within {lifetime} seconds of approving:")
    pasted = sys.stdin.readline()
    if not pasted:
        raise LightspeedError("No address was pasted: run 'ls-widget login' again.")
    connection.complete_authorization(pasted.strip())
    print(f"Signed in: {connection.name!r} is connected to {connection.account_name} ({connection.account_id}).")
    return 0


def _quoted(name: str) -> str:
    return f"'{name}'" if any(ch.isspace() for ch in name) else name


if __name__ == "__main__":  # python -m ls_widget.cli
    sys.exit(main())
