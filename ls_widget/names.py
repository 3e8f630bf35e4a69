"""Record names (of connections and OAuth clients): the one normalisation, and how a name becomes a file name.

Every name the package stores passes through ``normalize_name`` first, so that "  Downtown " typed in the panel,
"Downtown" passed in Python and the same word typed on a keyboard that produces decomposed accents all reach the
same record. It returns a ``Name``, the proof that this was done: handed a ``Name`` again it returns it as it is,
so a name is normalised once where it enters (a panel field, a public call, a file name read from disk) however
many layers it then passes through. ``file_stem`` turns a normalised name into the file name (without ``.json``)
it is stored under: percent-encoding keeps it reversible and valid on every common file system, Windows included.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote

from .errors import ConfigurationError

MAX_CHARS = 100  # also the panel's limit: scripts/panel_fixture.py writes it into js/constants.js
# A file name holds at most 255 bytes on every common file system. The stem gets ".json" appended, and the token
# store puts a lock file "<stem>.json.lock" beside its record: the longest of the two must fit.
MAX_STEM_BYTES = 255 - len(".json.lock")

# Control characters, lone surrogates (they cannot be encoded to a file name at all) and the line/paragraph
# separators, which look like a line break in the panel.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
# Windows refuses these as file names whatever the extension ("con.txt.json" is the console): always, not only on
# Windows, so that a store copied or synced to a Windows machine still works.
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
    + [f"{port}{i}" for port in ("com", "lpt") for i in range(10)]
)
_EXAMPLES = {"OAuth 2.0 client": "Reporting notebook"}


class Name(str):
    """A name ``normalize_name`` accepted: text like any other, which is not normalised again.

    Made only by ``normalize_name`` (and ``name_from_stem``, which goes through it).
    """

    __slots__ = ()


def normalize_name(value: object, what: str = "connection") -> Name:
    """``value`` as the canonical name of a ``what`` (e.g. "connection", "OAuth 2.0 client").

    Text only; surrounding whitespace removed; Unicode NFC; no control characters or line breaks; 1 to 100
    characters; short enough to be a file name. Raises ``ConfigurationError`` saying what to change.
    """
    if type(value) is Name:  # normalised already (a subclass could have changed what the text says)
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        example = _EXAMPLES.get(what, "Downtown store reports")
        raise ConfigurationError(f"Give the {what} a name, e.g. {example!r}.")
    if not isinstance(value, str):
        raise ConfigurationError(f"The {what} name must be text, not {type(value).__name__}.")
    # Forbidden characters first: NFC would fail on a lone surrogate with a less helpful error.
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in value.strip()):
        raise ConfigurationError(f"The {what} name cannot contain control characters or line breaks.")
    name = unicodedata.normalize("NFC", value.strip())
    if len(name) > MAX_CHARS:
        raise ConfigurationError(f"The {what} name is too long: keep it under {MAX_CHARS} characters.")
    if len(file_stem(name)) > MAX_STEM_BYTES:  # the stem is ASCII: characters are bytes
        raise ConfigurationError(
            f"The {what} name {name[:24]!r}… is too long to store as a file name (each non-Latin character "
            f"counts up to 12 times): shorten it."
        )
    return Name(name)


def file_stem(name: str) -> str:
    """The file name (without ``.json``) of the normalised ``name``: ASCII, reversible, valid on Windows.

    Names of letters, digits, spaces, ``-_.~`` keep exactly the stem earlier versions used, so existing files are
    found; only what would be invalid or special somewhere is escaped.
    """
    stem = legacy_file_stem(name)
    # Windows device names, with any extension and trailing spaces ("NUL .txt"): escape the first letter.
    if stem.split(".", 1)[0].rstrip(" ").casefold() in _WINDOWS_DEVICES:
        stem = _escape(stem[0]) + stem[1:]
    # Windows silently drops a trailing dot or space, which would merge "Store." with "Store".
    if stem.endswith((".", " ")):
        stem = stem[:-1] + _escape(stem[-1])
    return stem


def legacy_file_stem(name: str) -> str:
    """The stem versions before 0.2 wrote: percent-encoding, and a leading dot escaped (it would hide the file)."""
    stem = quote(name, safe=" -_")  # quote() always keeps letters, digits and "_.-~"; <>:"/\|?* and % are escaped
    return "%2E" + stem[1:] if stem.startswith(".") else stem


def name_from_stem(stem: str) -> Name | None:
    """The name stored under ``stem``, or ``None`` when no name is stored there (a file someone else made)."""
    try:
        decoded = unquote(stem, errors="strict")
        name = normalize_name(decoded)
    except (UnicodeDecodeError, ConfigurationError):
        return None
    if name != decoded:
        return None
    return name if stem in (file_stem(name), legacy_file_stem(name)) else None


def _escape(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))
