"""The consent page: ``GET /auth/oauth/authorize`` (v3) and ``/oauth/authorize.php`` (v2), answered by a POST.

The request (docs/lightspeed-api.md section 1.3): ``response_type=code`` (the only value), ``client_id``, ``scope``
(space-separated; a ``+`` in the URL decodes to a space), optional ``state``, and PKCE's ``code_challenge`` and
``code_challenge_method`` (section 1.4). Errors before consent are an HTML page with status 400 naming the error:
``invalid_client`` (client ID missing or unknown), ``unsupported_response_type`` (UNCONFIRMED code: Lightspeed only
documents that ``code`` is the only accepted value), ``invalid_scope`` (scope missing or unknown), ``invalid_request``
(PKCE). A ``redirect_uri`` parameter is not part of Lightspeed's request: it is ignored, and the answer always goes
to the redirect URI registered for the client. For a client that follows the panel (the demo and v2 built-in
clients), a valid request first registers the redirect URI the panel signing in shows, the analyst's step on
Lightspeed's client page (panels.py says how the endpoint knows it).

The sandbox has no login step: the account's owner (employee 1) is taken as signed in. Approving redirects with
``code`` and ``state``; denying with ``error=access_denied``, ``error_description`` and ``state`` (RFC 6749; what
Lightspeed sends on deny is UNCONFIRMED).
"""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import urlencode, urlsplit

from ..profiles import get_profile
from .codes import check_challenge
from .errors import OAuthError
from .handler import BaseHandler
from .panels import redirect_uri_shown
from .registry import RegisteredClient, is_loopback

log = logging.getLogger("ls_widget.sandbox")

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d1f23;margin:0}
main{max-width:40rem;margin:2rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem 0;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.5rem;margin:.9rem 0 .6rem}
h2{font-size:1.1rem;margin:1rem 0 .4rem}
.banner{background:#fff4d6;border:1px solid #e6c766;padding:.5rem .75rem;border-radius:4px;font-size:.9rem}
.note{color:#555;font-size:.9rem}
li{margin:.4rem 0}
code{background:#f0f1f3;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere;word-break:break-all}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.5rem -2rem 0;padding:.75rem 2rem 1.5rem;
position:sticky;bottom:0;background:#fff;border-top:1px solid #e3e5e8;border-radius:0 0 8px 8px}
button{font-size:1rem;padding:.55rem 1.2rem;border-radius:4px;border:1px solid #888;background:#fff;cursor:pointer}
button[value=approve]{background:#0b63ce;border-color:#0b63ce;color:#fff}
@media (max-width:36rem){main{margin:0;border-radius:0;padding:1rem 1rem 0;box-shadow:none}
.actions{margin:1rem -1rem 0;padding:.75rem 1rem 1rem;border-radius:0}}
"""


class AuthorizeHandler(BaseHandler):
    fault_target = "authorize"
    profile: str

    def get(self) -> None:
        # Read before taking the lock: the panels live in the kernel's thread, and reading them may read the store.
        shown = self._redirect_uri_the_panel_shows()
        with self.state.lock:
            try:
                client, scopes, challenge, method = self._validate()
            except OAuthError as error:
                self._error_page(error)
                return
            if shown and client.follows_the_panel and shown != client.redirect_uri:
                self._register(client, shown)
            pending = self.state.codes.hold(self.profile, client.client_id, scopes,
                                            self.get_query_argument("state", None), challenge, method)
            page = self._consent_page(client, scopes, pending.request_id)
        self.set_header("Cache-Control", "no-store")
        if self.state.options.consent_coop:
            self.set_header("Cross-Origin-Opener-Policy", "same-origin")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)

    def post(self) -> None:
        with self.state.lock:
            pending = self.state.codes.take(self.get_body_argument("request_id", ""))
            client = self.state.registry.get(pending.client_id) if pending else None
            if pending is None or client is None or pending.profile != self.profile:
                self._error_page(OAuthError("invalid_request", "This authorization request has expired or was "
                                            "already answered: start the sign-in again from your application."))
                return
            params = {}
            if self.get_body_argument("decision", "") == "approve":
                account = self.state.account(self.get_body_argument("account", self.state.account_ids[0]))
                if account is None:
                    self._error_page(OAuthError("invalid_request", "Unknown account."))
                    return
                params["code"] = self.state.codes.issue(pending, account.account_id,
                                                        account.authorizing_employee["employeeID"])
            else:
                denied = OAuthError("access_denied", "The user denied the request")
                params.update(error=denied.error, error_description=denied.description)
            if pending.state is not None:
                params["state"] = pending.state
            target = client.redirect_uri
        separator = "&" if urlsplit(target).query else ("" if target.endswith("?") else "?")
        self.redirect(target + separator + urlencode(params), status=302)

    # -- the analyst's step on the client page (panels.py) -------------------------------------------------------
    def _redirect_uri_the_panel_shows(self) -> str | None:
        client = self.state.registry.get(self.get_query_argument("client_id", None))
        if client is None or not client.follows_the_panel:
            return None
        return redirect_uri_shown(self.profile, client.client_id)

    def _register(self, client: RegisteredClient, uri: str) -> None:
        try:
            self.state.registry.set_redirect_uri(client.client_id, uri)
        except ValueError as refused:  # what Lightspeed's client page would refuse too (plain http elsewhere, ...)
            log.warning("ls_widget sandbox: kept the redirect URI registered for %s: %s", client.client_id, refused)

    # -- validation ---------------------------------------------------------------------------------------------
    def _validate(self) -> tuple:
        arg = self.get_query_argument
        client = self.state.registry.get(arg("client_id", None))
        if client is None:
            raise OAuthError("invalid_client", "The client ID wasn't supplied or doesn't match any active OAuth "
                             "clients")
        if arg("response_type", None) != "code":
            raise OAuthError("unsupported_response_type", "code is the only accepted value of `response_type`")
        requested = arg("scope", "").split()
        if not requested:
            raise OAuthError("invalid_scope", "The scope wasn't specified: add a `scope` parameter")
        catalog = get_profile(self.profile).scopes
        unknown = [s for s in requested if s not in catalog]
        if unknown:
            raise OAuthError("invalid_scope", f"Check the `{unknown[0]}` scope")
        challenge, method = check_challenge(self.profile, arg("code_challenge", None),
                                            arg("code_challenge_method", None), client.public)
        return client, tuple(dict.fromkeys(requested)), challenge, method

    # -- pages --------------------------------------------------------------------------------------------------
    def _consent_page(self, client: RegisteredClient, scopes: tuple, request_id: str) -> str:
        accounts = self.state.accounts()
        first = accounts[0]
        employee = first.authorizing_employee
        who = escape(f"{employee['firstName']} {employee['lastName']}")
        catalog = get_profile(self.profile).scopes
        scope_items = "".join(
            f"<li><code>{escape(s)}</code>: {escape(catalog[s].description)}</li>" for s in scopes)
        if len(accounts) == 1:
            account_html = (f"the Lightspeed Retail account <strong>{escape(first.name)}</strong> "
                            f"(account ID {escape(first.account_id)})")
            chooser = ""
        else:
            account_html = "the Lightspeed Retail account you choose below"
            options = "".join(
                f'<option value="{escape(a.account_id)}">{escape(a.name)} ({escape(a.account_id)}), as '
                f'{escape(a.authorizing_employee["firstName"])} {escape(a.authorizing_employee["lastName"])}</option>'
                for a in accounts)
            chooser = (f'<p><label for="account">Account</label> '
                       f'<select id="account" name="account">{options}</select></p>')
        parts = urlsplit(client.redirect_uri)
        plain_http = parts.scheme == "http" and is_loopback(parts.hostname or "")
        http_note = ("<p class=\"note\"><strong>This redirect URI uses plain http.</strong> Lightspeed itself "
                     "requires HTTPS redirect URIs (https://localhost is allowed); this sandbox also accepts http "
                     "on a loopback address (127.0.0.1, localhost, [::1]) so a local Jupyter server can receive "
                     "the code.</p>") if plain_http else (
                     "<p class=\"note\">Lightspeed requires HTTPS redirect URIs; this sandbox also accepts http on a "
                     "loopback address (127.0.0.1, localhost, [::1]).</p>")
        kind = "public (PKCE)" if client.public else "confidential"
        on_behalf = f" on behalf of <strong>{who}</strong>" if len(accounts) == 1 else ""
        signed_in = who if len(accounts) == 1 else "each account's owner"
        label = escape(get_profile(self.profile).label)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorize {escape(client.name)} - Lightspeed Retail sandbox</title><style>{_STYLE}</style></head>
<body><main>
<p class="banner">Lightspeed Retail (R-Series) <strong>sandbox</strong> ({label}): a local stand-in for Lightspeed's
sign-in. No real account or data is involved; you are signed in as {signed_in}.</p>
<h1>Authorize {escape(client.name)}</h1>
<form method="post" action="{escape(self.request.path)}">
<p><strong>{escape(client.name)}</strong> (a {kind} OAuth client, ID <code>{escape(client.client_id)}</code>)
wants to access {account_html}{on_behalf}.</p>
{chooser}
<h2>It will be able to</h2>
<ul>{scope_items}</ul>
<p>After you decide, your browser goes to the redirect URI registered for this client:
<code>{escape(client.redirect_uri)}</code>.</p>
{http_note}
<input type="hidden" name="request_id" value="{escape(request_id)}">
<div class="actions">
<button type="submit" name="decision" value="approve">Authorize application</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>
</main></body></html>
"""

    def _error_page(self, error: OAuthError) -> None:
        self.set_status(error.status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(error.error)} - Lightspeed Retail sandbox</title>
<style>{_STYLE}</style></head>
<body><main>
<p class="banner">Lightspeed Retail (R-Series) <strong>sandbox</strong></p>
<h1>The authorization request is not valid</h1>
<p>Error: <code id="error">{escape(error.error)}</code></p>
<p id="error_description">{escape(error.description)}</p>
<p id="hint">{escape(error.hint)}</p>
</main></body></html>
""")
