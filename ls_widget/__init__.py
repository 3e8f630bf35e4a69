"""ls_widget: connect a Jupyter notebook to a Lightspeed Retail (R-Series) account.

``LightspeedConnection()`` shows the connection panel; ``OAuthClient`` stores the OAuth 2.0 client you registered
at Lightspeed. See the README for the whole flow.
"""

from .clients import OAuthClient, oauth_clients
from .connections import saved_connections
from .errors import (
    ApiError,
    AuthorizationError,
    ClientNotFoundError,
    ConfigurationError,
    LightspeedError,
    NotConnectedError,
)
from .panel import LightspeedConnection
from .session import LightspeedSession

__all__ = [
    "ApiError",
    "AuthorizationError",
    "ClientNotFoundError",
    "ConfigurationError",
    "LightspeedConnection",
    "LightspeedError",
    "LightspeedSession",
    "NotConnectedError",
    "OAuthClient",
    "oauth_clients",
    "saved_connections",
]
__version__ = "0.1.0"
