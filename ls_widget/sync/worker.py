"""``python -m ls_widget.sync.worker``: one store's sync for ``sync_all``, in a process of its own.

Reads the request (connection name, resources, destination, full) pickled on stdin and writes the outcome pickled on
stdout: the ``SyncResult``, or the ``LightspeedError`` that stopped it. Only ``sync_all`` starts it, with its own
request: stdin is trusted as the parent process is.
"""

from __future__ import annotations

import pickle
import sys

from .all import sync_one


def main() -> int:
    request = pickle.loads(sys.stdin.buffer.read())
    outcome = sync_one(**request)
    sys.stdout.buffer.write(pickle.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
