"""Where ls_widget keeps its records: one ``RecordStore`` per kind, one JSON file per name.

Everything lives under ``LS_WIDGET_HOME`` (default: the platform's user data directory), in one directory per kind
of record: ``clients/``, ``connections/`` and ``tokens/``, each file named after its record (see ``names``). The
files themselves are private and atomic (``storage.files``); a record's secret fields stay in its file (0600) or,
with ``LS_WIDGET_SECRETS=keyring``, go to the system keyring with a marker left in the file
(``storage.persistence``). A store knows what its records are called and what to do about a broken one, so every
``StoreError`` names the file and the remedy for that kind.

Names enter a store through ``normalize_name`` (a ``Name`` passes straight through). Reads never write.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any, Callable, TypeVar

from .errors import ConfigurationError, StoreError
from .names import Name, file_stem, legacy_file_stem, name_from_stem, normalize_name
from .storage import persistence
from .storage.files import (  # noqa: F401  (home, HOME_ENV and private_dir are this module's to others too)
    DEFAULT_REMEDY,
    HOME_ENV,
    STALE_TEMP_SECONDS,
    SUFFIX,
    broken_record,
    delete_file,
    exists,
    home,
    json_type,
    private_dir,
    read_failure,
    read_json,
    sweep_temp_files,
    write_json,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# A secret kept outside its record file is replaced, in the file, by this marker: {"stored_in": "keyring",
# "service": ..., "entry": ...}. Each write files the secret under a new entry, so the file never points at a
# secret another write is halfway through replacing.
_STORED_IN = "stored_in"
# A reader may find the file pointing at an entry that a writer retired a moment later (writers hold no lock
# against readers): it reads the file again, this many times at most, before calling the entry missing.
_READ_ATTEMPTS = 3


class RecordStore:
    """The records of one kind: ``home()/<kind>/<file stem>.json``, a JSON object each.

    ``what`` names a record in messages ("OAuth 2.0 client"); ``remedy`` says what to do about a broken file
    (shown after "To fix it, "); ``secret_fields`` are the fields that may live in the keyring instead of the file.
    """

    def __init__(self, kind: str, what: str = "record", remedy: str = DEFAULT_REMEDY,
                 secret_fields: tuple[str, ...] = ()) -> None:
        self.kind, self.what, self.remedy, self.secret_fields = kind, what, remedy, secret_fields

    def __repr__(self) -> str:
        return f"RecordStore({self.kind!r})"

    @property
    def directory(self) -> Path:
        return home() / self.kind

    def name(self, value: object) -> Name:
        """``value`` as the name of one of these records; ``ConfigurationError`` when it cannot be one."""
        return normalize_name(value, self.what)

    # -- where, and which -------------------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """File of the record ``name``. Raises ``ConfigurationError`` for a name that cannot be stored. Pure."""
        name = self.name(name)
        path = self.directory / (file_stem(name) + SUFFIX)
        legacy = self.directory / (legacy_file_stem(name) + SUFFIX)
        # Names Windows would mangle ("con", "Store.") are now escaped; a record an earlier version stored under the
        # old spelling stays where it is and keeps being used.
        if legacy != path and not exists(path) and exists(legacy):
            return legacy
        return path

    def names(self) -> list[Name]:
        """The stored names, sorted case-insensitively.

        Files the store did not write (temporary files, lock files, names that do not decode) are skipped; a record
        whose *content* is broken is still listed, so that loading it explains the problem.
        """
        try:
            entries = [entry.name for entry in os.scandir(self.directory)]
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise read_failure(self.directory, exc) from exc
        found = set()
        for file_name in entries:
            if file_name.startswith(".") or not file_name.endswith(SUFFIX):
                continue
            name = name_from_stem(file_name[: -len(SUFFIX)])
            if name is None:  # e.g. "Shop (copy).json" from a file manager: no name is stored under it
                log.debug("ls_widget: ignored %s, a file ls_widget did not write", self.directory / file_name)
                continue
            found.add(name)
        return sorted(found, key=lambda n: (n.casefold(), n))

    def conflict(self, name: str) -> Name | None:
        """The stored name a *new* record ``name`` would collide with on a case-insensitive file system, or ``None``.

        Windows and macOS store "Store" and "store" in one file, so the second would silently replace the first.
        Compared by ``casefold``, which also covers every pair whose file stems differ only in letter case (stems
        are ASCII). A name that is itself stored is never a conflict (saving it again updates it).
        """
        name = self.name(name)
        stored = self.names()
        if name in stored:
            return None
        return next((other for other in stored if other.casefold() == name.casefold()), None)

    # -- reading ----------------------------------------------------------------------------------------------------
    def read(self, name: str) -> dict[str, Any] | None:
        """The record ``name`` with its secrets in place, or ``None`` when there is none.

        Raises ``StoreError`` when the file cannot be read or does not hold a JSON object, and when a secret it
        marks as kept in the keyring cannot be read from there (missing, or the keyring unreachable).
        """
        name = self.name(name)
        seen: dict[str, str] | None = None
        for attempt in range(1, _READ_ATTEMPTS + 1):
            path = self.path(name)
            record = self._read_file(path)
            if record is None:
                return None
            markers = self._markers(path, record)
            if not markers:
                return record
            try:
                return {**record, **self._load_secrets(path, markers)}
            except _MissingSecret as missing:
                # Read the file again if it changed: a writer may have moved the secret to a new entry meanwhile.
                if markers == seen or attempt == _READ_ATTEMPTS:
                    raise self._missing(path, missing.field, missing.where) from None
                seen = markers
        raise AssertionError("unreachable")

    def read_without_secrets(self, name: str) -> tuple[dict[str, Any], set[str]] | None:
        """The record ``name`` without its secret fields, and which of them it holds (in the file or the keyring);
        ``None`` when there is none. The keyring is never asked: listing what is stored must not unlock it (macOS
        asks the user once per entry). ``StoreError`` as ``read()`` for the file, and for a marker ls_widget did not
        write."""
        path = self.path(self.name(name))
        record = self._read_file(path)
        if record is None:
            return None
        held = set(self._markers(path, record))
        for field in self.secret_fields:
            value = record.get(field)
            if value is not None and not isinstance(value, (str, dict)):
                raise broken_record(path, f"its {field!r} is not text", self.remedy)
            if isinstance(value, str) and value.strip():
                held.add(field)
        return {key: value for key, value in record.items() if key not in self.secret_fields}, held

    def load(self, name: str, parse: Callable[[dict[str, Any], Name], T], missing: Callable[[Name], Exception]) -> T:
        """The record ``name`` as ``parse(record, name)`` makes it; raises ``missing(name)`` when there is none."""
        name = self.name(name)
        record = self.read(name)
        if record is None:
            raise missing(name)
        return parse(record, name)

    def stored_name(self, name: str, record: dict[str, Any]) -> Name:
        """The display name of the record read as ``name``: its ``"name"`` field when that is the same name up to
        case (a case-insensitive file system finds "Reports.json" for "reports"), else ``name`` itself: the file
        decides which record it is, so a copied or renamed file is the record its file name says.

        Raises ``StoreError`` when the ``"name"`` field is there but not text.
        """
        name = self.name(name)
        field = record.get("name", name)
        if not isinstance(field, str):
            raise self.broken(name, 'its "name" is not text')
        try:
            field = normalize_name(field)  # what a file holds enters here: it is normalised like any input
        except ConfigurationError:
            return name
        same_file = file_stem(field).lower() == file_stem(name).lower()  # stems are ASCII
        return field if same_file else name

    def broken(self, name: str, problem: str) -> StoreError:
        """The error for the record ``name`` whose file cannot be used (``problem``: "it has no \"client_id\"")."""
        return broken_record(self.path(name), problem, self.remedy)

    # -- writing ----------------------------------------------------------------------------------------------------
    def write(self, name: str, record: dict[str, Any]) -> Path:
        """Atomically replace the record ``name``; returns its file.

        With ``LS_WIDGET_SECRETS=keyring`` each secret field goes to the keyring first, under a new entry, then the
        file (with markers) replaces the old one, then the entries the old file pointed at are deleted: at every
        moment the file on disk and what it points at agree. A secret the old file kept in the keyring comes back
        into the file when the setting is ``file``. ``StoreError`` when the disk or the keyring refuses; the old
        record is then left as it was.
        """
        name = self.name(name)
        path = self.path(name)
        old_entries = self._entries_of(path)
        target = persistence.for_writing()
        data, new_entries = dict(record), []
        try:
            for field in self.secret_fields:
                if target is not None and isinstance(data.get(field), str):
                    key = f"{self.kind}/{file_stem(name)}/{field}/{secrets.token_hex(8)}"
                    self._call(path, f"save the {_spoken(field)} in", target.describe(key),
                               lambda: target.save(key, data[field]))
                    new_entries.append(key)
                    data[field] = {_STORED_IN: "keyring", "service": target.service, "entry": key}
            write_json(path, data)
        except BaseException:
            self._forget(new_entries)  # the file still points at the old entries: the new ones serve nobody
            raise
        self._forget(old_entries)
        return path

    def delete(self, name: str) -> None:
        """Delete the record ``name`` and the secrets it keeps in the keyring (nothing happens when there is none).

        ``StoreError`` when the disk refuses. The file goes first: a keyring entry left behind by a failure is
        only unused, whereas a file pointing at a deleted entry would be a broken record.
        """
        path = self.path(name)
        entries = self._entries_of(path)
        delete_file(path)
        self._forget(entries)

    # -- secrets kept elsewhere -------------------------------------------------------------------------------------
    def _read_file(self, path: Path) -> dict[str, Any] | None:
        try:
            data = read_json(path, self.remedy)
        except FileNotFoundError:
            return None
        if not isinstance(data, dict):
            raise broken_record(path, f"it holds a JSON {json_type(data)} instead of an object", self.remedy)
        return data

    def _markers(self, path: Path, record: dict[str, Any]) -> dict[str, str]:
        """The secret fields of ``record`` kept in the keyring: field -> entry. ``StoreError`` for a bad marker."""
        markers = {}
        for field in self.secret_fields:
            value = record.get(field)
            if not isinstance(value, dict):
                continue  # the secret itself (or nothing): whoever reads the record checks it
            entry, service = value.get("entry"), value.get("service")
            if value.get(_STORED_IN) != "keyring" or service != persistence.SERVICE or not isinstance(entry, str):
                raise broken_record(path, f"its {field!r} is neither text nor a keyring marker ls_widget wrote",
                                    self.remedy)
            markers[field] = entry
        return markers

    def _load_secrets(self, path: Path, markers: dict[str, str]) -> dict[str, str]:
        source = persistence.for_reading()
        found = {}
        for field, key in markers.items():
            secret = self._call(path, f"read the {_spoken(field)} from", source.describe(key), lambda: source.load(key))
            if not isinstance(secret, str) or not secret:
                raise _MissingSecret(field, source.describe(key))
            found[field] = secret
        return found

    def _entries_of(self, path: Path) -> list[str]:
        """The keyring entries the file at ``path`` points at now (none when it is missing or unreadable)."""
        try:
            record = self._read_file(path)
            return list(self._markers(path, record).values()) if record else []
        except StoreError:
            return []  # a broken file being replaced: what it pointed at cannot be known

    def _forget(self, entries: list[str]) -> None:
        """Delete keyring entries nothing points at any more. Best effort: one left behind is unused, not lost."""
        if not entries:
            return
        source = persistence.for_reading()
        for key in entries:
            try:
                source.delete(key)
            except persistence.SecretUnavailable as exc:
                log.warning("ls_widget: could not delete the unused keyring entry %r: %s", key, exc.reason)

    def _call(self, path: Path, doing: str, where: str, action):
        try:
            return action()
        except persistence.SecretUnavailable as exc:
            raise StoreError(
                f"Could not {doing} {where} for {path}: {exc.reason}. To fix it, make the keyring available "
                f"({persistence.INSTALL_HINT}, and unlock it), or unset {persistence.SECRETS_ENV} to keep new secrets "
                f"in 0600 files; if the secret is lost, {self.remedy}.", path
            ) from None

    def _missing(self, path: Path, field: str, where: str) -> StoreError:
        return StoreError(
            f"The stored file {path} says its {_spoken(field)} is kept in {where}, but the keyring has no such "
            f"entry (deleted, or the file comes from another computer or user). To fix it, {self.remedy}.", path
        )


def _spoken(field: str) -> str:
    return field.replace("_", " ")


class _MissingSecret(Exception):
    def __init__(self, field: str, where: str) -> None:
        super().__init__(field)
        self.field, self.where = field, where


# -- records by directory name (for tools and tests that name a kind; the package uses its RecordStores) ------------
def record_path(kind: str, name: str) -> Path:
    """File of the record ``name`` in the directory ``kind``: ``RecordStore(kind).path(name)``."""
    return RecordStore(kind).path(name)


def record_names(kind: str) -> list[Name]:
    """The names stored in the directory ``kind``: ``RecordStore(kind).names()``."""
    return RecordStore(kind).names()
