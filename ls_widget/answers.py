"""Reading answers nobody should trust: how an unexpected body is quoted in an error message.

A captive portal, a proxy or a broken server can answer anything, and the error message that says so is read by a
person (and may be pasted into a bug report): it quotes the first characters of the answer, printable, with every
secret blanked (token, code, client secret), and never reads more than it needs.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx

# How many characters of an unexpected answer an error message quotes.
EXCERPT = 200
# Longer text than this is cut before any further work (a description, a pasted address).
MAX_PASTE = 64 * 1024
# An OAuth error code as servers send it ("invalid_grant"). Anything else is not trusted as ``.error``, which the
# panel compares against known codes.
ERROR_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
# Values of these fields are blanked wherever they appear in an answer quoted in a message, JSON or form-encoded:
# "access_token": "...", refresh_token=..., "code": [...]. A quoted value may be cut off by the size limit.
SECRET_FIELD = re.compile(
    r"""(?<![\w-])((?:access|refresh|id)_token|client_secret|code_verifier|code)(["']?\s*[:=]\s*)"""
    r"""("(?:[^"\\]|\\.)*"?|'[^']*'?|\[[^\]]*\]?|\{[^}]*\}?|[^\s&,;}\]"']+)""",
    re.IGNORECASE,
)
HIDDEN = "[hidden]"


def excerpt(response: "httpx.Response", hide: Iterable[str | None] = ()) -> str:
    """The first characters of an answer's body, printable and with secrets blanked ("<empty>" when there is none)."""
    try:
        body = response.content
    except Exception:  # noqa: BLE001 - a body that cannot even be read is described, not raised
        return "<unreadable>"
    return printable(redact(body[: MAX_PASTE].decode("utf-8", "replace"), hide)) or "<empty>"


def quote_start(body: bytes, hide: Iterable[str | None]) -> str:
    """How a message shows an unexpected answer: its first characters, printable, with every secret blanked."""
    text = printable(redact(body.decode("utf-8", "replace"), hide))
    return f'The answer began: "{text}".' if text else "The answer was empty."


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` (not JSON, not an object, not UTF-8, or absurdly nested)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def oauth_error(data: dict[str, Any] | None, hide: Iterable[str | None]) -> tuple[str, str]:
    """A well-formed OAuth ``error`` code (else "") and its printable description (``error_description``, Lightspeed's
    ``hint`` or ``message``), with secrets blanked."""
    if data is None:
        return "", ""
    error = data.get("error")
    error = error if isinstance(error, str) and ERROR_CODE.fullmatch(error) else ""
    for key in ("error_description", "hint", "message"):
        description = data.get(key)
        if isinstance(description, str) and description.strip():
            return error, printable(redact(description[:MAX_PASTE], hide))
    return error, ""


def redact(text: str, hide: Iterable[str | None]) -> str:
    # Blanked in the whole text before it is cut, so a secret cannot survive half-cut at the end of the excerpt.
    text = SECRET_FIELD.sub(lambda match: f"{match.group(1)}{match.group(2)}{HIDDEN}", text)
    variants = set()
    for secret in hide:
        if isinstance(secret, str) and len(secret) >= 4:  # shorter is no secret, and blanking it would garble the text
            variants.update({secret, quote(secret, safe="", errors="surrogatepass"), json.dumps(secret)[1:-1]})
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, HIDDEN)
    return text


def printable(text: str, limit: int = EXCERPT) -> str:
    """At most ``limit`` characters, whitespace runs collapsed and control characters shown as spaces."""
    head = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4])
    head = " ".join(head.split())
    return head if len(head) <= limit and len(text) <= limit * 4 else head[:limit] + "…"
