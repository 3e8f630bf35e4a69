"""The authorization URL, the redirect and its checks (the token requests are tested against the sandbox)."""

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ls_widget import AuthorizationError
from ls_widget.credentials import Credentials
from ls_widget.oauth import check_redirect, parse_redirect, s256_challenge, start_authorization
from ls_widget.profiles import V2, V3

SCOPES = ("employee:inventory_read", "employee:register_read")


def test_authorize_url_carries_exactly_lightspeeds_parameters():
    url, pending = start_authorization(V3, Credentials("cid", "secret"), SCOPES)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://cloud.lightspeedapp.com/auth/oauth/authorize"
    query = parse_qs(parts.query)
    assert set(query) == {"response_type", "client_id", "scope", "state", "code_challenge", "code_challenge_method"}
    assert query["response_type"] == ["code"] and query["client_id"] == ["cid"]
    assert query["scope"] == ["employee:inventory_read employee:register_read"]
    assert "%20" in parts.query and "+" not in parts.query
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [pending.state]
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).decode().rstrip("=")]
    assert "secret" not in url


def test_the_s256_challenge_matches_rfc_7636_appendix_b():
    assert s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_state_and_verifier_are_fresh_strong_and_well_formed():
    seen = set()
    for _ in range(20):
        _, pending = start_authorization(V2, Credentials("cid"), SCOPES)
        assert len(pending.state) >= 43  # 32 random bytes, base64url: 256 bits
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,128}", pending.code_verifier)
        seen.add((pending.state, pending.code_verifier))
    assert len(seen) == 20


def test_v2_uses_the_legacy_authorize_endpoint():
    url, _ = start_authorization(V2, Credentials("cid"), SCOPES)
    assert url.startswith("https://cloud.merchantos.com/oauth/authorize.php?")


def test_pending_flow_prints_without_state_or_verifier():
    _, pending = start_authorization(V3, Credentials("cid", "secret"), SCOPES)
    assert pending.state not in repr(pending) and pending.code_verifier not in repr(pending)
    assert "secret" not in repr(Credentials("cid", "secret"))


@pytest.mark.parametrize(
    "pasted",
    [
        "https://localhost/?code=abc&state=xyz",
        "https://localhost?code=abc&state=xyz",
        "  https://localhost/cb?state=xyz&code=abc  ",
        "?code=abc&state=xyz",
        "code=abc&state=xyz",
        "http://127.0.0.1:8888/lab/ls-widget/oauth/callback?code=abc&state=xyz",
    ],
)
def test_redirect_forms_an_analyst_may_paste(pasted):
    result = parse_redirect(pasted)
    assert (result.code, result.state, result.error) == ("abc", "xyz", None)


def test_error_redirect_is_read():
    result = parse_redirect("https://localhost/?error=access_denied&error_description=The+user+said+no&state=s")
    assert (result.error, result.error_description, result.state) == ("access_denied", "The user said no", "s")


@pytest.mark.parametrize("pasted", ["", "   ", "https://localhost/", "https://localhost/?state=only"])
def test_a_paste_without_a_code_explains_what_to_copy(pasted):
    with pytest.raises(AuthorizationError) as info:
        parse_redirect(pasted)
    assert info.value.error == "invalid_request"


def test_redirect_checks():
    _, pending = start_authorization(V3, Credentials("cid"), SCOPES)
    ok = parse_redirect(f"https://localhost/?code=the-code&state={pending.state}")
    assert check_redirect(ok, pending) == "the-code"
    with pytest.raises(AuthorizationError, match="does not match") as info:
        check_redirect(parse_redirect("https://localhost/?code=c&state=forged"), pending)
    assert info.value.error == "invalid_state"
    with pytest.raises(AuthorizationError) as info:
        check_redirect(parse_redirect("https://localhost/?code=c"), pending)
    assert info.value.error == "invalid_state"
    with pytest.raises(AuthorizationError, match="denied") as info:
        check_redirect(parse_redirect(f"https://localhost/?error=access_denied&state={pending.state}"), pending)
    assert info.value.error == "access_denied"
    with pytest.raises(AuthorizationError, match="No sign-in is in progress"):
        check_redirect(ok, None)


def test_error_messages_never_carry_the_code():
    _, pending = start_authorization(V3, Credentials("cid"), SCOPES)
    with pytest.raises(AuthorizationError) as info:
        check_redirect(parse_redirect("https://localhost/?code=SECRETCODE&state=forged"), pending)
    assert "SECRETCODE" not in str(info.value)


def test_importing_the_package_shows_no_warning():
    """A warning raised on import prints in red in every notebook (authlib's httpx notice once did)."""
    import subprocess
    import sys

    code = "import ls_widget; ls_widget.LightspeedConnection"
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "Warning" not in done.stderr, done.stderr


def test_signing_in_and_refreshing_need_no_oauth_library():
    """authlib is no dependency: the authorize URL, the code exchange and a refresh run with it made unimportable."""
    import subprocess
    import sys

    code = """if True:
        import sys, time
        sys.modules["authlib"] = None  # `import authlib` now fails as if it were not installed
        import httpx
        from ls_widget.credentials import Credentials
        from ls_widget.oauth import start_authorization
        from ls_widget.profiles import V3
        from ls_widget.token_endpoint import exchange_code, refresh
        answer = b'{"token_type": "Bearer", "expires_in": 3600, "access_token": "a1", "refresh_token": "r1"}'
        mock = httpx.MockTransport(lambda request: httpx.Response(200, content=answer))
        _, pending = start_authorization(V3, Credentials("cid"), ("employee:all",))
        token = exchange_code(V3, Credentials("cid"), "the-code", pending, _transport=mock)
        print(refresh(V3, Credentials("cid"), token, _transport=mock).access_token)
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["a1"], done.stdout
