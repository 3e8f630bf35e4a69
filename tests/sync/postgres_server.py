"""A throwaway PostgreSQL server for the destination tests: Debian's binaries, a cluster in a temp dir, 127.0.0.1.

Started by the test fixture and stopped after it; as root it runs as the ``postgres`` system user (PostgreSQL
refuses root). Set-up installs the ``postgresql`` package (scripts/setup.sh --test); without it the tests fail with
that advice instead of skipping, so CI can never pass without them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/setup.sh --test (it installs Debian's "
                           "'postgresql' package).")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.root = Path(tempfile.mkdtemp(prefix="ls-widget-pg-"))
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(arg) for arg in args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> "PostgresServer":
        data = self.root / "data"
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(self.bin / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.bin / "pg_ctl", "-D", data, "-o", options, "-l", self.root / "log", "-w", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start: " + (self.root / "log").read_text()[-2000:])

    @property
    def url(self) -> str:
        # dlt insists on a password; trust authentication accepts any.
        return f"postgresql://postgres:local@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.root / "data", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
