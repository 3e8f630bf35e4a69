"""OAuth tokens: what a token-endpoint answer and a token file hold, checked field by field; JWT claims read safely.

Where tokens are kept, and how they are refreshed without ever losing a sign-in, is ``token_store``'s job.
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import AuthorizationError

# Lightspeed's tokens are "significantly longer" than they used to be and of variable length (docs/lightspeed-api.md
# section 1.6), a few kilobytes at most. A longer value is a broken or hostile answer: refused before it reaches a
# header or a file.
MAX_TOKEN_LENGTH = 64 * 1024
# Lightspeed's access tokens live 30 or 60 minutes. An ``expires_in`` beyond a year is a broken answer, not a token to
# trust for a year (and a huge one would overflow the time arithmetic).
MAX_EXPIRES_IN = 365 * 24 * 3600.0
MIN_EXPIRES_IN = 1.0
# The lifetime assumed when the real one is unknown (an answer with neither ``expires_in`` nor a JWT ``exp``, or a
# token file written before ``issued_at`` was stored): the shortest Lightspeed has used (legacy tokens, 30 minutes),
# so refreshes err on the early side.
ASSUMED_LIFETIME = 1800.0

# What may follow "Bearer " in an Authorization header: visible ASCII, no spaces. (RFC 6750's b64token is stricter;
# this keeps out only what httpx would refuse to send or what would break the header.)
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
# ``expires_in`` as a decimal string ("3600": Lightspeed sends numbers as strings elsewhere). No sign, exponent,
# "NaN", "inf" or "3_600" (which float() would all take).
_DECIMAL = re.compile(r"\d{1,15}(?:\.\d{1,9})?")
# The JWT ``acct`` claim ends up in API paths (/Account/{id}/...): Lightspeed's ids are numeric, and an id holding
# "/", "." or "%" could walk the path, so only id characters are accepted.
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class _UnusableAnswer(AuthorizationError):
    """A token-endpoint answer with a missing or malformed field. ``problem`` names it (never a secret's value), so
    token_endpoint.py can add the HTTP status and the start of the answer."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"Lightspeed's token endpoint sent an answer that cannot be used: {problem}. Sign in again with 'Save and "
            "authorize'; if this keeps happening, check that nothing (a proxy, a network sign-in page, "
            "LS_WIDGET_AUTH_URL) stands between this computer and Lightspeed.",
            error="invalid_response",
        )
        self.problem = problem


@dataclass(frozen=True)
class Token:
    """An access token with its refresh token. Prints without its secrets.

    ``issued_at`` is when this access token was first received; left out (``None``), it is taken as ``expires_at``
    minus ASSUMED_LIFETIME. ``lifetime`` is how long the token was issued for, which paces refreshes.
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    token_type: str = "Bearer"
    scopes: tuple[str, ...] = ()
    account_id: str | None = None
    issued_at: float = None  # type: ignore[assignment]  # None is replaced in __post_init__: always a float after

    def __post_init__(self) -> None:
        if self.issued_at is None:
            object.__setattr__(self, "issued_at", self.expires_at - ASSUMED_LIFETIME)

    @property
    def lifetime(self) -> float:
        """Seconds this access token was issued for (``expires_at - issued_at``, never negative)."""
        return max(0.0, self.expires_at - self.issued_at)

    @classmethod
    def from_response(cls, data: dict[str, Any], now: float | None = None, previous: "Token | None" = None) -> "Token":
        """Build from a token-endpoint answer; v3 JWT claims (``acct``, ``scope``, ``exp``) fill in what it omits.

        Every field is checked, since a proxy or a broken server can answer anything: an unusable answer raises
        ``AuthorizationError(error="invalid_response")`` naming the field and what is wrong (never a secret's value).
        ``expires_in`` may be a number or a decimal string, and must be at least a second and at most a year.
        ``previous`` is the token being refreshed: what the answer omits (refresh token, scopes, account) is kept
        from it, and so is ``issued_at`` when the answer repeats its access token (the legacy v2 server answers an
        early refresh with the same token and its remaining lifetime, docs/lightspeed-api.md section 1.8).
        """
        now = time.time() if now is None else now
        if not isinstance(data, dict):
            raise _UnusableAnswer(f"it is {_describe(data)}, not a JSON object")
        access = _token_field(data, "access_token", required=True)
        if not _HEADER_SAFE.fullmatch(access):
            raise _UnusableAnswer("its access_token holds spaces or characters that cannot be sent in an HTTP header")
        refresh = _token_field(data, "refresh_token", required=False)
        token_type = data.get("token_type")
        if token_type is not None and not isinstance(token_type, str):
            raise _UnusableAnswer(f"its token_type is {_describe(token_type)}, not text")
        if token_type and token_type.strip().lower() != "bearer":  # the legacy server says "bearer"
            raise _UnusableAnswer(f"its token_type is {_describe(token_type)}; ls_widget can only use Bearer tokens")
        scope = data.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise _UnusableAnswer(f"its scope is {_describe(scope)}, not text")
        if scope is not None and len(scope) > MAX_TOKEN_LENGTH:
            raise _UnusableAnswer(f"its scope is {len(scope)} characters long, more than any scope list could be")
        expires_in = _expires_in(data.get("expires_in"))

        claims = jwt_claims(access)
        scope_text = scope or _claimed_scope(claims)
        scopes = tuple(s for s in scope_text.replace("+", " ").split() if not s.startswith("systemuserid:"))
        if expires_in is not None:
            expires_at = now + expires_in
        elif "exp" in claims and now < claims["exp"] <= now + MAX_EXPIRES_IN:
            expires_at = float(claims["exp"])
        else:
            expires_at = now + ASSUMED_LIFETIME  # refresh early rather than late
        account = claims.get("acct")  # jwt_claims keeps it only when it is a plausible id
        same_token = previous is not None and access == previous.access_token
        return cls(
            access_token=access,
            # A server that does not send a new refresh token keeps the old one valid.
            refresh_token=refresh or (previous.refresh_token if previous else None),
            expires_at=expires_at,
            token_type="Bearer",
            scopes=scopes or (previous.scopes if previous else ()),
            account_id=str(account) if account is not None else (previous.account_id if previous else None),
            # The same access token again is no new token: its lifetime still counts from when it was first issued.
            issued_at=previous.issued_at if same_token else now,
        )

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return (time.time() if now is None else now) + seconds >= self.expires_at

    def to_record(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "issued_at": self.issued_at,
            "token_type": self.token_type,
            "scopes": list(self.scopes),
            "account_id": self.account_id,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Token":
        """Read what ``to_record`` wrote. A malformed record raises ``ValueError`` saying what is wrong (TokenStore
        names the file), and nothing else. A record without ``issued_at`` (written before it was stored) assumes the
        token lived ASSUMED_LIFETIME (30 minutes, the shortest Lightspeed has used)."""
        if not isinstance(record, dict):
            raise ValueError(f"it holds {_describe(record)}, not a JSON object")
        access = record.get("access_token")
        if access is None or access == "":
            raise ValueError("it has no access_token")
        if not isinstance(access, str):
            raise ValueError(f"its access_token is {_describe(access, secret=True)}, not text")
        refresh = record.get("refresh_token")
        if refresh is not None and not isinstance(refresh, str):
            raise ValueError(f"its refresh_token is {_describe(refresh, secret=True)}, not text")
        expires_at = _finite(record.get("expires_at"))
        if expires_at is None:
            raise ValueError(f"its expires_at is {_describe(record.get('expires_at'))}, not a finite number")
        issued_at = record.get("issued_at")
        if issued_at is not None:
            issued_at = _finite(issued_at)
            if issued_at is None:
                raise ValueError(f"its issued_at is {_describe(record.get('issued_at'))}, not a finite number")
        token_type = record.get("token_type")
        if token_type is not None and not isinstance(token_type, str):
            raise ValueError(f"its token_type is {_describe(token_type)}, not text")
        scopes = record.get("scopes")
        if scopes is None:
            scopes = []
        if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
            raise ValueError("its scopes are not a list of texts")
        account = record.get("account_id")
        if account is not None and not isinstance(account, str):
            raise ValueError(f"its account_id is {_describe(account)}, not text")
        return cls(
            access_token=access,
            refresh_token=refresh,
            expires_at=expires_at,
            token_type=token_type or "Bearer",
            scopes=tuple(scopes),
            account_id=account,
            issued_at=issued_at,
        )


def _token_field(data: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _UnusableAnswer(f"it has no {name}")
        return None
    if not isinstance(value, str):
        raise _UnusableAnswer(f"its {name} is {_describe(value, secret=True)}, not text")
    if len(value) > MAX_TOKEN_LENGTH:
        raise _UnusableAnswer(f"its {name} is {len(value)} characters long, more than the {MAX_TOKEN_LENGTH} "
                              "a real token could be")
    return value


def _expires_in(value: Any) -> float | None:
    """``expires_in`` in seconds, ``None`` when absent; _UnusableAnswer when it is not a usable lifetime."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= 32 and _DECIMAL.fullmatch(value.strip()):
        number: float | int = float(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    else:
        raise _UnusableAnswer(f"its expires_in is {_describe(value)}, not a number of seconds")
    # Compared before any conversion (int/float comparisons are exact, so a huge int cannot overflow), and NaN
    # fails every comparison, so it lands here too. At least a second: a token expiring as it arrives is useless,
    # and a tiny lifetime (4e-226) would vanish when added to the clock, leaving expires_at == issued_at.
    if not MIN_EXPIRES_IN <= number <= MAX_EXPIRES_IN:
        raise _UnusableAnswer(f"its expires_in is {_describe(value)}: a token must last at least a second and "
                              "at most a year")
    return float(number)


def _finite(value: Any) -> float | None:
    """A finite number as a float, else ``None`` (bools, text, NaN, infinities and ints beyond float range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if -1e18 <= value <= 1e18 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def _describe(value: Any, *, secret: bool = False) -> str:
    """A short, printable description of a value for an error message; a ``secret`` value is described by type only."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if secret:  # its kind only
        if isinstance(value, (int, float)):
            return "a number"
        return "text" if isinstance(value, str) else "some other value"
    if isinstance(value, int) and not -1e30 < value < 1e30:
        return "a huge number"  # repr() of a huge int is slow, or refused beyond 4300 digits
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        text = "".join(ch if ch.isprintable() else "?" for ch in value[:40])
        return repr(text + ("…" if len(value) > 40 else ""))
    return f"a {type(value).__name__}"


def _claimed_scope(claims: dict[str, Any]) -> str:
    scope = claims.get("scope") or claims.get("scopes") or ""
    return " ".join(scope) if isinstance(scope, list) else scope


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, *unverified*: read only for display and account discovery, never for trust.

    Never raises: opaque (v2) tokens, anything unreadable and anything that is not text give ``{}``. The claims
    ls_widget uses are kept only when well-typed, and dropped (as if absent) otherwise: ``acct`` (text of id
    characters, or a non-negative integer), ``scope``/``scopes`` (text or a list of texts), ``exp``/``iat``/``nbf``
    (finite numbers).
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return {}
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = parts[1].encode("ascii")
        claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    except (ValueError, RecursionError):  # not ASCII, base64, UTF-8 or JSON (all ValueErrors), or absurdly nested
        return {}
    if not isinstance(claims, dict):
        return {}
    acct = claims.get("acct")
    if "acct" in claims and not (
        (isinstance(acct, str) and _ACCOUNT_ID.fullmatch(acct))
        or (isinstance(acct, int) and not isinstance(acct, bool) and 0 <= acct < 10**18)
    ):
        del claims["acct"]
    for name in ("scope", "scopes"):
        value = claims.get(name)
        if name in claims and not (
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(s, str) for s in value))
        ):
            del claims[name]
    for name in ("exp", "iat", "nbf"):
        if name in claims and _finite(claims[name]) is None:
            del claims[name]
    return claims
