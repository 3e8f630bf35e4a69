"""The package's typed exceptions. Messages say what to do next and never carry a secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # httpx is imported lazily by the session; errors must stay importable without it
    import httpx


class LightspeedError(Exception):
    """Base class of every error ls_widget raises on purpose."""


class ConfigurationError(LightspeedError, ValueError):
    """A setting is missing or invalid (a connection field, an OAuth client, an environment variable)."""


class ClientNotFoundError(ConfigurationError, LookupError):
    """No stored OAuth client has that name."""


class StoreError(LightspeedError, OSError):
    """A stored file (client, connection or tokens) cannot be read or written.

    ``.path`` names the file (or directory); the message says what is wrong and what to do about it.
    """

    def __init__(self, message: str, path: object = None) -> None:
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:  # OSError's own __str__ would format errno/filename instead of the message
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):  # pickled whole (sync_all hands errors between processes), not as OSError's args
        return type(self), (str(self), self.path)


class SyncError(LightspeedError):
    """A sync could not be completed: the destination refused (credentials, disk, schema) or is unreachable.

    Whatever was committed before stays (syncs commit every few pages); run it again to carry on.
    """


class AuthorizationError(LightspeedError):
    """The OAuth flow failed. ``.error`` holds the OAuth error code, e.g. ``access_denied`` or ``invalid_grant``."""

    def __init__(self, message: str, error: str = "authorization_failed") -> None:
        super().__init__(message)
        self.error = error

    def __reduce__(self):
        return type(self), (str(self), self.error)


class NotConnectedError(LightspeedError):
    """The connection has not finished authorizing yet."""


class ApiError(LightspeedError):
    """Lightspeed's API answered with an error, or with something that is not a valid answer.

    ``.status`` is the HTTP status (0 when no answer arrived), ``.message`` the explanation, ``.response`` the
    ``httpx.Response`` (or ``None``), and ``.request_id`` Lightspeed's ``Cf-Ray`` (or request-id) header, which its
    support asks for when you report a problem.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        response: "httpx.Response | None" = None,
        request_id: str | None = None,
    ) -> None:
        if request_id is None and response is not None:
            request_id = request_id_of(response)
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"Lightspeed API error {status}: {message}{suffix}")
        self.status = status
        self.message = message
        self.response = response
        self.request_id = request_id

    def __reduce__(self):  # across processes without the httpx.Response (sockets and all do not travel)
        return _api_error, (type(self), self.status, self.message, self.request_id)


def _api_error(kind: type, status: int, message: str, request_id: str | None) -> "ApiError":
    return kind(status, message, request_id=request_id)


def request_id_of(response: "httpx.Response") -> str | None:
    """Lightspeed's id for one request: ``Cf-Ray`` (what its support asks for), else a generic request-id header."""
    for header in ("Cf-Ray", "X-Request-Id", "X-Request-ID", "Request-Id"):
        value = response.headers.get(header)
        if value:
            return value.strip()[:100]
    return None

