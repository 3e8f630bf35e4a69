"""What the panel's browser half says to Python, and the answers: the message handling of ``LightspeedConnection``.

The shapes are in ``panel_protocol`` (and ``js/types.js``). In short: ``list_clients``, ``save_client``,
``authorize`` and ``sync_start`` are requests answered by a ``<type>_reply`` with the request's ``id``; ``redirect``,
``complete``, ``disconnect``, ``cancel`` and ``sync_cancel`` are one-way. Nothing here ever raises into the comm: a malformed message is ignored with a warning, and
a request whose handler fails gets an ``error_reply`` (the traceback goes to the kernel's log, not to the panel).
"""

from __future__ import annotations

import logging
from typing import Any

from .clients import OAuthClient, client_from_dialog, error_field, read_client_summaries
from .errors import LightspeedError
from .panel_protocol import (
    ONE_WAY,
    AuthorizeReply,
    ClientSummary,
    ListClientsReply,
    SaveClientReply,
    SyncStartReply,
    error_reply,
    message_type,
    request_id,
)

log = logging.getLogger("ls_widget.panel")


class PanelMessages:
    """Mixed into ``LightspeedConnection``: dispatches ``model.send`` messages to the connection's own methods."""

    def _on_panel_message(self, _widget, content: Any, _buffers) -> None:
        kind, id_ = message_type(content), request_id(content)
        requests = {
            "list_clients": self._list_clients_request,
            "save_client": self._save_client_request,
            "authorize": self._authorize_request,
            "sync_start": self._sync_start_request,
        }
        one_way = {
            "redirect": self._redirect_from_panel,
            "complete": self._paste_from_panel,
            "disconnect": lambda _content: self.disconnect(),
            "cancel": lambda _content: self._connection.cancel_sign_in(),
            "sync_cancel": lambda _content: self._sync_part.cancel(),
        }
        if kind in requests and id_ is None:
            # Without an id the answer could not find the view that asked; doing the work anyway would start a
            # sign-in (or save a client) that no view is waiting for.
            log.warning("ls_widget: ignored a %r request without a usable id", kind)
            return
        if kind not in requests and kind not in ONE_WAY:
            log.warning("ls_widget: ignored a panel message of unknown type %r", kind)
            if id_ is not None:
                what = f"the request {kind!r}" if kind else "a request without a type"
                self.send(error_reply(id_, f"Python does not know {what}: are both halves the same ls_widget?"))
            return
        try:
            if kind in requests:
                self.send(requests[kind](content, id_))
            else:
                one_way[kind](content)
        except Exception:  # a bug must not leave the panel waiting, nor print a traceback into someone's cell
            log.exception("ls_widget: the panel's %r message failed", kind)
            if id_ is not None:
                self.send(error_reply(id_, "Python could not handle this; the kernel's log has the details."))

    # -- requests: each returns its reply ---------------------------------------------------------------------------
    def _list_clients_request(self, _content: dict, id_: str) -> ListClientsReply:
        """The stored clients, for this view only. A broken client file is named; the others still load."""
        clients, problems = self._stored_clients()
        self._update_client()  # the chosen client may have been edited elsewhere since the panel drew it
        return {"type": "list_clients_reply", "id": id_, "ok": True, "clients": clients, "problems": problems}

    def _save_client_request(self, content: dict, id_: str) -> SaveClientReply:
        previous = content.get("previous_name") or None
        try:
            client = client_from_dialog(content, previous)
            client.save()
            if previous and previous != client.name:
                OAuthClient.delete(previous)
        except LightspeedError as exc:  # a bad field; a read-only or full home; a case clash found at the last moment
            return {"type": "save_client_reply", "id": id_, "ok": False, "field": error_field(exc), "error": str(exc)}
        self.oauth_client = client.name
        self._update_client()  # the same name with a new client ID changes no trait: refresh the display data
        clients, problems = self._stored_clients()
        return {"type": "save_client_reply", "id": id_, "ok": True, "name": client.name, "clients": clients,
                "problems": problems}

    def _authorize_request(self, _content: dict, id_: str) -> AuthorizeReply:
        errors = self.validation_errors()
        self._field_errors = errors
        if errors:
            count = len(errors)
            summary = f"Fix {count} field{'' if count == 1 else 's'} before authorizing."
            self.set_trait("error", summary)
            return {"type": "authorize_reply", "id": id_, "ok": False, "error": summary}  # the panel closes its popup
        try:
            url = self.authorization_url()
        except LightspeedError as exc:
            self._fail(exc)
            return {"type": "authorize_reply", "id": id_, "ok": False, "error": str(exc)}
        return {"type": "authorize_reply", "id": id_, "ok": True, "url": url}

    def _sync_start_request(self, content: dict, id_: str) -> SyncStartReply:
        """Start a sync on a thread of its own (the notebook stays usable); progress and the outcome come in the
        ``_sync`` trait. The reply only says whether it started."""
        refused = self._sync_part.start(content.get("resources"), content.get("full") is True)
        if refused:
            return {"type": "sync_start_reply", "id": id_, "ok": False, "error": refused}
        return {"type": "sync_start_reply", "id": id_, "ok": True}

    # -- one-way -------------------------------------------------------------------------------------------------
    def _redirect_from_panel(self, content: dict) -> None:
        """``{code, state}`` or ``{error, error_description, state}`` relayed by the Jupyter callback route."""
        fields = {key: _text(content.get(key)) for key in ("code", "state", "error", "error_description")}
        try:
            self._complete(**fields)
        except LightspeedError:
            pass  # shown in the panel through `status` and `error`

    def _paste_from_panel(self, content: dict) -> None:
        try:
            self._complete(redirected_url=_text(content.get("url")) or "")
        except LightspeedError:
            pass

    # -- helpers ------------------------------------------------------------------------------------------------------
    @staticmethod
    def _stored_clients() -> tuple[list[ClientSummary], list[str]]:
        summaries, problems = read_client_summaries()
        return summaries, [str(problem) for problem in problems]  # type: ignore[return-value]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
