"""Private, atomic JSON files under ``LS_WIDGET_HOME``: how ls_widget reads and writes every file it stores.

Writes: directories are 0700 and files 0600 from the moment they exist, so a secret is never briefly
world-readable. A record goes to a temporary file in the same directory, is fsynced and then renamed over the old
file, so a crash leaves either the old or the new record, never half of one (and the temporary file, which the next
write into that directory sweeps away).

Reads never write: reading creates nothing and changes no mode, so a read-only home can still be used. Whatever
goes wrong with a file (unreadable, not UTF-8, not JSON, a disk that refuses a write) becomes a ``StoreError`` that
names the file and says what to do; nothing else escapes because of what is on disk. What a file means (a client,
a connection, a sign-in) is ``store.RecordStore``'s business, not this module's.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import platformdirs

from ..errors import StoreError

HOME_ENV = "LS_WIDGET_HOME"
SUFFIX = ".json"
_TEMP_PREFIX = ".tmp-"
# A write holds its temporary file for milliseconds; one this old was left by a crash. Generous, so that a slow
# writer in another process (a network home) never loses its file.
STALE_TEMP_SECONDS = 15 * 60
# Records are a few hundred bytes; refusing anything big keeps a hostile or mistaken file from filling memory.
_MAX_RECORD_BYTES = 1 << 20
# What to do about a broken file when the caller knows nothing better. Shown after "To fix it, ".
DEFAULT_REMEDY = "move it out of the way or delete it"


def home() -> Path:
    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("ls_widget", False))


# -- reading --------------------------------------------------------------------------------------------------------
def read_json(path: Path, remedy: str = DEFAULT_REMEDY) -> Any:
    """The JSON value in ``path``.

    Raises ``FileNotFoundError`` when there is no such file, and ``StoreError`` when it cannot be read or is not
    a JSON document (binary, truncated, empty, not a regular file, too large); ``remedy`` says what to do then.
    """
    path = Path(path)
    try:
        # O_NONBLOCK: a named pipe put in the store must not hang the kernel; it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise read_failure(path, exc, remedy) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # a directory, a pipe, a device
            raise broken_record(path, "it is a directory" if stat.S_ISDIR(mode) else "it is not a regular file",
                                remedy)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(_MAX_RECORD_BYTES + 1)
    except StoreError:
        raise
    except OSError as exc:
        raise read_failure(path, exc, remedy) from exc
    finally:
        os.close(fd)
    if len(raw) > _MAX_RECORD_BYTES:
        raise broken_record(path, "it is far larger than any record ls_widget writes", remedy)
    if not raw.strip():
        raise broken_record(path, "it is empty", remedy)
    try:
        text = raw.decode("utf-8-sig")  # a BOM, as Windows Notepad writes, is harmless
    except UnicodeDecodeError:
        raise broken_record(path, "it is not text (binary data, or text that is not UTF-8)", remedy) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        problem = f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        raise broken_record(path, problem, remedy) from None
    except (ValueError, RecursionError):  # NaN/Infinity, a number too long to parse, absurd nesting
        raise broken_record(path, "it is not a JSON record ls_widget can read", remedy) from None


def broken_record(path: Path, problem: str, remedy: str = DEFAULT_REMEDY) -> StoreError:
    """The error for a stored file that cannot be used: ``problem`` says why ("it is empty"), ``remedy`` what to do
    ("delete it and sign in again"). Returned, for the caller to raise."""
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
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=SUFFIX, dir=path.parent)  # created 0600
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


def delete_file(path: Path) -> None:
    """Delete ``path`` (nothing happens when it is not there). ``StoreError`` when the disk refuses."""
    try:
        Path(path).unlink(missing_ok=True)
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


def exists(path: Path) -> bool:
    """Whether ``path`` exists; an unreadable directory counts as no (the read, or the write, will say why)."""
    try:
        return path.exists()
    except OSError:
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


def read_failure(path: Path, exc: OSError, remedy: str = DEFAULT_REMEDY) -> StoreError:
    if isinstance(exc, IsADirectoryError):
        return broken_record(path, "it is a directory, not a file", remedy)
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


def json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")

