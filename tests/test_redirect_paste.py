"""Whatever is pasted (or relayed) as the redirect, parse_redirect/check_redirect give a code or an AuthorizationError.

``invalid_request`` for input that cannot be used, ``invalid_state`` for a redirect that is not this sign-in's. The
state is checked before an ``error`` is believed: a stale or foreign ``?error=access_denied`` must not cancel the
sign-in in progress (the panel keeps a sign-in retryable on exactly those two codes).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ls_widget import AuthorizationError
from ls_widget.credentials import Credentials
from ls_widget.oauth import RedirectResult, check_redirect, parse_redirect, start_authorization
from ls_widget.profiles import V3


@pytest.fixture
def pending():
    return start_authorization(V3, Credentials("cid"), ("employee:all",))[1]


def refused(pasted, pending) -> AuthorizationError:
    with pytest.raises(AuthorizationError) as info:
        check_redirect(parse_redirect(pasted), pending)
    return info.value


@pytest.mark.parametrize(
    "pasted",
    [
        "https://localhost/?code=abc&state=é…",
        "https://localhost/?code=…",  # the README's placeholder, pasted literally
        "https://localhost/?code=abc&state=%C3%A9%E2%80%A6",
        "https://localhost/?code=abc&state=🎉",
        "https://localhost/?code=abc&state=\ud800",
    ],
    ids=["non-ascii-state", "readme-placeholder", "percent-encoded-non-ascii", "emoji", "lone-surrogate"],
)
def test_non_ascii_state_is_a_state_mismatch_not_a_type_error(pasted, pending):
    assert refused(pasted, pending).error == "invalid_state"


@pytest.mark.parametrize("pasted", [None, 0, 5, 3.5, b"https://localhost/?code=a&state=b", ["https://localhost/"],
                                    {"code": "a"}, object()],
                         ids=["none", "zero", "int", "float", "bytes", "list", "dict", "object"])
def test_what_is_not_text_is_an_invalid_request(pasted):
    with pytest.raises(AuthorizationError) as info:
        parse_redirect(pasted)
    assert info.value.error == "invalid_request"


class UnreadPaste(str):
    """A paste that fails the test if anything reads it beyond its length (strips it, searches it, splits it)."""

    def _read(self, *args, **kwargs):
        raise AssertionError("the paste was read before its length refused it")

    strip = lstrip = rstrip = startswith = split = find = encode = __contains__ = __iter__ = __getitem__ = _read


def test_a_ten_megabyte_paste_is_refused_at_once(pending, monkeypatch):
    # "At once": on its length alone, before any work over the ten megabytes (no copy, no parsing).
    pasted = UnreadPaste(f"https://localhost/?code=abc&state={pending.state}&pad=" + "x" * 10_000_000)
    for parser in ("urlsplit", "parse_qs"):
        monkeypatch.setattr(f"ls_widget.oauth.{parser}", UnreadPaste._read)
    with pytest.raises(AuthorizationError, match="characters long") as info:
        parse_redirect(pasted)
    assert f"{len(pasted)} characters long" in str(info.value)
    assert info.value.error == "invalid_request" and "abc" not in str(info.value)


@pytest.mark.parametrize("pasted", ["https://[::1/?code=a&state=b", "https://[oops]/?code=a&state=b"])
def test_an_address_urllib_cannot_split_is_an_invalid_request(pasted):
    with pytest.raises(AuthorizationError) as info:
        parse_redirect(pasted)
    assert info.value.error == "invalid_request"


@pytest.mark.parametrize("quote_char", ['"', "'", "<"])
def test_quotes_copied_along_with_the_address_are_dropped(quote_char, pending):
    closing = ">" if quote_char == "<" else quote_char
    pasted = f" {quote_char}https://localhost/?code=abc&state={pending.state}{closing}\n"
    assert check_redirect(parse_redirect(pasted), pending) == "abc"


def test_a_foreign_or_stale_error_redirect_cannot_cancel_the_sign_in(pending):
    for pasted in ("https://localhost/?error=access_denied&state=WRONG", "https://localhost/?error=access_denied",
                   "https://localhost/?error=access_denied&state="):
        error = refused(pasted, pending)
        assert error.error == "invalid_state" and "does not match" in str(error)
    # The same error with this sign-in's state is believed.
    error = refused(f"https://localhost/?error=access_denied&state={pending.state}", pending)
    assert error.error == "access_denied" and "denied" in str(error)


def test_a_relayed_error_is_checked_against_state_too(pending):
    with pytest.raises(AuthorizationError) as info:
        check_redirect(RedirectResult(error="access_denied", state=None), pending)
    assert info.value.error == "invalid_state"


def test_an_error_code_that_is_not_an_oauth_code_is_not_passed_on(pending):
    pasted = f"https://localhost/?error=%3Cscript%3E%0A&error_description=bad%00%1b[31m&state={pending.state}"
    error = refused(pasted, pending)
    assert error.error == "authorization_failed"
    assert str(error).isprintable() and "Save and authorize" in str(error)


@pytest.mark.parametrize(
    "result",
    [
        RedirectResult(code="c", state=5),
        RedirectResult(code="c", state=b"state"),
        RedirectResult(code="c", state=["s"]),
    ],
    ids=["int-state", "bytes-state", "list-state"],
)
def test_a_state_that_is_not_text_is_a_mismatch(result, pending):
    with pytest.raises(AuthorizationError) as info:
        check_redirect(result, pending)
    assert info.value.error == "invalid_state"


@pytest.mark.parametrize("code", [None, "", "   ", 5, b"code", "co\x00de", "code\ud800"])
def test_a_matching_redirect_without_a_usable_code_is_an_invalid_request(code, pending):
    with pytest.raises(AuthorizationError) as info:
        check_redirect(RedirectResult(code=code, state=pending.state), pending)
    assert info.value.error == "invalid_request"


def test_states_are_compared_as_utf8_bytes(pending):
    odd = dataclasses.replace(pending, state="état-🎉")
    assert check_redirect(parse_redirect(f"https://localhost/?code=abc&state={quote('état-🎉')}"), odd) == "abc"
    assert refused("https://localhost/?code=abc&state=etat-🎉", odd).error == "invalid_state"


def test_the_right_redirect_still_works_after_hostile_ones(pending):
    hostile = ("https://localhost/?code=abc&state=é…", "https://localhost/?error=access_denied&state=x", "x" * 70_000)
    for pasted in hostile:
        with pytest.raises(AuthorizationError):
            check_redirect(parse_redirect(pasted), pending)
    right = parse_redirect(f"https://localhost/?code=the-code&state={pending.state}")
    assert check_redirect(right, pending) == "the-code"


# --- properties ------------------------------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
PARAM = st.sampled_from(["code", "state", "error", "error_description", "x"])


@st.composite
def addresses(draw):
    """Redirect-shaped addresses with arbitrary (sometimes percent-encoded) values, and sometimes the right state."""
    pairs = draw(st.lists(st.tuples(PARAM, ANY_TEXT), max_size=5))
    encode = draw(st.booleans())
    # surrogatepass: a lone surrogate becomes bytes that are not UTF-8, as a hostile address could hold.
    query = "&".join(f"{key}={quote(value, safe='', errors='surrogatepass') if encode else value}"
                     for key, value in pairs)
    prefix = draw(st.sampled_from(["https://localhost/?", "?", "", "http://127.0.0.1:8888/lab/cb?", "/cb?"]))
    return prefix + query


@settings(max_examples=400)
@given(pasted=ANY_TEXT | addresses(), right_state=st.booleans())
def test_any_paste_gives_a_code_or_an_authorization_error(pasted, right_state):
    pending = start_authorization(V3, Credentials("cid"), ("employee:all",))[1]
    if right_state:
        pasted = pasted + f"&state={pending.state}"
    try:
        code = check_redirect(parse_redirect(pasted), pending)
    except AuthorizationError as exc:
        assert exc.error in ("invalid_request", "invalid_state") or right_state
        assert str(exc).isprintable()
        return
    assert isinstance(code, str) and code.strip()


VALUES = st.none() | ANY_TEXT | st.integers() | st.binary(max_size=10) | st.lists(st.text(max_size=3), max_size=2)


@settings(max_examples=300)
@given(code=VALUES, state=VALUES, error=VALUES, description=VALUES, pending_given=st.booleans())
def test_any_relayed_fields_give_a_code_or_an_authorization_error(code, state, error, description, pending_given):
    pending = start_authorization(V3, Credentials("cid"), ("employee:all",))[1] if pending_given else None
    result = RedirectResult(code=code, state=state, error=error, error_description=description)
    try:
        assert isinstance(check_redirect(result, pending), str)
    except AuthorizationError as exc:
        assert isinstance(exc.error, str) and exc.error
