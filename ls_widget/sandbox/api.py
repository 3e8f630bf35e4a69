"""The API: ``/API/V3/Account.json``, ``/API/V3/Account/{id}[.json]``, ``/API/V3/Account/{id}/{Resource}.json`` for
every resource of the catalogue (resources.py), ``.../{Resource}/{rid}.json`` (one record, with
``"@attributes": {"count": "1"}`` beside it as in every documented single-record answer, docs/lightspeed-api.md
section 3.3) and ``.../Sale/{saleID}/SaleLine.json``, ``.../Sale/{saleID}/SalePayment.json``; the same under
``/API/`` for v2.

Every request, in order: the bearer token (401 with the authorization server's body, docs/lightspeed-api.md
section 5: "Access token could not be verified", or "Access token has been revoked"); the answer it would get (404
unknown account, resource or record; 403 a token without a scope that reads the resource; 400 bad parameters; else
200) and its cost; then the rate limiter charges the account + client pair (ratelimit.py) and a refused request gets
429 instead. Every answer
after a valid token carries the ``X-LS-Api-*`` headers, ``X-LS-Acct-Id``, ``X-LS-Oauth-Client-Id`` and ``Cf-Ray``; a
401 has no bucket to report, so it carries ``Cf-Ray`` and the IDs it knows.

Costs (section 4.1): 1 per request; ``count=1`` 10; ``load_relations`` +0.1 per X-to-one and +0.2 per X-to-many
relation, doubled on list reads; each ``or`` operand +1; V2 ``offset`` 0.0005 x offset (an offset above
``query.MAX_OFFSET`` is a 400, costing 1); V2 ``orderby`` on a field V3 cannot sort by +4. A request the sandbox
refuses before running (400, 403, 404, 405) costs 1.

UNCONFIRMED choices: ``Account.json`` lists every account of the sandbox (the signed-in user works for all of them;
a list only when there are several) and a token reaches each of them, each with its own bucket; an account ID
outside that list is a 404; a token from either server works on both API versions; the ``.json`` suffix may be left
out (Lightspeed documents it, clients have been seen to omit it); the sandbox is read-only, so POST/PUT/DELETE get
405 (cost 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl

from . import query as q
from .data import AccountData
from .errors import ApiProblem, OAuthError
from .filters import Condition, QueryError
from .handler import BaseHandler
from .ratelimit import BURST
from .resources import NESTED, RESOURCES, Resource, embed, relation_cost
from .tokens import AccessToken, AuthFailure

PREFIX = {"v3": "/API/V3", "v2": "/API"}


@dataclass
class Plan:
    cost: float
    run: Callable[[], dict]


class ApiHandler(BaseHandler):
    fault_target = "api"
    profile: str
    charge_to: str | None = None

    def serve(self, plan_for: Callable[[AccessToken], tuple]) -> None:
        """Authenticate, plan, charge, answer. ``plan_for(token)`` gives (account ID to charge, registers, Plan)
        or raises ApiProblem."""
        with self.state.lock:
            try:
                token = self.state.tokens.authenticate(self.request.headers.get("Authorization"))
            except AuthFailure as failure:
                self._unauthorized(failure)
                return
            grant = token.grant
            try:
                account_id, registers, plan = plan_for(token)
                problem = None
            except ApiProblem as refused:  # charged to the account in the path when it exists, else the token's
                account_id = self.charge_to or grant.account_id
                registers, plan, problem = self._registers(account_id), None, refused
            cost = plan.cost if plan else 1.0
            decision = self.state.limiter.charge(account_id, grant.client_id, registers, cost)
            headers = {**decision.headers(), "X-LS-Acct-Id": account_id, "X-LS-Oauth-Client-Id": grant.client_id}
            if not decision.allowed:
                message = ("burst rate limit exceeded: back off for at least 1 second." if decision.limited_by == BURST
                           else f"Rate limit exceeded: the bucket is full; retry in {decision.retry_after} s.")
                problem = ApiProblem(429, message)
            if problem is not None:
                self.send_json(problem.status, problem.body(), headers)
                return
            try:
                body = plan.run()
            except ApiProblem as late:  # e.g. a cursor that only fails once applied
                self.send_json(late.status, late.body(), headers)
                return
        self.send_json(200, body, headers)

    def _registers(self, account_id: str) -> int:
        account = self.state.account(account_id)
        return account.register_count if account else 1

    def _unauthorized(self, failure: AuthFailure) -> None:
        headers = {"WWW-Authenticate": 'Bearer realm="Lightspeed Retail"'}
        if failure.client_id:
            headers["X-LS-Oauth-Client-Id"] = failure.client_id
        self.send_json(401, OAuthError("access_denied", failure.hint, status=401).body(), headers)

    def account_object(self, account: AccountData) -> dict:
        return {**account.account, "link": {"@attributes": {"href": f"{PREFIX[self.profile]}/Account/"
                                                                     f"{account.account_id}"}}}

    def read_only(self, *args) -> None:
        def plan_for(token):
            raise ApiProblem(405, "The sandbox is read-only: it answers GET requests only.")
        self.serve(plan_for)

    post = put = patch = delete = read_only


class AccountsHandler(ApiHandler):
    """``Account.json``: the accounts of the user who authorized the token (an object for one, a list for more)."""

    def get(self) -> None:
        def plan_for(token):
            accounts = [self.account_object(a) for a in self.state.accounts()]
            account_id = token.grant.account_id
            body = {"Account": accounts[0] if len(accounts) == 1 else accounts}
            return account_id, self._registers(account_id), Plan(1.0, lambda: body)
        self.serve(plan_for)


class ResourceHandler(ApiHandler):
    def get(self, rest: str) -> None:
        self.serve(lambda token: self._plan(token, rest))

    def _plan(self, token: AccessToken, rest: str) -> tuple:
        if rest.endswith(".json"):
            rest = rest[: -len(".json")]
        elif rest.endswith(".xml"):
            raise ApiProblem(400, "The sandbox answers JSON only: use the .json suffix.")
        parts = rest.split("/")
        account = self.state.account(parts[0])
        if account is None:
            raise ApiProblem(404, f"Account {parts[0]} was not found, or this access token cannot reach it.")
        registers, self.charge_to = account.register_count, account.account_id
        if len(parts) == 1:
            body = {"Account": self.account_object(account)}
            return account.account_id, registers, Plan(1.0, lambda: body)
        resource = RESOURCES.get(parts[1])
        if resource is None or len(parts) > 4:
            raise ApiProblem(404, f"Unknown resource '{'/'.join(parts[1:])}'. The sandbox serves: "
                                  f"{', '.join(RESOURCES)}.")
        pairs = parse_qsl(self.request.query, keep_blank_values=True)
        if len(parts) == 3:
            self._check_scope(token, resource)
            return account.account_id, registers, self._single(account, resource, parts[2], pairs)
        extra = ()
        if len(parts) == 4:
            child_key = NESTED.get((resource.name, parts[3]))
            if child_key is None:
                raise ApiProblem(404, f"Unknown resource '{'/'.join(parts[1:])}'.")
            self._check_scope(token, resource)
            if parts[2] not in account.table(resource.name).by_id:
                raise ApiProblem(404, f"{resource.name} {parts[2]} was not found.")
            resource, extra = RESOURCES[parts[3]], (Condition(child_key, "=", (parts[2],)),)
        self._check_scope(token, resource)
        return account.account_id, registers, self._list(account, resource, pairs, extra)

    def _check_scope(self, token: AccessToken, resource: Resource) -> None:
        if not resource.allows(token.grant.scopes):
            needed = ", ".join(sorted(resource.read_scopes))
            raise ApiProblem(403, f"Insufficient scope: reading {resource.name} needs one of {needed}.")

    def _single(self, account: AccountData, resource: Resource, record_id: str, pairs: list) -> Plan:
        try:
            relations = q.parse_relations(resource, dict(pairs).get("load_relations"))
        except QueryError as error:
            raise ApiProblem(400, str(error)) from None
        record = account.table(resource.name).by_id.get(record_id)
        if record is None:
            raise ApiProblem(404, f"{resource.name} {record_id} was not found.")
        cost = 1.0 + relation_cost(resource, relations, many_records=False)
        return Plan(cost, lambda: {"@attributes": {"count": "1"},
                                   resource.name: embed(account, resource, record, relations)})

    def _list(self, account: AccountData, resource: Resource, pairs: list, extra: tuple) -> Plan:
        table = account.table(resource.name)
        try:
            query = q.parse(self.profile, resource, table, pairs)
        except QueryError as error:
            raise ApiProblem(400, str(error)) from None
        if query.count:
            cost = 10.0
        else:
            cost = 1.0 + relation_cost(resource, query.relations, many_records=True)
        cost += len(query.alternatives)
        if self.profile == "v2":
            cost += 0.0005 * query.offset + (4 if query.costly_order else 0)

        def run() -> dict:
            try:
                records, keys = q.select(table, resource, query, extra)
                if query.count:
                    return {"@attributes": {"count": str(len(records))}}
                if self.profile == "v2":
                    page = records[query.offset: query.offset + query.limit]
                    attributes = {"count": str(len(records)), "offset": str(query.offset),
                                  "limit": str(query.limit)}
                else:
                    page, has_previous, has_next = q.cursor_page(table, query, records, keys)
                    attributes = self._links(query, resource, page, has_previous, has_next)
            except QueryError as error:
                raise ApiProblem(400, str(error)) from None
            body = {"@attributes": attributes}
            if page:
                shown = [embed(account, resource, record, query.relations) for record in page]
                body[resource.name] = shown[0] if len(shown) == 1 else shown
            return body

        return Plan(cost, run)

    def _links(self, query: q.ListQuery, resource: Resource, page: list, has_previous: bool,
               has_next: bool) -> dict:
        base = f"{self.request.protocol}://{self.request.host}{self.request.path}"
        after = before = ""
        if page:
            if has_next:
                after = q.page_url(base, query, "after", q.encode_cursor(query, page[-1], resource.id_field))
            if has_previous:
                before = q.page_url(base, query, "before", q.encode_cursor(query, page[0], resource.id_field))
        elif has_previous and query.after is not None:  # past the end: the way back starts at the same cursor
            before = q.page_url(base, query, "before", self.get_query_argument("after"))
        return {"next": after, "previous": before}
