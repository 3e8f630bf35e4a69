"""The messages between the panel's browser half and ``LightspeedConnection``; mirrored in ``js/types.js``.

Custom messages (``model.send`` in the browser, ``Widget.send`` in Python) are never part of the widget state, so
nothing in them is saved with a notebook or put into a static HTML export. That is why the list of stored OAuth
clients travels here and not in a trait: a notebook shared with someone else must not carry the names and IDs of every
client on the author's machine.

Requests that expect an answer carry an ``id`` the panel chose; the answer repeats it, so each view (a notebook may
show the same panel twice) takes only its own answers. This is anywidget's invoke/command pattern, mirrored rather
than used: ``anywidget.experimental.command`` raises on an unknown command name and answers nothing when a command
fails, which would leave the panel waiting for its timeout; here every request with a usable id gets an answer. The
handlers are ``panel_messages``'s, registered by decorator; its ``REQUESTS`` and ``ONE_WAY`` are that registry's.

    {"type": "list_clients", "id"}                      ->  {"type": "list_clients_reply", "id", "ok", ...}
    {"type": "save_client", "id", "name", ...}          ->  {"type": "save_client_reply", "id", "ok", ...}
    {"type": "authorize", "id"}                         ->  {"type": "authorize_reply", "id", "ok", ...}
    {"type": "sync_start", "id", "resources", "full"}   ->  {"type": "sync_start_reply", "id", "ok", ...}
    {"type": "redirect" | "complete" | "disconnect" | "cancel", ...}   one-way, no answer
    {"type": "sync_cancel"}                             one-way; the Sync part's state comes in the ``_sync`` trait
    an unknown request with an id, or a failed handler  ->  {"type": "error_reply", "id", "ok": false, "error"}

A message that is not an object, has no usable ``id`` where one is needed, or has an unknown type without an id is
ignored (with a warning in the kernel's log), never raised.
"""

from __future__ import annotations

import re
from typing import Any, Literal, TypedDict


class ClientSummary(TypedDict):
    """What the panel may show about a stored OAuth 2.0 client: never the secret, only whether one is stored."""

    name: str
    client_id: str
    has_secret: bool


# -- requests (panel -> Python) ------------------------------------------------------------------------------------
class ListClientsRequest(TypedDict):
    type: Literal["list_clients"]
    id: str


class SaveClientRequest(TypedDict):
    type: Literal["save_client"]
    id: str
    name: str
    client_id: str
    client_secret: str
    previous_name: str | None  # the stored client being edited; None when adding one


class AuthorizeRequest(TypedDict):
    type: Literal["authorize"]
    id: str


class SyncStartRequest(TypedDict):
    """"Sync now": sync these resources (names from ``_sync["resources"]``) on a thread; ``full`` reads them whole."""

    type: Literal["sync_start"]
    id: str
    resources: list[str]
    full: bool


# -- one-way messages (panel -> Python) ---------------------------------------------------------------------------
class RedirectMessage(TypedDict):
    """What the Jupyter callback route relayed; absent query parameters are None."""

    type: Literal["redirect"]
    code: str | None
    state: str
    error: str | None
    error_description: str | None


class CompleteMessage(TypedDict):
    type: Literal["complete"]
    url: str  # the redirected URL the analyst pasted


class DisconnectMessage(TypedDict):
    type: Literal["disconnect"]


class CancelMessage(TypedDict):
    type: Literal["cancel"]  # "Cancel sign-in": forget the sign-in in progress


class SyncCancelMessage(TypedDict):
    type: Literal["sync_cancel"]  # the Sync part's "Cancel": stop the running sync, keeping what it committed


# -- replies (Python -> panel) -------------------------------------------------------------------------------------
class ListClientsReply(TypedDict):
    type: Literal["list_clients_reply"]
    id: str
    ok: Literal[True]
    clients: list[ClientSummary]
    problems: list[str]  # stored client files that could not be read: named, so the analyst can fix them


class _Reply(TypedDict):
    id: str
    ok: bool


# Keys that only some answers carry are declared with total=False (typing.NotRequired needs Python 3.11).
class SaveClientReply(_Reply, total=False):
    type: Literal["save_client_reply"]  # always present
    name: str  # ok: the stored (normalised) name, now the chosen client
    clients: list[ClientSummary]  # ok: the stored clients after the save
    problems: list[str]
    field: Literal["name", "client_id", "client_secret"] | None  # not ok: the dialog field at fault
    error: str  # not ok


class AuthorizeReply(_Reply, total=False):
    type: Literal["authorize_reply"]  # always present
    url: str  # ok: Lightspeed's authorize URL to load in the sign-in window
    error: str  # not ok: why (also shown through the `error` and `_field_errors` traits)


class SyncStartReply(_Reply, total=False):
    type: Literal["sync_start_reply"]  # always present
    error: str  # not ok: why it did not start (nothing chosen, one already running, not signed in)


# -- the Sync part's state (the ``_sync`` trait, Python -> panel) -------------------------------------------------
class SyncResource(TypedDict):
    name: str  # e.g. "Sale": a resource this sign-in's scopes can read
    summary: str  # what it holds, from the catalogue
    selected: bool  # offered ticked: the models' inputs, or what was synced last


class SyncProgress(TypedDict):
    resource: str  # the resource being read
    phase: Literal["start", "page", "end"]
    pages: int  # of this resource so far
    records: int
    total_pages: int | None  # known only when counting was cheap
    seconds_left: float | None  # this resource's pages still to come at the rate limit's bound; None when unknown
    resources_done: int
    resources_total: int
    all_pages: int  # the whole sync so far
    all_records: int


class LocalTable(TypedDict):
    table: str
    rows: int
    kind: Literal["raw", "model"]
    updated: str | None  # ISO 8601 UTC: when the sync last committed to it (or rebuilt the model)


class SyncPartState(TypedDict):
    running: bool
    cancelling: bool  # Cancel was asked for: the sync stops after the pages in hand
    resources: list[SyncResource]
    progress: SyncProgress | None  # while running
    error: str  # the last sync's (or the table listing's) error, saying what to do; "" when none
    result: str  # what the last sync did, or what a cancelled one kept
    tables: list[LocalTable]


class ErrorReply(TypedDict):
    type: Literal["error_reply"]
    id: str
    ok: Literal[False]
    error: str


# Ids come from the browser; they are echoed back only when they are short, printable and plain.
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def message_type(content: Any) -> str | None:
    kind = content.get("type") if isinstance(content, dict) else None
    return kind if isinstance(kind, str) else None


def request_id(content: Any) -> str | None:
    """The request's id when it is one the panel could have made, else None."""
    value = content.get("id") if isinstance(content, dict) else None
    return value if isinstance(value, str) and _ID.match(value) else None


def error_reply(id_: str, message: str) -> ErrorReply:
    return {"type": "error_reply", "id": id_, "ok": False, "error": message}

