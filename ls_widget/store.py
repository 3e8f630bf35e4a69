"""Where ls_widget keeps its files, and how it reads and writes them.

Everything lives under ``LS_WIDGET_HOME`` (default: the platform's user data directory), in one subdirectory per
kind of record: ``clients/``, ``connections/`` and ``tokens/``, one JSON file per name (see ``names``).

Writes: directories are 0700 and files 0600 from the moment they exist, so a secret is never briefly
world-readable. A record goes to a temporary file in the same directory, is fsynced and then renamed over the old
file, so a crash leaves either the old or the new record, never half of one (and the temporary file, which the next
write into that directory sweeps away).

Reads never write: computing a path, listing and reading create nothing and change no mode, so a read-only home
can still be used. Whatever goes wrong with a file (unreadable, not UTF-8, not JSON, a disk that refuses a write)
becomes a ``StoreError`` that names the file and says what to do; nothing else escapes because of what is on disk.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import platformdirs

from . import names
from .errors import ConfigurationError, StoreError

log = logging.getLogger(__name__)

HOME_ENV = "LS_WIDGET_HOME"
_SUFFIX = ".json"
_TEMP_PREFIX = ".tmp-"
# A write holds its temporary file for milliseconds; one this old was left by a crash. Generous, so that a slow
# writer in another process (a network home) never loses its file.
STALE_TEMP_SECONDS = 15 * 60
# Records are a few hundred bytes; refusing anything big keeps a hostile or mistaken file from filling memory.
_MAX_RECORD_BYTES = 1 << 20

# What to do about a broken file, by kind (the directory it is in). Shown after "To fix it, ".
REMEDIES = {
    "clients": "delete it and add the client again in the panel ('Add OAuth 2.0 client')",
    "connections": "delete it and save the connection again",
    "tokens": "delete it and sign in again",
}
_WHAT = {"clients": "OAuth 2.0 client", "connections": "connection", "tokens": "connection"}


def home() -> Path:
    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("ls_widget", False))


# -- paths (pure: nothing here touches the disk but to look) -------------------------------------------------------
def record_path(kind: str, name: str) -> Path:
    """File of the record ``name`` in ``kind``; ``name`` is normalised first (``names.normalize_name``).

    Raises ``ConfigurationError`` for a name that cannot be stored. Creates nothing.
    """
    name = names.normalize_name(name, _WHAT.get(kind, "record"))
    directory = home() / kind
    path = directory / (names.file_stem(name) + _SUFFIX)
    legacy = directory / (names.legacy_file_stem(name) + _SUFFIX)
    # Names Windows would mangle ("con", "Store.") are now escaped; a record an earlier version stored under the
    # old spelling stays where it is and keeps being used.
    if legacy != path and not _exists(path) and _exists(legacy):
        return legacy
    return path


def record_names(kind: str) -> list[str]:
    """Names of the records of ``kind``, sorted case-insensitively.

    Files the store did not write (temporary files, lock files, names that do not decode) are skipped; a record
    whose *content* is broken is still listed, so that loading it explains the problem.
    """
    directory = home() / kind
    try:
        entries = [entry.name for entry in os.scandir(directory)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise _read_failure(directory, exc) from exc
    found = set()
    for file_name in entries:
        if file_name.startswith(".") or not file_name.endswith(_SUFFIX):
            continue
        name = names.name_from_stem(file_name[: -len(_SUFFIX)])
        if name is None:  # e.g. "Shop (copy).json" from a file manager: no name is stored under it
            log.debug("ls_widget: ignored %s, a file ls_widget did not write", directory / file_name)
            continue
        found.add(name)
    return sorted(found, key=lambda n: (n.casefold(), n))


def find_conflict(kind: str, name: str) -> str | None:
    """The stored name a *new* record ``name`` would collide with on a case-insensitive file system, or ``None``.

    Windows and macOS store "Store" and "store" in one file, so the second would silently replace the first.
    A name that is itself stored is never a conflict (saving it again updates it).
    """
    name = names.normalize_name(name, _WHAT.get(kind, "record"))
    stored = record_names(kind)
    if name in stored:
        return None
    return next((other for other in stored if other.casefold() == name.casefold()), None)


# -- reading --------------------------------------------------------------------------------------------------------
def read_json(path: Path) -> Any:
    """The JSON value in ``path``.

    Raises ``FileNotFoundError`` when there is no such file, and ``StoreError`` when it cannot be read or is not
    a JSON document (binary, truncated, empty, not a regular file, too large).
    """
    path = Path(path)
    try:
        # O_NONBLOCK: a named pipe put in the store must not hang the kernel; it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _read_failure(path, exc) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # a directory, a pipe, a device
            raise broken_record(path, "it is a directory" if stat.S_ISDIR(mode) else "it is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(_MAX_RECORD_BYTES + 1)
    except StoreError:
        raise
    except OSError as exc:
        raise _read_failure(path, exc) from exc
    finally:
        os.close(fd)
    if len(raw) > _MAX_RECORD_BYTES:
        raise broken_record(path, "it is far larger than any record ls_widget writes")
    if not raw.strip():
        raise broken_record(path, "it is empty")
    try:
        text = raw.decode("utf-8-sig")  # a BOM, as Windows Notepad writes, is harmless
    except UnicodeDecodeError:
        raise broken_record(path, "it is not text (binary data, or text that is not UTF-8)") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise broken_record(path, f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError):  # NaN/Infinity, a number too long to parse, absurd nesting
        raise broken_record(path, "it is not a JSON record ls_widget can read") from None


def read_record(kind: str, name: str) -> dict[str, Any] | None:
    """The record ``name`` of ``kind`` (a JSON object), or ``None`` when there is none.

    Raises ``StoreError`` when the file exists but cannot be read or does not hold a JSON object.
    """
    path = record_path(kind, name)
    try:
        data = read_json(path)
    except FileNotFoundError:
        return None
    if not isinstance(data, dict):
        raise broken_record(path, f"it holds a JSON {_json_type(data)} instead of an object")
    return data


def stored_name(kind: str, name: str, record: dict[str, Any]) -> str:
    """The display name of the record read as ``name``: its ``"name"`` field when that is the same name up to case
    (a case-insensitive file system finds "Reports.json" for "reports"), else ``name`` itself: the file decides
    which record it is, so a copied or renamed file is the record its file name says.

    Raises ``StoreError`` when the ``"name"`` field is there but not text.
    """
    name = names.normalize_name(name, _WHAT.get(kind, "record"))
    field = record.get("name", name)
    if not isinstance(field, str):
        raise broken_record(record_path(kind, name), "its \"name\" is not text")
    try:
        field = names.normalize_name(field)
    except ConfigurationError:
        return name
    same_file = names.file_stem(field).lower() == names.file_stem(name).lower()  # stems are ASCII
    return field if same_file else name


def broken_record(path: Path, problem: str, remedy: str | None = None) -> StoreError:
    """The error for a stored file that cannot be used: ``problem`` says why ("it is empty"), ``remedy`` what to do
    (default: the kind's entry in ``REMEDIES``, by the file's directory). Returned, for the caller to raise."""
    remedy = remedy or REMEDIES.get(Path(path).parent.name, "move it out of the way or delete it")
    return StoreError(f"The stored file {path} cannot be used: {problem}. To fix it, {remedy}.", path)


# -- writing --------------------------------------------------------------------------------------------------------
def private_dir(*parts: str) -> Path:
    """The directory ``home()/parts``, created 0700 (and tightened to 0700 if it already existed). A write."""
    path = home().joinpath(*parts)
    _make_private(path)
    return path


def write_json(path: Path, data: Any) -> None:
    """Atomically replace ``path`` with ``data`` as JSON, readable by the owner only.

    Creates the directory (0700) when needed. Raises ``StoreError`` when the disk refuses (read-only, full, ...);
    the previous record is then left as it was, and no temporary file stays behind.
    """
    path = Path(path)
    _make_private(path.parent)
    sweep_temp_files(path.parent)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_SUFFIX, dir=path.parent)  # created 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, StoreError):
            raise _write_failure(path, exc) from exc
        raise
    _fsync_dir(path.parent)


def delete_record(kind: str, name: str) -> None:
    """Delete the record ``name`` of ``kind`` (nothing happens when there is none). ``StoreError`` if refused."""
    path = record_path(kind, name)
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise _write_failure(path, exc) from exc


def sweep_temp_files(directory: Path, older_than: float = STALE_TEMP_SECONDS) -> None:
    """Delete temporary files a crashed write left in ``directory``. Best effort: a failure here is not an error,
    and a fresh temporary file (another process writing right now) is left alone."""
    cutoff = time.time() - older_than
    with suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            with suppress(OSError):
                if (
                    entry.name.startswith(_TEMP_PREFIX)
                    and entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff
                ):
                    os.unlink(entry.path)


def _make_private(directory: Path) -> None:
    # Creates the directory and every missing parent up to the home 0700, and tightens those that exist: mkdir's
    # mode is reduced by the umask and ignored for existing directories. Directories outside the home (a caller's
    # own path) are created but their parents left alone.
    root = home()
    try:
        chain = [root, *(root / part for part in _accumulate(directory.relative_to(root).parts))]
    except ValueError:
        chain = [directory]
    try:
        for path in chain:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.name == "posix":
                if stat.S_IMODE(path.stat().st_mode) != 0o700:
                    os.chmod(path, 0o700)
    except OSError as exc:
        raise _write_failure(directory, exc) from exc


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # unreadable directory: the write, or the read, will report it
        return False


def _accumulate(parts: tuple[str, ...]) -> list[Path]:
    return [Path(*parts[: i + 1]) for i in range(len(parts))]


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows. Some file systems (network ones)
    # cannot fsync a directory: the record is written all the same.
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise _write_failure(directory, exc) from exc


# -- messages -------------------------------------------------------------------------------------------------------
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _write_failure(path: Path, exc: OSError) -> StoreError:
    where = f"{HOME_ENV} ({home()})"
    if exc.errno in _READ_ONLY:
        problem = f"{where} is read-only or not writable by you"
        remedy = f"make it writable, or point {HOME_ENV} at a writable directory"
    elif exc.errno in _FULL:
        problem = f"the disk holding {where} is full (or your quota is used up)"
        remedy = f"free some space, or point {HOME_ENV} elsewhere"
    elif exc.errno == errno.ENAMETOOLONG:
        problem = "the path is too long for the file system"
        remedy = f"choose a shorter name, or point {HOME_ENV} at a shorter directory"
    else:
        problem = exc.strerror or str(exc)
        remedy = f"check {where}, or point {HOME_ENV} elsewhere"
    return StoreError(f"Could not save {path}: {problem}. To fix it, {remedy}.", path)


def _read_failure(path: Path, exc: OSError) -> StoreError:
    if isinstance(exc, IsADirectoryError):
        return broken_record(path, "it is a directory, not a file")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StoreError(
            f"Could not read {path}: permission denied. To fix it, make it readable by you (it should be yours, "
            f"mode 0600), or point {HOME_ENV} at your own directory.",
            path,
        )
    problem = exc.strerror or str(exc)
    remedy = f"check the disk, or point {HOME_ENV} elsewhere"
    return StoreError(f"Could not read {path}: {problem}. To fix it, {remedy}.", path)


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")

