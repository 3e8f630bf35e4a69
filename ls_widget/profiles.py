"""The two Lightspeed Retail (R-Series) API types as data.

Everything that differs between "Lightspeed v2" (the legacy MerchantOS server and the unversioned API) and
"Lightspeed v3" (the 2024 OAuth server and the ``/API/V3`` paths) lives here, so the rest of the package asks a
profile instead of branching on the API type. Facts and sources: docs/lightspeed-api.md sections 1-3 and 6.

``LS_WIDGET_AUTH_URL`` and ``LS_WIDGET_API_URL`` replace the default hosts (the paths stay Lightspeed's); they are
read on every call so a sandbox started in the same process takes effect at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, Mapping
from urllib.parse import urlsplit

ApiType = Literal["v2", "v3"]

AUTH_URL_ENV = "LS_WIDGET_AUTH_URL"
API_URL_ENV = "LS_WIDGET_API_URL"
# The deployment's built-in client for v2 (docs/lightspeed-api.md section 6).
V2_CLIENT_ID_ENV = "LS_WIDGET_V2_CLIENT_ID"
V2_CLIENT_SECRET_ENV = "LS_WIDGET_V2_CLIENT_SECRET"


@dataclass(frozen=True)
class Scope:
    id: str
    description: str


def _catalog(*pairs: tuple[str, str]) -> Mapping[str, Scope]:
    return MappingProxyType({scope_id: Scope(scope_id, text) for scope_id, text in pairs})


# The 30 current scopes, descriptions verbatim from Lightspeed's scopes page (docs/lightspeed-api.md section 2).
V3_SCOPES = _catalog(
    ("employee:all", "Grants full read and write access to the account. This grant will automatically assume all "
                     "access rights that the authorizing user possesses"),
    ("employee:admin", "View, create, update, and archive administrative records."),
    ("employee:admin_employees", "View, create, update, and archive employees."),
    ("employee:admin_inventory", "View, create, update, and archive vendors and manufacturers."),
    ("employee:admin_purchases", "View, create, update, and archive payment types, discounts, and taxes."),
    ("employee:admin_shops", "View, create, update, and archive shops."),
    ("employee:admin_void_sale", "Void sales."),
    ("employee:categories", "View, create, update, and archive product categories."),
    ("employee:customers", "View, create, update, and archive customers."),
    ("employee:customers_read", "View customer accounts."),
    ("employee:customers_view_gift_card_numbers",
     'View the "code" field unmasked in the response payloads of the credit account endpoints.'),
    ("employee:inventory", "View, create, update, and archive items and inventory."),
    ("employee:inventory_counts", "View, create, update inventory counts."),
    ("employee:inventory_counts_reconcile", "Reconcile inventory counts."),
    ("employee:inventory_read", "View items and inventory."),
    ("employee:manufacturers", "View, create, update, and archive manufacturers."),
    ("employee:product_cost", "View and edit product cost values"),
    ("employee:product_edit", "create, update, and archive products"),
    ("employee:purchase_orders", "View, create, and update purchase orders"),
    ("employee:register", "Create new sales and read sales history."),
    ("employee:register_layaway", "Create layaway sales."),
    ("employee:register_read", "Read sales history."),
    ("employee:register_refund", "Create refund sales."),
    ("employee:reports", "View reports."),
    ("employee:special_orders", "View, create, and update special orders."),
    ("employee:tags", "View, create, update, and archive product tags."),
    ("employee:transfers", "View, create, update, and archive transfers."),
    ("employee:vendors", "View, create, update and archive vendors."),
    ("employee:vendor_returns", "View vendor returns."),
    ("employee:workbench", "View, create, update, and archive work orders."),
)

# The legacy 14-scope list, in the order integrations offered it (docs/lightspeed-api.md section 6). Lightspeed
# documents no separate text for the legacy scopes; the shared ones mean what they mean today.
V2_SCOPES = _catalog(
    *((scope_id, V3_SCOPES[scope_id].description) for scope_id in (
        "employee:all", "employee:register", "employee:register_read", "employee:inventory", "employee:reports",
        "employee:admin", "employee:admin_shops", "employee:admin_employees", "employee:admin_purchases",
        "employee:admin_void_sale", "employee:admin_inventory", "employee:customers", "employee:customers_read",
    )),
    ("employee:customers_credit_limit",
     "Set customers' credit limits (legacy scope; not in Lightspeed's current scope list)."),
)


@dataclass(frozen=True)
class Profile:
    """Endpoints and behaviour of one API type. Hosts are resolved late (see module docstring)."""

    api_type: ApiType
    label: str
    summary: str
    default_auth_url: str
    default_api_url: str
    authorize_path: str
    token_path: str
    revoke_path: str | None
    api_prefix: str
    pagination: Literal["cursor", "offset"]
    # "user": the analyst registers their own client and picks it in the panel;
    # "builtin": the deployment's client from LS_WIDGET_V2_CLIENT_ID / LS_WIDGET_V2_CLIENT_SECRET.
    client_source: Literal["user", "builtin"]
    code_lifetime: int  # seconds an authorization code lives (section 1.3): the paste box counts it down
    # Refresh ahead of expiry (v3), or only at expiry and on a 401 (v2: the legacy server answers an early refresh
    # with the same access token, so refreshing early gains nothing and repeats on every request).
    refresh_ahead: bool
    scopes: Mapping[str, Scope]

    @property
    def auth_url(self) -> str:
        return _host(AUTH_URL_ENV, self.default_auth_url)

    @property
    def api_url(self) -> str:
        return _host(API_URL_ENV, self.default_api_url)

    @property
    def authorize_endpoint(self) -> str:
        return self.auth_url + self.authorize_path

    @property
    def token_endpoint(self) -> str:
        return self.auth_url + self.token_path

    @property
    def revoke_endpoint(self) -> str | None:
        return self.auth_url + self.revoke_path if self.revoke_path else None

    @property
    def accounts_endpoint(self) -> str:
        """``Account.json``: the account(s) the access token belongs to."""
        return f"{self.api_url}{self.api_prefix}/Account.json"

    def account_url(self, account_id: str) -> str:
        """Base URL of one account's resources; append ``/{Resource}.json``."""
        return f"{self.api_url}{self.api_prefix}/Account/{account_id}"

    @property
    def auth_host_is_loopback(self) -> bool:
        """True for a local authorization server (the sandbox), where the Jupyter-route capture always works."""
        host = urlsplit(self.auth_url).hostname or ""
        return host == "localhost" or host == "::1" or host.startswith("127.")

    def unknown_scopes(self, scopes) -> list[str]:
        return [scope for scope in scopes if scope not in self.scopes]


def _host(env_name: str, default: str) -> str:
    return (os.environ.get(env_name) or default).rstrip("/")


V3 = Profile(
    api_type="v3",
    label="Lightspeed v3",
    summary="Retail POS (R-Series), new version API",
    default_auth_url="https://cloud.lightspeedapp.com",
    default_api_url="https://api.lightspeedapp.com",
    authorize_path="/auth/oauth/authorize",
    token_path="/auth/oauth/token",
    revoke_path="/auth/oauth/revoke",
    api_prefix="/API/V3",
    pagination="cursor",
    client_source="user",
    code_lifetime=60,
    refresh_ahead=True,
    scopes=V3_SCOPES,
)

V2 = Profile(
    api_type="v2",
    label="Lightspeed v2",
    summary="Retail POS (R-Series), old version API",
    default_auth_url="https://cloud.merchantos.com",
    default_api_url="https://api.merchantos.com",
    authorize_path="/oauth/authorize.php",
    token_path="/oauth/access_token.php",
    revoke_path=None,
    api_prefix="/API",
    pagination="offset",
    client_source="builtin",
    code_lifetime=30,
    refresh_ahead=False,
    scopes=V2_SCOPES,
)

PROFILES: Mapping[str, Profile] = MappingProxyType({"v3": V3, "v2": V2})


def get_profile(api_type: str) -> Profile:
    try:
        return PROFILES[api_type]
    except KeyError:
        raise ValueError(f"api_type must be 'v2' or 'v3', not {api_type!r}") from None


def panel_catalog() -> dict:
    """What the panel needs to draw both API types: labels, explanations, client source, how long an authorization
    code lives (the paste help and countdown: the panel has no default of its own) and scope catalogs. Sent in the
    `_profiles` trait; js/fixtures/panel_state.json holds a copy for the JS tests (scripts/panel_fixture.py)."""
    return {
        profile.api_type: {
            "label": profile.label,
            "summary": profile.summary,
            "client_source": profile.client_source,
            "code_lifetime": profile.code_lifetime,
            "scopes": [{"id": s.id, "description": s.description} for s in profile.scopes.values()],
        }
        for profile in (V2, V3)
    }
