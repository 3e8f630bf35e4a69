"""The sandbox's OAuth client registry: what Lightspeed's client page (``/oauth/register.php``) holds.

A client has a name, an ID, an optional secret, one redirect URI (the page has a single field, section 1.10) and the
"publicly distributed" flag (public clients need PKCE, their secret is optional, section 1.4). Two clients are
registered at start:
- the demo client (confidential, for Lightspeed v3), which ``Sandbox.client`` and ``Sandbox.connection()`` use;
- the deployment's built-in v2 client (``LS_WIDGET_V2_CLIENT_ID`` / ``_SECRET``; docs/lightspeed-api.md section 6).
Their IDs and secrets derive from the seed, so another process (a browser test driving ``python -m
ls_widget.sandbox``) can know them; every other client gets random ones. Both follow the panel
(``follows_the_panel``): the sandbox registers the redirect URI shown by the panel signing in with them, the step an
analyst takes once on Lightspeed's client page (panels.py). Any other client keeps the URI it was registered with
unless ``follows_the_panel=True`` is asked for at registration.

Redirect URIs: Lightspeed requires HTTPS and no fragment. The sandbox also accepts plain http on a loopback host
(127.0.0.0/8, ``localhost``, ``[::1]``) so a local Jupyter server can catch the redirect; the consent page says so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RegisteredClient:
    client_id: str
    name: str
    redirect_uri: str
    secret: str | None = None
    public: bool = False
    # Its redirect URI becomes the one the panel signing in with it shows (panels.py), as for the clients the sandbox
    # hands out for trying the panel; otherwise it is only ever the registered one, as at Lightspeed.
    follows_the_panel: bool = False

    @property
    def confidential(self) -> bool:
        return not self.public


class ClientRegistry:
    def __init__(self, seed: int, demo_redirect_uri: str) -> None:
        self._clients: dict[str, RegisteredClient] = {}
        self.demo = self._add(RegisteredClient(
            client_id=_derived(seed, "demo client id", 64),
            name="Sandbox demo",
            redirect_uri=validate_redirect_uri(demo_redirect_uri),
            secret=_derived(seed, "demo client secret", 64),
            follows_the_panel=True,
        ))
        self.v2_builtin = self._add(RegisteredClient(
            client_id=_derived(seed, "v2 built-in client id", 40),
            name="Sandbox built-in (v2)",
            redirect_uri=validate_redirect_uri(demo_redirect_uri),
            secret=_derived(seed, "v2 built-in client secret", 40),
            follows_the_panel=True,
        ))

    def register(self, name: str, redirect_uri: str, public: bool = False, secret: str | None | bool = True,
                 client_id: str | None = None, follows_the_panel: bool = False) -> RegisteredClient:
        """Register a client. ``secret=True`` makes one up for a confidential client (a public one gets none);
        a string is used as given; ``None``/``False`` gives none (public clients only). ``follows_the_panel``: see
        ``RegisteredClient``."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError("A client needs a name.")
        if "lightspeed" in name.lower():
            raise ValueError("The client name must not contain 'Lightspeed' (Lightspeed's rule).")
        if secret is True:
            secret = None if public else secrets.token_hex(32)
        elif secret is False:
            secret = None
        if secret is None and not public:
            raise ValueError("A confidential client needs a secret; register it with public=True to go without.")
        client_id = client_id or secrets.token_hex(32)
        if client_id in self._clients:
            raise ValueError(f"A client with ID {client_id!r} is already registered.")
        return self._add(RegisteredClient(client_id=client_id, name=name.strip(),
                                          redirect_uri=validate_redirect_uri(redirect_uri),
                                          secret=secret, public=bool(public),
                                          follows_the_panel=bool(follows_the_panel)))

    def get(self, client_id: str | None) -> RegisteredClient | None:
        return self._clients.get(client_id or "")

    def set_redirect_uri(self, client_id: str, uri: str) -> RegisteredClient:
        client = self._clients.get(client_id)
        if client is None:
            raise KeyError(f"No client with ID {client_id!r} is registered.")
        client.redirect_uri = validate_redirect_uri(uri)
        return client

    def all(self) -> list[RegisteredClient]:
        return list(self._clients.values())

    def _add(self, client: RegisteredClient) -> RegisteredClient:
        self._clients[client.client_id] = client
        return client


def validate_redirect_uri(uri: str) -> str:
    if not isinstance(uri, str) or not uri.strip():
        raise ValueError("A redirect URI is required.")
    uri = uri.strip()
    parts = urlsplit(uri)
    if "#" in uri:
        raise ValueError("The redirect URI must not contain a fragment ('#').")
    if not parts.hostname:
        raise ValueError(f"The redirect URI {uri!r} is not an absolute URL.")
    if parts.scheme == "https":
        return uri
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return uri
    raise ValueError("The redirect URI must use HTTPS (the sandbox also accepts http on a loopback host).")


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _derived(seed: int, purpose: str, length: int) -> str:
    return hashlib.sha256(f"ls_widget sandbox {seed} {purpose}".encode()).hexdigest()[:length]
