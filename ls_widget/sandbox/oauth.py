"""The token side of OAuth: ``/auth/oauth/token`` (v3), ``/oauth/access_token.php`` (v2), ``/auth/oauth/revoke``,
``/auth/oauth/introspect`` and ``/.well-known/jwks`` (docs/lightspeed-api.md sections 1.1 and 1.5-1.9).

The token endpoint takes POST only (anything else: 405 ``invalid_request``, "The request method must be POST"),
with the fields as ``application/json``, ``multipart/form-data`` or ``application/x-www-form-urlencoded`` (the last
one is what clients should send: section 1.5). Client credentials come as ``client_id``/``client_secret`` fields or
HTTP Basic. Checks, in order: grant type (``unsupported_grant_type``), client (``invalid_request`` without an ID, 401
``invalid_client`` for an unknown client or a wrong or missing secret of a confidential client), then for v3 a
``scope`` field is refused with ``invalid_grant`` as Lightspeed does (timothydc issue #36), then the grant itself
(codes.py, tokens.py). A parameter sent twice is ``invalid_request``.

Revoke answers 200 with an empty body, also for an unknown token (RFC 7009; Lightspeed's answer is UNCONFIRMED).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from urllib.parse import unquote

from .errors import OAuthError
from .handler import BaseHandler
from .registry import RegisteredClient
from .tokens import AuthFailure

GRANT_TYPES = ("authorization_code", "refresh_token")


class OAuthHandler(BaseHandler):
    fault_target = "token"

    def fields(self) -> dict:
        content_type = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            try:
                data = json.loads(self.request.body or b"{}")
            except ValueError:
                raise OAuthError("invalid_request", "The request body is not valid JSON") from None
            if not isinstance(data, dict):
                raise OAuthError("invalid_request", "The JSON body must be an object")
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items() if v is not None}
        out = {}
        for name, values in self.request.body_arguments.items():
            if len(values) > 1:
                raise OAuthError("invalid_request", f"Check the `{name}` parameter: it was sent more than once")
            out[name] = values[0].decode("utf-8", "replace")
        return out

    def authenticate_client(self, fields: dict) -> RegisteredClient:
        client_id, secret = fields.get("client_id"), fields.get("client_secret")
        basic = self.request.headers.get("Authorization", "")
        if basic.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(basic[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError("invalid_client", "Malformed HTTP Basic credentials", status=401) from None
            client_id, secret = client_id or unquote(user), secret or unquote(password)
        if not client_id:
            raise OAuthError("invalid_request", "Check the `client_id` parameter")
        client = self.state.registry.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "The client ID and secret were not valid", status=401)
        if client.secret is not None and (client.confidential or secret):
            if not secret or not hmac.compare_digest(secret, client.secret):
                raise OAuthError("invalid_client", "The client ID and secret were not valid", status=401)
        return client

    def send_oauth_error(self, error: OAuthError) -> None:
        headers = {"Cache-Control": "no-store", **error.headers}
        if error.error == "invalid_client" and error.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="OAuth"'
        self.send_json(error.status, error.body(), headers)

    def not_post(self, *args) -> None:
        self.send_oauth_error(OAuthError("invalid_request", "The request method must be POST", status=405))

    get = put = patch = delete = not_post


class TokenHandler(OAuthHandler):
    profile: str

    def post(self) -> None:
        with self.state.lock:
            try:
                body = self._grant()
            except OAuthError as error:
                self.send_oauth_error(error)
                return
        self.send_json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _grant(self) -> dict:
        fields = self.fields()
        grant_type = fields.get("grant_type")
        if grant_type not in GRANT_TYPES:
            raise OAuthError("unsupported_grant_type", "Check that all required parameters have been provided")
        client = self.authenticate_client(fields)
        if self.profile == "v3" and "scope" in fields:
            raise OAuthError("invalid_grant", "The token endpoint does not accept a `scope` parameter: the scopes "
                             "were granted at authorization")
        tokens = self.state.tokens
        if grant_type == "refresh_token":
            return tokens.refresh(self.profile, client.client_id, fields.get("refresh_token"))
        code = self.state.codes.redeem(self.profile, fields.get("code"), client.client_id,
                                       fields.get("code_verifier"))
        return tokens.issue(self.profile, client.client_id, code.account_id, code.employee_id, code.scopes)


class RevokeHandler(OAuthHandler):
    def post(self) -> None:
        with self.state.lock:
            try:
                fields = self.fields()
                client = self.authenticate_client(fields)
                self.state.tokens.revoke(client.client_id, fields.get("refresh_token"))
            except OAuthError as error:
                self.send_oauth_error(error)
                return
        self.set_status(200)
        self.set_header("Cache-Control", "no-store")
        self.finish()


class IntrospectHandler(BaseHandler):
    """Debugging only, as Lightspeed says: what the access token carries. Looking does not count as using it."""

    def get(self) -> None:
        with self.state.lock:
            try:
                token = self.state.tokens.authenticate(self.request.headers.get("Authorization"), use=False)
            except AuthFailure as failure:
                self.send_json(401, OAuthError("access_denied", failure.hint, status=401).body())
                return
            grant = token.grant
            body = {"active": True, "client_id": grant.client_id, "sub": grant.employee_id,
                    "acct": grant.account_id, "scope": " ".join(grant.scopes), "iat": token.issued_at,
                    "exp": token.expires_at, "token_type": "Bearer"}
        self.send_json(200, body)


class JwksHandler(BaseHandler):
    def get(self) -> None:
        self.send_json(200, self.state.signer.jwks(), {"Cache-Control": "public, max-age=3600"})
