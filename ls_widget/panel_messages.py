"""What the panel's browser half says to Python, and the answers: the message protocol of ``LightspeedConnection``.

Messages from the panel (``model.send``), one-way, never stored:
- ``{"type": "save_client", "name", "client_id", "client_secret", "previous_name"}``: add or edit a stored client.
  Answered with ``{"type": "client_saved", "name"}`` or ``{"type": "client_error", "field", "message"}``.
- ``{"type": "refresh_clients"}``: reload the list of stored clients (another panel or cell may have added one).
- ``{"type": "authorize"}``: "Save and authorize" was clicked (the panel has opened the popup already). Answered
  with ``{"type": "authorize_url", "url"}`` to load in it, or ``{"type": "authorize_failed", "message"}``.
- ``{"type": "redirect", "code", "state", "error", "error_description"}``: what the Jupyter callback route relayed.
- ``{"type": "complete", "url"}``: the redirected URL the analyst pasted.
- ``{"type": "disconnect"}``.
"""

from __future__ import annotations

import logging
from typing import Any

from .clients import OAuthClient, client_from_dialog, error_field, read_client_summaries
from .errors import ConfigurationError, LightspeedError

log = logging.getLogger("ls_widget.panel")


class PanelMessages:
    """Mixed into ``LightspeedConnection``: dispatches ``model.send`` messages to the connection's own methods."""

    def _on_panel_message(self, _widget, content: Any, _buffers) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler = {
            "save_client": self._save_client_from_panel,
            "refresh_clients": self._refresh_clients,
            "authorize": self._authorize_from_panel,
            "redirect": self._redirect_from_panel,
            "complete": self._paste_from_panel,
            "disconnect": lambda _content: self.disconnect(),
        }.get(kind)
        if handler is None:
            log.warning("ls_widget: ignored a panel message of unknown type %r", kind)
            return
        handler(content)

    def _refresh_clients(self, _content: dict | None = None) -> None:
        """Reload the stored clients; a broken client file is named in the status region, the others still load."""
        summaries, problems = read_client_summaries()
        self._clients = summaries
        if problems:
            self._notice = " ".join(str(problem) for problem in problems)

    def _save_client_from_panel(self, content: dict) -> None:
        previous = content.get("previous_name") or None
        try:
            client = client_from_dialog(content, previous)
        except ConfigurationError as exc:
            self.send({"type": "client_error", "field": error_field(exc), "message": str(exc)})
            return
        try:
            client.save()
            if previous and previous != client.name:
                OAuthClient.delete(previous)
        except LightspeedError as exc:  # a read-only or full home, a case clash found at the last moment
            self.send({"type": "client_error", "field": error_field(exc), "message": str(exc)})
            return
        self._refresh_clients()
        self.oauth_client = client.name
        self.send({"type": "client_saved", "name": client.name})

    def _authorize_from_panel(self, _content: dict) -> None:
        errors = self.validation_errors()
        self._field_errors = errors
        if errors:
            count = len(errors)
            summary = f"Fix {count} field{'' if count == 1 else 's'} before authorizing."
            self.set_trait("error", summary)
            self.send({"type": "authorize_failed", "message": summary})  # the panel closes the popup it opened
            return
        try:
            url = self.authorization_url()
        except LightspeedError as exc:
            self._fail(exc)
            self.send({"type": "authorize_failed", "message": str(exc)})
            return
        self.send({"type": "authorize_url", "url": url})

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


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
