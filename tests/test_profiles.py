import pytest

from ls_widget import profiles


def test_v3_is_the_current_server_and_api():
    v3 = profiles.get_profile("v3")
    assert v3.authorize_endpoint == "https://cloud.lightspeedapp.com/auth/oauth/authorize"
    assert v3.token_endpoint == "https://cloud.lightspeedapp.com/auth/oauth/token"
    assert v3.revoke_endpoint == "https://cloud.lightspeedapp.com/auth/oauth/revoke"
    assert v3.accounts_endpoint == "https://api.lightspeedapp.com/API/V3/Account.json"
    assert v3.account_url("5") == "https://api.lightspeedapp.com/API/V3/Account/5"
    assert (v3.pagination, v3.client_source) == ("cursor", "user")


def test_v2_is_the_legacy_merchantos_server():
    v2 = profiles.get_profile("v2")
    assert v2.authorize_endpoint == "https://cloud.merchantos.com/oauth/authorize.php"
    assert v2.token_endpoint == "https://cloud.merchantos.com/oauth/access_token.php"
    assert v2.revoke_endpoint is None
    assert v2.account_url("7") == "https://api.merchantos.com/API/Account/7"
    assert (v2.pagination, v2.client_source) == ("offset", "builtin")


def test_scope_catalogs_match_lightspeed():
    v3, v2 = profiles.V3.scopes, profiles.V2.scopes
    assert len(v3) == 30 and all(s.startswith("employee:") for s in v3)
    assert len(v2) == 14
    assert list(v2)[:3] == ["employee:all", "employee:register", "employee:register_read"]
    assert "employee:customers_credit_limit" in v2 and "employee:customers_credit_limit" not in v3
    assert v3["employee:inventory_read"].description == "View items and inventory."
    assert all(scope.description for scope in (*v3.values(), *v2.values()))


def test_environment_replaces_hosts_but_keeps_lightspeeds_paths(monkeypatch):
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("LS_WIDGET_API_URL", "https://proxy.example.com/ls")
    assert profiles.V3.authorize_endpoint == "http://127.0.0.1:9999/auth/oauth/authorize"
    assert profiles.V2.token_endpoint == "http://127.0.0.1:9999/oauth/access_token.php"
    assert profiles.V3.account_url("1") == "https://proxy.example.com/ls/API/V3/Account/1"
    assert profiles.V3.auth_host_is_loopback
    monkeypatch.setenv("LS_WIDGET_AUTH_URL", "https://cloud.lightspeedapp.com")
    assert not profiles.V3.auth_host_is_loopback


def test_unknown_api_type_is_a_clear_error():
    with pytest.raises(ValueError, match="'v2' or 'v3'"):
        profiles.get_profile("v4")


def test_panel_catalog_carries_both_profiles():
    catalog = profiles.panel_catalog()
    assert catalog["v3"]["label"] == "Lightspeed v3"
    assert catalog["v2"]["summary"] == "Retail POS (R-Series), old version API"
    assert catalog["v3"]["client_source"] == "user" and catalog["v2"]["client_source"] == "builtin"
    assert (catalog["v3"]["code_lifetime"], catalog["v2"]["code_lifetime"]) == (60, 30)
    assert [s["id"] for s in catalog["v2"]["scopes"]] == list(profiles.V2.scopes)
