"""Authentication of API requests: the bearer token, sent only to Lightspeed's API, refreshed through the store.

``LightspeedAuth`` is an ``httpx.Auth`` flow. Before each request it asks the ``SignIn`` for the stored token
(refreshed first when it is about to expire), adds ``Authorization: Bearer …`` only when the request goes to the
profile's API origin (scheme, host and port), and on a 401 refreshes once and sends the request again. A request
for any other origin is refused before anything is sent: a server that names another host in a ``next`` link, or
a caller that passes a full URL elsewhere, never gets the token.
"""

from __future__ import annotations

from typing import Callable, Generator

import httpx

from .errors import ApiError, AuthorizationError
from .credentials import Credentials
from .profiles import Profile
from .token_store import TokenStore, refresh_margin
from .tokens import Token

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in, for exact origin comparison."""
    parsed = httpx.URL(url) if not isinstance(url, httpx.URL) else url
    scheme = parsed.scheme.lower()
    return scheme, parsed.host.lower(), parsed.port or _DEFAULT_PORTS.get(scheme)


def check_origin(url: str | httpx.URL, allowed: tuple[str, str, int | None]) -> None:
    """Raise ``ApiError`` (nothing is sent) unless ``url`` is on the ``allowed`` origin."""
    try:
        actual = origin_of(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ApiError(0, f"Refused to send a request to an unreadable address ({str(url)[:120]!r}).") from None
    if actual != allowed:
        scheme, host, port = actual
        raise ApiError(
            0,
            f"Refused to send the access token to {scheme}://{host}:{port}: it goes only to Lightspeed's API at "
            f"{allowed[0]}://{allowed[1]}:{allowed[2]}. Nothing was sent. If a page's 'next' link named that host, "
            f"the server's answer is not trustworthy; if you use a proxy, set LS_WIDGET_API_URL.",
        )


class SignIn:
    """One connection's tokens as the session uses them: always the stored ones, refreshed single-flight.

    ``on_token`` is told about each refreshed token (the panel shows the new expiry); ``on_signed_out`` about a
    refresh Lightspeed refused for good (the panel turns to "error").
    """

    def __init__(
        self,
        profile: Profile,
        credentials: Credentials,
        store: TokenStore,
        *,
        on_token: Callable[[Token], None] | None = None,
        on_signed_out: Callable[[Exception], None] | None = None,
    ) -> None:
        self.profile = profile
        self.credentials = credentials
        self.store = store
        self.on_token = on_token
        self.on_signed_out = on_signed_out

    def token(self) -> Token:
        """The stored token, refreshed first if it expires within its margin."""
        token = self._stored()
        if token.refresh_token and token.expires_within(self.margin(token)):
            token = self._refresh(token, force=False)
        return token

    def after_401(self, rejected: Token) -> Token | None:
        """The token to retry with after Lightspeed refused ``rejected`` (``None``: nothing better to try)."""
        if not rejected.refresh_token:
            return None
        return self._refresh(rejected, force=True)

    def margin(self, token: Token) -> float:
        return refresh_margin(token, ahead=self.profile.refresh_ahead)

    def stored_token(self) -> Token | None:
        """The token in the store as it is now, not refreshed (prints redacted); ``None`` once signed out."""
        return self.store.current()

    def _stored(self) -> Token:
        token = self.stored_token()
        if token is None:
            signed_out = AuthorizationError(
                "This connection has no stored sign-in (it was disconnected, perhaps in another notebook): sign in "
                "again with 'Save and authorize'.", error="not_authorized"
            )
            if self.on_signed_out is not None:
                self.on_signed_out(signed_out)
            raise signed_out
        return token

    def _refresh(self, stale: Token, force: bool) -> Token:
        from . import token_endpoint  # loaded on the first refresh, like the rest of the OAuth code

        try:
            fresh = self.store.refresh(
                stale, lambda current: token_endpoint.refresh(self.profile, self.credentials, current),
                margin=self.margin(stale), force=force,
            )
        except AuthorizationError as exc:
            if self.on_signed_out is not None and exc.error in ("invalid_grant", "not_authorized"):
                self.on_signed_out(exc)
            raise
        if self.on_token is not None and fresh.access_token != stale.access_token:
            self.on_token(fresh)
        return fresh


class LightspeedAuth(httpx.Auth):
    """Bearer authentication for one account's API origin, with one refresh-and-retry on a 401."""

    requires_response_body = False

    def __init__(self, sign_in: SignIn) -> None:
        self._sign_in = sign_in

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Checked here too, not only by the session: whatever builds a request, the token stays on the API origin.
        check_origin(request.url, origin_of(self._sign_in.profile.api_url))
        token = self._sign_in.token()
        # Set straight on the request (whose headers print redacted), never kept in a local string of its own.
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code != 401:
            return
        retry_with = self._sign_in.after_401(token)
        if retry_with is None:
            return
        request.headers["Authorization"] = f"Bearer {retry_with.access_token}"
        yield request
