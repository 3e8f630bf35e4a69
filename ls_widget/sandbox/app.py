"""The sandbox's routes: which handler answers each of Lightspeed's paths, for both API types.

Auth and API share one base URL, as ``LS_WIDGET_AUTH_URL`` and ``LS_WIDGET_API_URL`` both point at it. The state
every handler reads is state.py's ``SandboxState``; what every response carries is handler.py's ``BaseHandler``.
"""

from __future__ import annotations

import logging

import tornado.web

from . import admin, api, authorize, oauth
from .handler import NotFoundHandler
from .state import SandboxState

log = logging.getLogger("ls_widget.sandbox")


def make_app(state: SandboxState) -> tornado.web.Application:
    ctx = {"state": state}
    routes = [
        (r"/auth/oauth/authorize", authorize.AuthorizeHandler, {**ctx, "profile": "v3"}),
        (r"/oauth/authorize\.php", authorize.AuthorizeHandler, {**ctx, "profile": "v2"}),
        (r"/auth/oauth/token", oauth.TokenHandler, {**ctx, "profile": "v3"}),
        (r"/oauth/access_token\.php", oauth.TokenHandler, {**ctx, "profile": "v2"}),
        (r"/auth/oauth/revoke", oauth.RevokeHandler, ctx),
        (r"/auth/oauth/introspect", oauth.IntrospectHandler, ctx),
        (r"/\.well-known/jwks", oauth.JwksHandler, ctx),
        (r"/API/V3/Account(?:\.json)?", api.AccountsHandler, {**ctx, "profile": "v3"}),
        (r"/API/Account(?:\.json)?", api.AccountsHandler, {**ctx, "profile": "v2"}),
        (r"/API/V3/Account/(.+)", api.ResourceHandler, {**ctx, "profile": "v3"}),
        (r"/API/Account/(.+)", api.ResourceHandler, {**ctx, "profile": "v2"}),
    ]
    if state.options.admin_endpoints:
        routes += admin.routes(ctx)
    return tornado.web.Application(
        routes,
        default_handler_class=NotFoundHandler,
        default_handler_args=ctx,
        log_function=_log_request,
        compress_response=False,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    log.debug("%s %s %s %.1fms", handler.get_status(), handler.request.method, handler.request.uri,
              1000 * handler.request.request_time())
