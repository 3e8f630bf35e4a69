"""``LightspeedSession``: one account's API as records, pages and DataFrames.

The session is an httpx client built from two layers, each with one job:
- ``auth.LightspeedAuth`` adds the bearer token (only for the API's origin) and refreshes once on a 401, always
  through the connection's token store, the one source of truth for tokens;
- ``transport.PacedTransport`` paces requests to the leaky bucket and retries what is safe, with bounded waits.
On top, the session reads Lightspeed's answers: every page is checked for shape (a JSON object, records as objects,
a string ``next`` on the same origin, a numeric ``count``) and anything else is an ``ApiError`` quoting the start
of the body, never a silent partial pull.

Pagination: v3 follows ``@attributes.next`` verbatim (a cursor seen twice ends the pull with an error instead of a
loop); v2 walks ``offset``/``limit`` up to ``@attributes.count``. A one-record page (an object) and an empty page
(no resource key) both come back as lists. Requests on one session are serial (a lock), which is what the bucket
rewards anyway; the session is thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator

import httpx

from . import query
from .catalogue import check_request
from .auth import LightspeedAuth, SignIn, check_origin, origin_of
from .answers import excerpt
from .errors import ApiError
from .profiles import Profile
from .progress import ProgressCallback, ProgressNote, PullProgress
from .ratelimit import Pacer
from .tokens import Token
from .transport import DEFAULT_MAX_WAIT, PacedTransport

PAGE_SIZE = 100  # Lightspeed's maximum
MAX_BODY = 64 * 1024 * 1024  # bytes; a page of 100 records with relations is well under 10 MB


class LightspeedSession:
    """A ready client on one Lightspeed account. Get one from ``conn.session``."""

    def __init__(
        self,
        profile: Profile,
        sign_in: SignIn,
        account_id: str,
        account_name: str = "",
        *,
        transport: httpx.BaseTransport | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = DEFAULT_MAX_WAIT,
    ) -> None:
        self.profile = profile
        self.account_id = str(account_id)
        self.account_name = account_name
        self._sign_in = sign_in
        # The session keeps its pacer itself: what it reports (the clock, the seconds a request takes) is read from it
        # directly, not through the transport that paces by it.
        self._pacer = pacer or Pacer(sleep=sleep)
        self._paced = PacedTransport(_LimitedTransport(transport or httpx.HTTPTransport()), pacer=self._pacer,
                                     sleep=sleep, max_wait=max_wait)
        self._http = httpx.Client(
            transport=self._paced, auth=LightspeedAuth(sign_in), follow_redirects=False,
            timeout=httpx.Timeout(60.0, connect=10.0), headers={"Accept": "application/json"},
        )
        self._lock = threading.RLock()
        self.base_url = profile.account_url(self.account_id)
        self._origin = origin_of(profile.api_url)
        self._server_time: datetime | None = None

    @property
    def api_type(self) -> str:
        return self.profile.api_type

    @property
    def token(self) -> Token | None:
        """The current stored token (prints redacted); ``None`` once the connection was signed out."""
        return self._sign_in.stored_token()

    @property
    def max_wait(self) -> float:
        """The longest single wait (seconds) the session accepts from the rate limit; longer raises ``ApiError``."""
        return self._paced.max_wait

    @max_wait.setter
    def max_wait(self, seconds: float) -> None:
        self._paced.max_wait = float(seconds)

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock the rate limit is paced by (``time.monotonic``, unless the session was built with a
        pacer of its own): how long fetching takes is measured on it."""
        return self._pacer.clock

    def seconds_per_request(self) -> float | None:
        """At the rate limit's bound, the seconds one request takes (its cost over Lightspeed's drip rate, from the
        bucket headers of the answers so far); None before the first answer. What a progress bar's time left is
        estimated from."""
        return self._pacer.seconds_per_request()

    @property
    def statuses(self) -> Counter:
        """How many answers of each HTTP status this session received, retried ones (e.g. 429s) included."""
        return self._paced.statuses

    @property
    def event_hooks(self) -> dict[str, list[Callable]]:
        """The event hooks of the session's httpx client, ``{"request": [...], "response": [...]}``: append a callable
        to see each request as it is sent, or each final answer (a 429 or 5xx retried by the pacing layer below is
        not one). For measurements and tests."""
        return self._http.event_hooks

    def __repr__(self) -> str:
        return (f"LightspeedSession(api_type={self.api_type!r}, account_id={self.account_id!r}, "
                f"account_name={self.account_name!r})")

    # -- context manager ---------------------------------------------------------------------------------------
    def __enter__(self) -> "LightspeedSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- low level ---------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One paced, authenticated request. ``path`` is relative to the account (``"Item.json"``) or a full URL
        on Lightspeed's API (any other host is refused with ``ApiError`` before anything is sent).

        Returns the final response (after refreshes and retries), whatever its status.
        """
        url = self._resolve(path)
        with self._lock:
            response = self._http.request(method.upper(), url, **kwargs)
            self._note_clock(response)
            return response

    @property
    def server_time(self) -> datetime | None:
        """Lightspeed's own clock: the ``Date`` header of its latest answer (UTC, to the second), or ``None`` before
        any answer carried one. A sync never lets a high-water mark run ahead of it (a shop's wrong clock can stamp a
        record in the future)."""
        return self._server_time

    def _note_clock(self, response: httpx.Response) -> None:
        value = response.headers.get("Date")
        if not value:
            return
        try:
            stamp = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return  # a malformed Date says nothing about the clock; the records are still checked
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        self._server_time = stamp.astimezone(timezone.utc)

    # -- reading -----------------------------------------------------------------------------------------------
    def get(self, resource: str, id: Any = None, **params: Any) -> Any:
        """One record (with ``id``) as a dict, or the records of the first page as a list."""
        if id is not None:
            check_request(f"{resource}/{id}", params)
            page = self._get_page(f"{resource}/{id}.json", params)
            records = page.records(resource)
            if len(records) != 1:
                raise page.invalid(f"holds {len(records)} {_record_key(resource)} records for one id")
            return records[0]
        check_request(resource, params)
        params.setdefault("limit", PAGE_SIZE)
        return self._get_page(f"{resource}.json", params).records(resource)

    def count(self, resource: str, **params: Any) -> int:
        """How many records match (v3 ``count=1``, 10 drips; v2 reads it from a one-record page)."""
        check_request(resource, params)
        if self.profile.pagination == "cursor":
            return self._get_page(f"{resource}.json", {**params, "count": 1}).count()
        return self._get_page(f"{resource}.json", {**params, "limit": 1}).count()

    def iter(self, resource: str, **params: Any) -> Iterator[dict]:
        """Every record across all pages, fetched page by page as you iterate."""
        for page in self.pages(resource, **params):
            yield from page

    def pages(self, resource: str, **params: Any) -> Iterator[list[dict]]:
        """The records page by page."""
        check_request(resource, params)
        params.setdefault("limit", PAGE_SIZE)
        if self.profile.pagination == "cursor":
            yield from self._cursor_pages(resource, params)
        else:
            yield from self._offset_pages(resource, params)

    def to_pandas(self, resource: str, *, convert: bool = True, progress: bool = True,
                  on_progress: ProgressCallback | None = None, **params: Any):
        """All records as a DataFrame, nested objects flattened to dotted columns (needs the ``pandas`` extra).

        ``convert`` turns Lightspeed's all-string values into numbers, booleans and UTC datetimes where a whole
        column reads as one; ids with leading zeros stay text. Pages are flattened as they arrive (every 1,000
        records) and their raw records let go, so memory peaks below the size of all raw records, not above it.
        ``progress`` shows a one-line note in a notebook; ``on_progress(event)`` is told a ``ProgressEvent`` as the
        pull starts, after each page and when it ends, the same events as ``conn.sync``'s ``on_progress``.
        """
        from .frames import FrameBuilder

        builder = FrameBuilder(convert=convert)  # without pandas: ImportError now, before any request
        with ProgressNote(resource, enabled=progress) as note, PullProgress(resource, (note, on_progress)) as pull:
            for page in self.pages(resource, **params):
                builder.add(page)
                pull.advance(1, len(page))
            page = None  # the last raw page need not outlive the loop
        return builder.frame()

    # -- internals ---------------------------------------------------------------------------------------------
    def _resolve(self, path: str) -> str:
        """The full URL for ``path``; refused (nothing sent) unless it is on the API's origin."""
        if not isinstance(path, str):
            raise ApiError(0, f"A request path must be text, not {type(path).__name__}.")
        url = path if "://" in path or path.startswith("//") else f"{self.base_url}/{path.lstrip('/')}"
        check_origin(url, self._origin)
        return url

    def _cursor_pages(self, resource: str, params: dict) -> Iterator[list[dict]]:
        page = self._get_page(f"{resource}.json", params)
        seen: set[str] = set()
        while True:
            yield page.records(resource)
            next_url = page.next_url()
            if not next_url:
                return
            if next_url in seen:
                raise page.invalid("names a page already read as the next one (the pull would never end); run it "
                                   "again, and report it to Lightspeed if it persists")
            seen.add(next_url)
            page = self._get_page(next_url, None)  # verbatim: Lightspeed asks clients not to craft cursors

    def _offset_pages(self, resource: str, params: dict) -> Iterator[list[dict]]:
        offset = int(params.pop("offset", 0))
        while True:
            page = self._get_page(f"{resource}.json", {**params, "offset": offset})
            records, count = page.records(resource), page.count()
            yield records
            offset += len(records)
            if offset >= count:
                return
            if not records:
                raise page.invalid(f"is an empty page at offset {offset} of {count} records (the data changed "
                                   "during the pull?); run it again")

    def _get_page(self, path: str, params: dict | None) -> "Page":
        if params:
            path = f"{path}{'&' if '?' in path else '?'}{query.encode(params)}"
        response = self.request("GET", path)
        if response.status_code >= 400:
            raise api_error(response)
        if response.status_code != 200:
            where = response.headers.get("Location")
            raise invalid_answer(response, f"is a {response.status_code}" + (f" pointing to {where[:120]!r}" if where
                                 else "") + ", not a page of records (redirects are not followed, so the token "
                                 "stays with Lightspeed)")
        return Page.read(response)


class _LimitedTransport(httpx.BaseTransport):
    """Refuses bodies over ``MAX_BODY`` while they stream in, so a hostile answer cannot exhaust memory."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            response.close()
            raise ApiError(response.status_code, f"Lightspeed's answer would be {int(declared):,} bytes, more than "
                                                 f"the {MAX_BODY:,} a page can hold; nothing was read.")
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=_LimitedStream(response.stream, response.status_code),
                              extensions=response.extensions, request=request)

    def close(self) -> None:
        self._inner.close()


class _LimitedStream(httpx.SyncByteStream):
    def __init__(self, inner, status: int) -> None:
        self._inner, self._status = inner, status

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for chunk in self._inner:
            total += len(chunk)
            if total > MAX_BODY:
                raise ApiError(self._status, f"Lightspeed's answer is larger than the {MAX_BODY:,} bytes a page can "
                                             "hold; stopped reading it.")
            yield chunk

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


# -- reading answers -------------------------------------------------------------------------------------------
def invalid_answer(response: httpx.Response | None, problem: str) -> ApiError:
    """An ``ApiError`` for an answer that is not what Lightspeed's API sends, quoting the start of its body."""
    status = response.status_code if response is not None else 0
    start = f" It starts with: {excerpt(response)!r}." if response is not None else ""
    return ApiError(status, f"Lightspeed's answer {problem}.{start}", response=response)


class Page:
    """One answer of the API, checked for shape as it is read: a JSON object whose ``@attributes`` is one too."""

    def __init__(self, data: dict, response: httpx.Response | None = None) -> None:
        self.data, self.response = data, response

    @classmethod
    def read(cls, response: httpx.Response) -> "Page":
        try:
            data = response.json()
        except (ValueError, UnicodeDecodeError):
            raise invalid_answer(response, "is not JSON (a proxy or captive portal in the way?)") from None
        if not isinstance(data, dict):
            raise invalid_answer(response, f"is a JSON {type(data).__name__}, not an object")
        if not isinstance(data.get("@attributes", {}), dict):
            raise invalid_answer(response, "has an '@attributes' that is not an object")
        page = cls(data, response)
        page.next_url()  # links and count are checked now, whether or not this caller reads them
        if "count" in page._attributes:
            page.count()
        return page

    def invalid(self, problem: str) -> ApiError:
        return invalid_answer(self.response, problem)

    def records(self, resource: str) -> list[dict]:
        """The records, always a list: Lightspeed sends one record as an object and none as no key."""
        key = _record_key(resource)
        records = self.data.get(key)
        if records is None:
            return []
        if isinstance(records, dict):
            return [records]
        if isinstance(records, list) and all(isinstance(record, dict) for record in records):
            return records
        raise self.invalid(f"has '{key}' as {_kind(records)}, not records")

    def next_url(self) -> str:
        """The v3 ``@attributes.next`` link ("" on the last page)."""
        value = self._attributes.get("next", "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.invalid(f"has a 'next' link that is {_kind(value)}, not an address")
        return value.strip()

    def count(self) -> int:
        """``@attributes.count`` as a number (Lightspeed sends it as a string)."""
        value = self._attributes.get("count")
        text = str(value).strip()
        if isinstance(value, (str, int)) and not isinstance(value, bool) and text.isdigit() and len(text) < 16:
            return int(text)
        raise self.invalid("has no record count" if value is None else
                           f"has a record count of {text[:40]!r}, not a whole number")

    @property
    def _attributes(self) -> dict:
        return self.data.get("@attributes") or {}


def api_error(response: httpx.Response) -> ApiError:
    """An ApiError with Lightspeed's explanation, read defensively (the error body's shape is not documented)."""
    message = ""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("message", "httpMessage", "error_description", "hint", "error"):
            value = body.get(key)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                message = str(value).strip()[:500]
                break
    if not message:
        message = f"{response.reason_phrase or 'request failed'}; the answer starts with {excerpt(response)!r}"
    hints = {
        401: " Sign in again with 'Save and authorize'.",
        403: " The connection lacks a scope this needs: add it with 'Edit scopes' and authorize again.",
        429: " Rate limited even after waiting; try again in a minute.",
    }
    return ApiError(response.status_code, message + hints.get(response.status_code, ""), response=response)


def _kind(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def _record_key(resource: str) -> str:
    return resource.strip("/").split("/")[-1]
