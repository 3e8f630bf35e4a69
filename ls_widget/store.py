"""Where ls_widget keeps its files, and how it writes them.

Everything lives under ``LS_WIDGET_HOME`` (default: the platform's user data directory), in one subdirectory per
kind of record (``clients/``, later ``connections/`` and ``tokens/``). Directories are 0700 and files 0600 from the
moment they exist: a secret is never briefly world-readable. Writes go to a temporary file in the same directory,
are fsynced and then renamed over the old file, so a crash leaves either the old or the new record, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import platformdirs

from .errors import ConfigurationError

HOME_ENV = "LS_WIDGET_HOME"
_SUFFIX = ".json"
_MAX_FILE_NAME = 255  # bytes, on every common file system


def home() -> Path:
    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("ls_widget", False))


def private_dir(*parts: str) -> Path:
    """The directory ``home()/parts``, created 0700 (and tightened to 0700 if it already existed)."""
    path = home()
    for part in ("", *parts):
        path = path / part if part else path
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(path, 0o700)  # mkdir's mode is reduced by the umask and ignored for existing directories
    return path


def record_path(kind: str, name: str) -> Path:
    """File of the record ``name`` in ``kind``. Names are percent-encoded, so any display name is a safe file name."""
    encoded = quote(name, safe=" -_")
    if encoded.startswith("."):  # quote() keeps dots; a leading one would hide the file or clash with temp files
        encoded = "%2E" + encoded[1:]
    if len(encoded) + len(_SUFFIX) > _MAX_FILE_NAME:
        raise ConfigurationError(
            f"The name {name[:24]!r}… is too long to store (non-Latin characters count several times): shorten it."
        )
    return private_dir(kind) / (encoded + _SUFFIX)


def write_json(path: Path, data: Any) -> None:
    """Atomically replace ``path`` with ``data`` as JSON, readable by the owner only."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=path.parent)  # mkstemp creates the file 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_record(kind: str, name: str) -> Any | None:
    """The record ``name`` of ``kind``, or ``None`` when there is none."""
    try:
        return read_json(record_path(kind, name))
    except FileNotFoundError:
        return None


def record_names(kind: str) -> list[str]:
    """Names of the records of ``kind``, sorted case-insensitively (temporary files are skipped)."""
    directory = home() / kind
    if not directory.is_dir():
        return []
    names = [unquote(p.name[: -len(_SUFFIX)]) for p in directory.glob("*" + _SUFFIX) if not p.name.startswith(".tmp-")]
    return sorted(names, key=str.casefold)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
