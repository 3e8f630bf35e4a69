"""``LightspeedSession``: an httpx client on one account's API that paces, retries, refreshes and paginates.

- Pacing: every request waits just long enough to be admitted by the leaky bucket (see ``ratelimit``); a 429 is
  honoured with its ``Retry-After`` and retried.
- Tokens: refreshed shortly before expiry, and once on a 401, through the connection's ``TokenStore`` (single-flight,
  stored before use).
- Retries: GETs are retried on 5xx and on dropped connections with capped exponential backoff and jitter; writes are
  retried only when the request never reached Lightspeed (connect errors) or was refused unprocessed (429).
- Pagination: v3 follows ``@attributes.next`` verbatim; v2 walks ``offset``/``limit`` up to ``@attributes.count``.
  A one-record page (an object) and an empty page (no resource key) both come back as lists.
- Requests on one session are serial (a lock), which is what the bucket rewards anyway; the session is thread-safe.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import httpx

from . import query
from .errors import ApiError, AuthorizationError
from .oauth import Credentials, refresh
from .profiles import Profile
from .progress import Progress
from .ratelimit import Pacer
from .tokens import REFRESH_MARGIN, Token, TokenStore

PAGE_SIZE = 100  # Lightspeed's maximum
_RETRY_STATUSES = {500, 502, 503, 504}
_MAX_ATTEMPTS = 6  # for 5xx and dropped connections
_MAX_RATE_LIMITED = 10  # consecutive 429s before giving up
_BACKOFF_BASE, _BACKOFF_CAP = 0.5, 30.0
_IDEMPOTENT = {"GET", "HEAD", "OPTIONS"}


class LightspeedSession:
    """A ready client on one Lightspeed account. Get one from ``LightspeedConnection.session``."""

    def __init__(
        self,
        profile: Profile,
        credentials: Credentials,
        tokens: TokenStore,
        token: Token,
        account_id: str,
        account_name: str = "",
        *,
        http: httpx.Client | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_signed_out: Callable[[Exception], None] | None = None,
        on_token: Callable[[Token], None] | None = None,
    ) -> None:
        self.profile = profile
        self.account_id = str(account_id)
        self.account_name = account_name
        self._credentials = credentials
        self._tokens = tokens
        self._token = token
        self._http = http or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0),
                                          headers={"Accept": "application/json"})
        self._pacer = pacer or Pacer(sleep=sleep)
        self._sleep = sleep
        self._on_signed_out = on_signed_out  # told when Lightspeed refuses the refresh token: sign-in needed
        self._on_token = on_token  # told after each refresh (the panel shows the new expiry)
        self._lock = threading.RLock()
        self.base_url = profile.account_url(self.account_id)

    @property
    def api_type(self) -> str:
        return self.profile.api_type

    @property
    def token(self) -> Token:
        """The current token (prints redacted)."""
        return self._token

    def __repr__(self) -> str:
        return f"LightspeedSession(api_type={self.api_type!r}, account_id={self.account_id!r}, account_name={self.account_name!r})"

    # -- context manager ---------------------------------------------------------------------------------------
    def __enter__(self) -> "LightspeedSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- low level ---------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One paced, authenticated request. ``path`` is relative to the account (``"Item.json"``) or a full URL.

        Returns the final response (after refreshes and retries), whatever its status.
        """
        method = method.upper()
        url = path if urlsplit(path).scheme else f"{self.base_url}/{path.lstrip('/')}"
        extra_headers = dict(kwargs.pop("headers", None) or {})
        with self._lock:
            refreshed_for_401 = False
            failures = rate_limited = 0
            while True:
                self._ensure_fresh()
                self._pacer.wait()
                headers = {**extra_headers, "Authorization": f"Bearer {self._token.access_token}"}
                try:
                    response = self._http.request(method, url, headers=headers, **kwargs)
                except httpx.TransportError as exc:
                    never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                    failures += 1
                    if (method in _IDEMPOTENT or never_sent) and failures < _MAX_ATTEMPTS:
                        self._backoff(failures)
                        continue
                    raise ApiError(0, f"Lightspeed could not be reached ({type(exc).__name__}) after {failures} "
                                      f"attempt{'s' if failures > 1 else ''}.") from None
                self._pacer.observe(response.headers, response.status_code)
                if response.status_code == 401 and not refreshed_for_401 and self._token.refresh_token:
                    refreshed_for_401 = True
                    self._refresh(force=True)
                    continue
                if response.status_code == 429 and rate_limited < _MAX_RATE_LIMITED:
                    rate_limited += 1  # refused unprocessed: safe to repeat, even a write; the pacer waits Retry-After
                    continue
                if response.status_code in _RETRY_STATUSES and method in _IDEMPOTENT:
                    failures += 1
                    if failures < _MAX_ATTEMPTS:
                        self._backoff(failures)
                        continue
                return response

    # -- reading -----------------------------------------------------------------------------------------------
    def get(self, resource: str, id: Any = None, **params: Any) -> Any:
        """One record (with ``id``) as a dict, or the records of the first page as a list."""
        if id is not None:
            data = self._get_json(f"{resource}/{id}.json", params)
            return data.get(_record_key(resource))
        params.setdefault("limit", PAGE_SIZE)
        return records_of(self._get_json(f"{resource}.json", params), resource)

    def count(self, resource: str, **params: Any) -> int:
        """How many records match (v3 ``count=1``, 10 drips; v2 reads it from a one-record page)."""
        if self.profile.pagination == "cursor":
            data = self._get_json(f"{resource}.json", {**params, "count": 1})
        else:
            data = self._get_json(f"{resource}.json", {**params, "limit": 1})
        return int(data.get("@attributes", {}).get("count", 0))

    def iter(self, resource: str, **params: Any) -> Iterator[dict]:
        """Every record across all pages, fetched page by page as you iterate."""
        for page in self.pages(resource, **params):
            yield from page

    def pages(self, resource: str, **params: Any) -> Iterator[list[dict]]:
        """The records page by page."""
        params.setdefault("limit", PAGE_SIZE)
        if self.profile.pagination == "cursor":
            yield from self._cursor_pages(resource, params)
        else:
            yield from self._offset_pages(resource, params)

    def to_pandas(self, resource: str, *, convert: bool = True, progress: bool = True, **params: Any):
        """All records as a DataFrame, nested objects flattened to dotted columns (needs the ``pandas`` extra).

        ``convert`` turns Lightspeed's all-string values into numbers, booleans and UTC datetimes where a whole
        column reads as one; ids with leading zeros stay text.
        """
        from .frames import records_to_frame

        records: list[dict] = []
        with Progress(resource, enabled=progress) as shown:
            for page in self.pages(resource, **params):
                records.extend(page)
                shown.update(len(records))
        return records_to_frame(records, convert=convert)

    # -- internals ---------------------------------------------------------------------------------------------
    def _cursor_pages(self, resource: str, params: dict) -> Iterator[list[dict]]:
        data = self._get_json(f"{resource}.json", params)
        while True:
            yield records_of(data, resource)
            next_url = (data.get("@attributes") or {}).get("next") or ""
            if not next_url:
                return
            data = self._get_json(next_url, None)  # verbatim: Lightspeed asks clients not to craft cursors

    def _offset_pages(self, resource: str, params: dict) -> Iterator[list[dict]]:
        offset = int(params.pop("offset", 0))
        while True:
            data = self._get_json(f"{resource}.json", {**params, "offset": offset})
            page = records_of(data, resource)
            yield page
            attributes = data.get("@attributes") or {}
            count = int(attributes.get("count", 0))
            offset += len(page)
            if not page or offset >= count:
                return

    def _get_json(self, path: str, params: dict | None) -> dict:
        if params:
            path = f"{path}{'&' if '?' in path else '?'}{query.encode(params)}"
        response = self.request("GET", path)
        if response.status_code >= 400:
            raise api_error(response)
        try:
            data = response.json()
        except ValueError:
            raise ApiError(response.status_code, "Lightspeed answered with something that is not JSON.") from None
        return data if isinstance(data, dict) else {}

    def _ensure_fresh(self) -> None:
        if self._token.expires_within(REFRESH_MARGIN) and self._token.refresh_token:
            self._refresh(force=False)

    def _refresh(self, force: bool) -> None:
        try:
            self._token = self._tokens.refresh(
                self._token, lambda current: refresh(self.profile, self._credentials, current), force=force
            )
        except AuthorizationError as exc:
            if self._on_signed_out is not None and exc.error == "invalid_grant":
                self._on_signed_out(exc)
            raise
        if self._on_token is not None:
            self._on_token(self._token)

    def _backoff(self, attempt: int) -> None:
        # Full jitter: spreads retries from many clients; capped so a long outage does not stall for minutes.
        self._sleep(random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** attempt)))


def records_of(data: dict, resource: str) -> list[dict]:
    """The records of one page, always a list: Lightspeed sends one record as an object and none as no key."""
    records = data.get(_record_key(resource))
    if records is None:
        return []
    return [records] if isinstance(records, dict) else list(records)


def api_error(response: httpx.Response) -> ApiError:
    """An ApiError with Lightspeed's explanation, read defensively (the error body's shape is not documented)."""
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "httpMessage", "error_description", "hint", "error"):
            if body.get(key):
                message = str(body[key])
                break
    if not message:
        message = response.reason_phrase or "request failed"
    hints = {
        401: " Sign in again with 'Save and authorize'.",
        403: " The connection lacks a scope this needs: add it with 'Edit scopes' and authorize again.",
        429: " Rate limited even after waiting; try again in a minute.",
    }
    return ApiError(response.status_code, message + hints.get(response.status_code, ""))


def _record_key(resource: str) -> str:
    return resource.strip("/").split("/")[-1]
