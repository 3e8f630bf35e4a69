"""The package's typed exceptions. Messages say what to do next and never carry a secret."""

from __future__ import annotations


class LightspeedError(Exception):
    """Base class of every error ls_widget raises on purpose."""


class ConfigurationError(LightspeedError, ValueError):
    """A setting is missing or invalid (a connection field, an OAuth client, an environment variable)."""


class ClientNotFoundError(ConfigurationError, LookupError):
    """No stored OAuth client has that name."""


class AuthorizationError(LightspeedError):
    """The OAuth flow failed. ``.error`` holds the OAuth error code, e.g. ``access_denied`` or ``invalid_grant``."""

    def __init__(self, message: str, error: str = "authorization_failed") -> None:
        super().__init__(message)
        self.error = error


class NotConnectedError(LightspeedError):
    """The connection has not finished authorizing yet."""


class ApiError(LightspeedError):
    """Lightspeed's API answered with an error. ``.status`` is the HTTP status, ``.message`` its explanation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Lightspeed API error {status}: {message}")
        self.status = status
        self.message = message
