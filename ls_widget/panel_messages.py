"""What the panel's browser half says to Python, and the answers: ``PanelController``, which ``LightspeedConnection``
holds (composed, not mixed in: it sees only what ``Panel`` below names).

Each message type has one handler here, registered by decorator (anywidget's ``command`` pattern, see
``panel_protocol`` for why it is mirrored rather than used): ``@request("list_clients")`` for a request, whose handler
returns the ``<type>_reply`` sent back with the request's ``id``; ``@one_way("cancel")`` for a message that gets no
answer. ``REQUESTS`` and ``ONE_WAY`` below are this registry's message types; ``panel_protocol`` has the shapes
(``js/types.js`` mirrors both, and tests/test_panel.py checks that it does).

Nothing here ever raises into the comm: a malformed message is ignored with a warning (so is a request without a
usable id: its answer could find no view, and doing the work anyway would start a sign-in nobody waits for); an
unknown type with an id gets an ``error_reply``; a handler that fails answers with an ``error_reply`` and leaves the
traceback in the kernel's log, not in the panel.

The controller holds no state and no rule of its own: it turns messages into calls on the panel's ``Connection``
(which owns the rules), the panel and its Sync part, and their outcomes into replies.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .clients import OAuthClient, client_from_dialog, error_field, read_client_summaries
from .errors import LightspeedError
from .panel_protocol import (
    AuthorizeReply,
    ClientSummary,
    ListClientsReply,
    SaveClientReply,
    SyncStartReply,
    error_reply,
    message_type,
    request_id,
)

if TYPE_CHECKING:
    from .connection import Connection
    from .panel_sync import PanelSync

log = logging.getLogger("ls_widget.panel")

# The registry: message type -> handler. A request's handler takes (controller, content, id) and returns its reply;
# a one-way handler takes (controller, content).
_Handler = Callable[..., Any]
_REQUEST_HANDLERS: dict[str, _Handler] = {}
_ONE_WAY_HANDLERS: dict[str, _Handler] = {}


def request(kind: str) -> Callable[[_Handler], _Handler]:
    """Register the handler of the request ``kind``: it returns the reply, sent with the request's id."""
    return _registering(kind, _REQUEST_HANDLERS)


def one_way(kind: str) -> Callable[[_Handler], _Handler]:
    """Register the handler of the one-way message ``kind`` (no answer)."""
    return _registering(kind, _ONE_WAY_HANDLERS)


def _registering(kind: str, registry: dict[str, _Handler]) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        if kind in _REQUEST_HANDLERS or kind in _ONE_WAY_HANDLERS:  # one handler per type, whatever its kind
            raise ValueError(f"the panel message {kind!r} already has a handler")
        registry[kind] = handler
        return handler

    return register


class Panel(Protocol):
    """What the controller uses of ``LightspeedConnection``."""

    @property
    def connection(self) -> Connection: ...

    def authorization_url(self) -> str: ...

    def disconnect(self) -> None: ...

    def send(self, content: Any, buffers: Any = None) -> None: ...


class PanelController:
    """Answers one panel's messages. ``show_connection()`` draws the connection's state again in the panel."""

    def __init__(self, panel: Panel, sync: PanelSync, show_connection: Callable[[], None]) -> None:
        self._panel = panel
        self._sync = sync
        self._show_connection = show_connection

    def handle(self, _widget: object, content: Any, _buffers: object) -> None:
        """The comm's callback for custom messages (``Widget.on_msg``)."""
        kind, id_ = message_type(content), request_id(content)
        is_request = kind in _REQUEST_HANDLERS
        if is_request and id_ is None:
            log.warning("ls_widget: ignored a %r request without a usable id", kind)
            return
        if not is_request and kind not in _ONE_WAY_HANDLERS:
            log.warning("ls_widget: ignored a panel message of unknown type %r", kind)
            if id_ is not None:
                what = f"the request {kind!r}" if kind else "a request without a type"
                self._panel.send(error_reply(id_, f"Python does not know {what}: are both halves the same ls_widget?"))
            return
        try:
            if is_request:
                self._panel.send(_REQUEST_HANDLERS[kind](self, content, id_))
            else:
                _ONE_WAY_HANDLERS[kind](self, content)
        except Exception:  # a bug must not leave the panel waiting, nor print a traceback into someone's cell
            log.exception("ls_widget: the panel's %r message failed", kind)
            if id_ is not None:
                self._panel.send(error_reply(id_, "Python could not handle this; the kernel's log has the details."))

    # -- requests: each returns its reply ---------------------------------------------------------------------------
    @request("list_clients")
    def list_clients(self, _content: dict, id_: str) -> ListClientsReply:
        """The stored clients, for this view only (never in a trait). A broken client file is named; the others
        still load."""
        clients, problems = _stored_clients()
        self._show_connection()  # the chosen client may have been edited elsewhere since the panel drew it
        return {"type": "list_clients_reply", "id": id_, "ok": True, "clients": clients, "problems": problems}

    @request("save_client")
    def save_client(self, content: dict, id_: str) -> SaveClientReply:
        """The client dialog's "Save client": store it (an edit may rename it) and choose it."""
        previous = content.get("previous_name") or None
        try:
            client = client_from_dialog(content, previous)
            # Chosen as an object: the connection stores it, and shows its data even when only its ID changed.
            self._panel.connection.oauth_client = client
            if previous and previous != client.name:
                OAuthClient.delete(previous)
        except LightspeedError as exc:  # a bad field; a read-only or full home; a case clash found at the last moment
            return {"type": "save_client_reply", "id": id_, "ok": False, "field": error_field(exc), "error": str(exc)}
        clients, problems = _stored_clients()
        return {"type": "save_client_reply", "id": id_, "ok": True, "name": client.name, "clients": clients,
                "problems": problems}

    @request("authorize")
    def authorize(self, _content: dict, id_: str) -> AuthorizeReply:
        """"Save and authorize": the URL for the panel's sign-in window, or why not (the panel closes its window)."""
        connection = self._panel.connection
        try:
            url = self._panel.authorization_url()
        except LightspeedError as exc:
            if connection.field_errors:  # the form is incomplete: `_field_errors` shows each problem, `error` sums up
                return {"type": "authorize_reply", "id": id_, "ok": False, "error": connection.error}
            connection.fail(exc)
            return {"type": "authorize_reply", "id": id_, "ok": False, "error": str(exc)}
        return {"type": "authorize_reply", "id": id_, "ok": True, "url": url}

    @request("sync_start")
    def sync_start(self, content: dict, id_: str) -> SyncStartReply:
        """Start a sync on a thread of its own (the notebook stays usable); progress and the outcome come in the
        ``_sync`` trait. The reply only says whether it started."""
        refused = self._sync.start(content.get("resources"), content.get("full") is True)
        if refused:
            return {"type": "sync_start_reply", "id": id_, "ok": False, "error": refused}
        return {"type": "sync_start_reply", "id": id_, "ok": True}

    # -- one-way -------------------------------------------------------------------------------------------------
    @one_way("redirect")
    def redirect(self, content: dict) -> None:
        """``{code, state}`` or ``{error, error_description, state}`` relayed by the Jupyter callback route."""
        fields = {key: _text(content.get(key)) for key in ("code", "state", "error", "error_description")}
        self._complete(**fields)

    @one_way("complete")
    def complete(self, content: dict) -> None:
        """The redirected URL the analyst pasted."""
        self._complete(redirected_url=_text(content.get("url")) or "")

    @one_way("disconnect")
    def disconnect(self, _content: dict) -> None:
        self._panel.disconnect()

    @one_way("cancel")
    def cancel(self, _content: dict) -> None:
        """"Cancel sign-in": forget the sign-in in progress."""
        self._panel.connection.cancel_sign_in()

    @one_way("sync_cancel")
    def sync_cancel(self, _content: dict) -> None:
        """The Sync part's "Cancel": the sync stops after the pages in hand, keeping what it committed."""
        self._sync.cancel()

    def _complete(self, **redirect: str | None) -> None:
        try:
            self._panel.connection.complete(**redirect)
        except LightspeedError:
            pass  # shown in the panel through `status` and `error`


REQUESTS = frozenset(_REQUEST_HANDLERS)
ONE_WAY = frozenset(_ONE_WAY_HANDLERS)


def _stored_clients() -> tuple[list[ClientSummary], list[str]]:
    summaries, problems = read_client_summaries()
    return summaries, [str(problem) for problem in problems]  # type: ignore[return-value]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
