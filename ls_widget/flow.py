"""The sign-in's steps, given the credentials (``credentials.py`` finds them): the authorize URL, then the redirect
checked, the code traded, the tokens stored and the account found.

Kept apart from the panel and from ``connection.py``, which calls these steps for a sign-in (``begin``, ``complete``)
and, when a saved connection is reopened, to prove its stored sign-in still works (``discover_account``). The
analyst's session is ``connection.py``'s to open; ``discover_account`` opens only a short-lived probe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .auth import SignIn
from .credentials import Credentials
from .errors import AuthorizationError, ConfigurationError
from .oauth import (
    PendingAuthorization,
    RedirectResult,
    check_redirect,
    parse_redirect,
    start_authorization,
)
from .profiles import Profile
from .session import LightspeedSession, Page, api_error
from .token_endpoint import exchange_code
from .token_store import TokenStore


_RELAYED = object()  # no redirected address given: the fields came relayed from the callback page


@dataclass
class Connected:
    account_id: str
    account_name: str


def begin(profile: Profile, credentials: Credentials, scopes) -> tuple[str, PendingAuthorization]:
    if not scopes:
        raise ConfigurationError("Choose at least one scope before authorizing.")
    return start_authorization(profile, credentials, scopes)


def complete(
    profile: Profile,
    credentials: Credentials,
    pending: PendingAuthorization | None,
    tokens: TokenStore,
    *,
    redirected_url: Any = _RELAYED,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> Connected:
    """Check the redirect against ``pending``, trade the code, store the tokens, and find the account.

    ``redirected_url`` is the pasted address (``None`` when nothing was pasted); without it, the relayed fields.
    """
    if redirected_url is None:
        # complete_authorization(None), e.g. an input() left empty or a variable never filled: say what is missing,
        # not that some redirect "does not belong to this sign-in".
        raise AuthorizationError(
            "Nothing was pasted: give complete_authorization() the whole address from the browser's address bar "
            "after approving (it starts with https:// and contains '?code=').",
            error="invalid_request",
        )
    if redirected_url is not _RELAYED:
        result = parse_redirect(redirected_url)
    else:
        result = RedirectResult(code=code, state=state, error=error, error_description=error_description)
    auth_code = check_redirect(result, pending)
    if pending.api_type != profile.api_type or pending.client_id != credentials.client_id:
        raise AuthorizationError(
            "The API type or OAuth 2.0 client changed after the sign-in started: click 'Save and authorize' again.",
            error="invalid_request",
        )
    token = exchange_code(profile, credentials, auth_code, pending)
    tokens.save(token)  # before first use: Lightspeed retires the old refresh token once the new access token is used
    account_id, account_name = discover_account(profile, SignIn(profile, credentials, tokens), token.account_id)
    return Connected(account_id, account_name)


def discover_account(profile: Profile, sign_in: SignIn, known_id: str | None) -> tuple[str, str]:
    """The account id (JWT ``acct`` claim or the saved one, else ``Account.json``) and its name (``Account.json``).

    The probe goes through a session, so a token about to expire (or refused with a 401) is refreshed on the way,
    in the store: the caller never holds a token that might have been spent meanwhile.
    """
    token = sign_in.token()
    known_id = token.account_id or known_id or ""
    with LightspeedSession(profile, sign_in, known_id) as probe:
        response = probe.request("GET", profile.accounts_endpoint)
        if response.status_code >= 400:
            raise api_error(response)
        page = Page.read(response)
        accounts = page.records("Account")
    ids = [account.get("accountID") for account in accounts]
    if not all(isinstance(account_id, (str, int)) and str(account_id).strip() for account_id in ids):
        raise page.invalid("lists an account without a readable accountID")
    if not accounts:
        if known_id:
            return known_id, ""
        raise AuthorizationError("Lightspeed signed you in but listed no account for this user.", error="no_account")
    chosen = next((a for a in accounts if str(a.get("accountID")) == str(known_id)), accounts[0])
    name = chosen.get("name")
    return str(known_id or chosen.get("accountID")), name.strip() if isinstance(name, str) else ""
