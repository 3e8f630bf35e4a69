"""The two error shapes Lightspeed answers with, as exceptions the handlers turn into responses.

OAuth endpoints (and 401 from the API) use the authorization server's RFC 6749 body plus a ``hint``
(docs/lightspeed-api.md sections 1.9 and 5). The descriptions are the wording Lightspeed's server uses (the 401
example in section 5 is verbatim; the others follow the same server's standard texts).

Other API errors: the recorded shape (section 5, tests/fixtures/lightspeed/marketplacer__error_404_not_found.json)
``{"httpCode": "404", "httpMessage": "Not Found", "message": "...", "errorClass": "Exception"}``, the code a string.
The sandbox sends it as JSON (Lightspeed's legacy server labelled it text/html); a 403's and a 429's bodies are
UNCONFIRMED and take the same shape.
"""

from __future__ import annotations

from http import HTTPStatus

DESCRIPTIONS = {
    "invalid_request": "The request is missing a required parameter, includes an invalid parameter value, includes a "
                       "parameter more than once, or is otherwise malformed.",
    "invalid_client": "Client authentication failed",
    "invalid_grant": "The provided authorization grant (e.g., authorization code, resource owner credentials) or "
                     "refresh token is invalid, expired, revoked, does not match the redirection URI used in the "
                     "authorization request, or was issued to another client.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed",
    "unsupported_grant_type": "The authorization grant type is not supported by the authorization server.",
    "unsupported_response_type": "The authorization server does not support obtaining an authorization code using "
                                 "this method.",
    "access_denied": "The resource owner or authorization server denied the request.",
    "too_many_requests": "Too many refresh token grant attempts for this connection.",
}


class OAuthError(Exception):
    """An OAuth error: ``{"error", "error_description", "hint"}`` with an HTTP status."""

    def __init__(self, error: str, hint: str = "", status: int = 400, headers: dict | None = None,
                 description: str | None = None) -> None:
        super().__init__(f"{error}: {hint}")
        self.error = error
        self.hint = hint
        self.status = status
        self.headers = headers or {}
        self.description = description or DESCRIPTIONS.get(error, error)

    def body(self) -> dict:
        body = {"error": self.error, "error_description": self.description}
        if self.hint:
            body["hint"] = self.hint
        return body


class ApiProblem(Exception):
    """A non-OAuth API error in the recorded ``httpCode``/``httpMessage``/``message``/``errorClass`` shape."""

    ERROR_CLASSES = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
                     429: "RateLimitExceeded", 500: "InternalServerError", 502: "BadGateway",
                     503: "ServiceUnavailable", 504: "GatewayTimeout"}

    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        return {
            "httpCode": str(self.status),
            "httpMessage": _reason(self.status),
            "message": self.message,
            "errorClass": self.ERROR_CLASSES.get(self.status, "Error"),
        }


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
