"""Who signs in: the OAuth client's credentials, found without importing any OAuth machinery.

The panel checks them on every "Save and authorize" (is the chosen client stored? is the v2 built-in client set?),
so this module stays light: httpx and the OAuth code load only when a sign-in or a request actually happens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .clients import OAuthClient
from .errors import ConfigurationError
from .profiles import V2_CLIENT_ID_ENV, V2_CLIENT_SECRET_ENV, Profile


@dataclass(frozen=True)
class Credentials:
    """The client that signs in: the analyst's (v3) or the deployment's built-in one (v2)."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)


def credentials_for(profile: Profile, oauth_client: str | None) -> Credentials:
    """Who signs in: the chosen stored client (v3), or the deployment's built-in client (v2)."""
    if profile.client_source == "builtin":
        client_id = os.environ.get(V2_CLIENT_ID_ENV, "").strip()
        if not client_id:
            raise ConfigurationError(
                f"Lightspeed v2 signs in with this deployment's built-in client, and none is set: set the environment "
                f"variables {V2_CLIENT_ID_ENV} and {V2_CLIENT_SECRET_ENV} before starting Jupyter, or use Lightspeed v3."
            )
        return Credentials(client_id, os.environ.get(V2_CLIENT_SECRET_ENV, "").strip() or None)
    if not oauth_client:
        raise ConfigurationError("Choose an OAuth 2.0 client (oauth_client=...) before authorizing with Lightspeed v3.")
    client = OAuthClient.load(oauth_client)  # ClientNotFoundError / StoreError, both typed
    return Credentials(client.client_id, client.client_secret)
