"""The rules for a connection's settings, as values: what each may be, and what stops a sign-in.

``Connection`` (connection.py) owns the settings and applies these rules in ``update()`` and
``validation_errors()``; they live here, apart from the sign-in and the session, so each rule is read in one place.
Every refusal is a ``ConfigurationError`` that names the setting and shows the wrong value only when it is short.
"""

from __future__ import annotations

from typing import Any

from . import profiles
from .clients import OAuthClient, oauth_clients
from .connections import CAPTURE_MODES, check_new_name
from .credentials import credentials_for
from .errors import ConfigurationError
from .names import normalize_name

# What a connection is set up with; each is a property of Connection, and update() changes several as one.
SETTINGS = ("name", "api_type", "scopes", "oauth_client", "capture_mode")


def checked_settings(current: dict[str, Any], settings: dict[str, Any],
                     bound: str | None) -> tuple[dict[str, Any], list[str]]:
    """All settings as they would be after ``update(**settings)`` from ``current`` (``ConfigurationError`` for a
    bad value), and the chosen scopes a change of API type drops. ``bound``: the stored name a sign-in belongs to."""
    new = dict(current)
    if "api_type" in settings:
        new["api_type"] = _api_type(settings["api_type"])
    profile = profiles.get_profile(new["api_type"])
    if "name" in settings:
        name = _text_name(settings["name"])
        if bound is not None and not _same_name(name, bound):
            raise ConfigurationError(rename_refusal(bound))
        new["name"] = name
    dropped: list[str] = []
    if "scopes" in settings:
        new["scopes"] = _catalogued_scopes(profile, settings["scopes"])
    elif new["api_type"] != current["api_type"]:
        dropped = profile.unknown_scopes(new["scopes"])
        new["scopes"] = [scope for scope in new["scopes"] if scope not in dropped]
    if "oauth_client" in settings:
        new["oauth_client"] = _client_name(settings["oauth_client"])
    if "capture_mode" in settings:
        new["capture_mode"] = _capture_mode(settings["capture_mode"])
    return new, dropped


def rename_refusal(bound: str) -> str:
    return (f"This connection is signed in as {bound!r}, and its sign-in is stored under that name. "
            f"Rename it with conn.rename('new name') (which moves the sign-in too), or Disconnect first.")


def setting_problems(name: str, profile: profiles.Profile, scopes: list[str], oauth_client: str | None, *,
                     bound: str | None) -> dict[str, str]:
    """Per-setting problems that stop a sign-in, keyed by setting (empty when all is well)."""
    errors: dict[str, str] = {}
    try:
        if bound is None:  # a new sign-in: the name must not clash (in letter case) with a saved one
            check_new_name(name)
        else:
            normalize_name(name, what="connection")
    except ConfigurationError as exc:
        errors["name"] = str(exc)
    unknown = profile.unknown_scopes(scopes)  # a saved record's, from an older catalogue
    if not scopes:
        errors["scopes"] = "Choose at least one scope with 'Edit scopes'."
    elif unknown:
        errors["scopes"] = _not_offered(profile, unknown)
    if profile.client_source == "user":
        if not oauth_client:
            errors["oauth_client"] = "Choose an OAuth 2.0 client, or add one with 'Add OAuth 2.0 client'."
        elif oauth_client not in oauth_clients():
            errors["oauth_client"] = f"The OAuth 2.0 client {oauth_client!r} is no longer stored: add it again."
    else:
        try:
            credentials_for(profile, None)  # the built-in client must be configured
        except ConfigurationError as exc:
            errors["api_type"] = str(exc)
    return errors

def _api_type(value: object) -> str:
    if not isinstance(value, str) or value not in profiles.PROFILES:
        raise ConfigurationError(f"api_type must be one of {', '.join(map(repr, profiles.PROFILES))}, not "
                                 f"{_shown(value)}.")
    return value


def _catalogued_scopes(profile: profiles.Profile, value: object) -> list[str]:
    """``value`` as the list of scope ids it names, each once, all from ``profile``'s catalogue."""
    chosen = list(dict.fromkeys(_scope_list(value)))  # repeats once, in the order given
    unknown = profile.unknown_scopes(chosen)
    if unknown:
        raise ConfigurationError(_not_offered(profile, unknown))
    return chosen


def _not_offered(profile: profiles.Profile, unknown: list[str]) -> str:
    return (f"{', '.join(unknown)} {'is not a' if len(unknown) == 1 else 'are not'} {profile.label} "
            f"scope{'' if len(unknown) == 1 else 's'}: choose from {', '.join(profile.scopes)}.")


def _client_name(value: object) -> str | None:
    """The stored client ``value`` names (an ``OAuthClient`` names itself; it is stored once every check passed)."""
    if value is None or value == "":
        return None
    if isinstance(value, OAuthClient):
        return value.name
    if not isinstance(value, str):
        raise ConfigurationError(f"oauth_client must be the name of a stored OAuth 2.0 client, an OAuthClient or "
                                 f"None, not {_shown(value)}.")
    if value not in oauth_clients():
        # The other stored names stay out of this message: the panel shows it in `_notice`, which a saved notebook
        # keeps, and they belong to other projects. ls_widget.oauth_clients() lists them.
        raise ConfigurationError(
            f"No stored OAuth 2.0 client named {value!r}. Add it with 'Add OAuth 2.0 client' in the panel, or "
            f"OAuthClient(name, client_id, client_secret).save(); ls_widget.oauth_clients() lists the stored ones."
        )
    return value


def _capture_mode(value: object) -> str:
    if not isinstance(value, str) or value not in CAPTURE_MODES:
        raise ConfigurationError(f"capture_mode must be one of {', '.join(map(repr, CAPTURE_MODES))}, not "
                                 f"{_shown(value)}.")
    return value


def _scope_list(value: object) -> list[str]:
    """``value`` as a list of scope ids, or ``ConfigurationError`` naming ``scopes``: a list, tuple or other iterable
    of strings. A lone string is refused rather than split into letters (or guessed at by its spaces)."""
    if isinstance(value, str):
        raise ConfigurationError(f"scopes must be a list of scope ids, e.g. [{value!r}], not one string.")
    if value is None or isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
        raise ConfigurationError(f"scopes must be a list of scope ids, e.g. ['employee:inventory_read'], not "
                                 f"{_shown(value)}.")
    chosen = list(value)
    wrong = [scope for scope in chosen if not isinstance(scope, str)]
    if wrong:
        raise ConfigurationError(f"scopes must hold scope ids (text), not {_shown(wrong[0])}.")
    return chosen


def _text_name(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"name must be text, e.g. 'Downtown store reports', not {_shown(value)}.")
    return value


def _shown(value: object) -> str:
    """A wrong value as a message shows it: its type, and the value itself when it is short."""
    if value is None:
        return "None"
    text = repr(value)
    return f"the {type(value).__name__} {text}" if len(text) <= 40 else f"a {type(value).__name__}"


def _same_name(a: str, b: str) -> bool:
    """Whether two names are the same record (an invalid name is the same as nothing)."""
    try:
        return normalize_name(a, what="connection") == normalize_name(b, what="connection")
    except ConfigurationError:
        return False
