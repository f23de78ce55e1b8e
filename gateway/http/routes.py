"""The data path: every relation of the exposed schema at /{resource}, every
function at /rpc/{function}. The raw ASGI handlers (asgi.py) hand the request
to `Gateway.handle`, which runs the stages in order (DESIGN.md "Request flow"):

    auth -> parse -> (models) -> plan -> render -> execute -> respond

Plan and render run once per request *shape* (parse.ApiRequest.shape(): the
request without its values, plus the columns a body sets) and per column scope
(a database role that may read some columns only plans against its own view of
the schema cache, `Gateway.scoped`): the result is kept
in an LRU, so a repeated query costs a parse, a dict lookup and the database
round trips. The SQL text of a shape never changes, so asyncpg's per-connection
prepared-statement cache hits too.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Protocol

import msgspec

from gateway.dialect import keyset, profiles
from gateway.dialect.models import ResourceModels, build_models, validate_create, validate_listed, validate_update
from gateway.dialect.parse.headers import checked_timezone
from gateway.dialect.parse.request import ApiRequest, parse_request
from gateway.dialect.plan.action import CallPlan, FilterPlan, MutatePlan, Plan, ReadPlan, find_relation, plan_request
from gateway.dialect.plan.embeds import embeds_aggregate
from gateway.dialect.plan.limits import answer_cost, check_limits, request_cost
from gateway.dialect.render.statement import Rendered, bind, render
from gateway.dialect.schema.cache import SchemaCache, for_role
from gateway.errors import ApiError, bad_query
from gateway.http.config import Settings
from gateway.http.execute import Outcome, RequestContext, Run, Session, execute
from gateway.http.limits import FairShare
from gateway.http.replicas import Replicas
from gateway.http.respond import Reply, content_location, empty_update, respond, with_settings
from gateway.http.timing import Stopwatch
from gateway.identity.auth import Caller

_WRITES = ("POST", "PATCH", "PUT")
Key = tuple[str, ApiRequest, tuple[str, ...], bool]


class Authenticate(Protocol):
    async def authenticate(self, authorization: str | None) -> Caller: ...


class Headers(Protocol):
    def get(self, name: str, default: str | None = None) -> str | None: ...
    def getall(self, name: str, default: list[str]) -> list[str]: ...


class DataRequest(Protocol):
    """What the data path reads of a request (asgi.RawRequest)."""

    scope: Any
    method: str
    headers: Headers

    @property
    def path(self) -> str: ...
    async def body(self) -> bytes: ...


class VerifiedTokens:
    """Verified bearer tokens remembered until their `exp`, at most `seconds`
    (PostgREST's jwt-cache-max-lifetime): verifying a JWT costs more than
    everything else the gateway does for a cached query shape. Only tokens that
    verified are kept, keyed by the whole header; a token stays valid no longer
    than it would unverified, but a key withdrawn from the JWKS stops it only
    when the entry expires. `seconds=0` turns the cache off."""

    def __init__(self, authenticator: Authenticate, *, seconds: float, size: int = 10_000) -> None:
        self.authenticator = authenticator
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[str, tuple[Caller, str, float]] = OrderedDict()

    async def caller(self, authorization: str | None) -> tuple[Caller, str]:
        """The caller and its claims as JSON (what request.jwt.claims receives)."""
        now = time.time()
        entry = self._entries.get(authorization) if authorization is not None else None
        if entry is not None and entry[2] > now:
            return entry[0], entry[1]
        caller = await self.authenticator.authenticate(authorization)
        claims = msgspec.json.encode(caller.claims).decode()
        exp = caller.claims.get("exp")
        if authorization is not None and self.seconds > 0 and isinstance(exp, int | float):
            self._entries[authorization] = (caller, claims, min(float(exp), now + self.seconds))
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return caller, claims


class Gateway:
    """One per worker: the schema cache, its models, the plan cache, the pool."""

    def __init__(
        self, *, pool: Any, schema: SchemaCache, settings: Settings, authenticator: Authenticate, replicas: Any = None,
        fair_share: FairShare | None = None,
    ) -> None:  # fmt: skip
        self.pool = pool
        self.replicas: Replicas | None = replicas  # reads on replicas (http/replicas.py), or all on `pool`
        self.fair_share = fair_share or FairShare(settings.fair_share)
        self.schema = schema
        # The cache as each role that reads some relation in part sees it (issue 13,
        # F2): `*` lists its columns, naming another is 42501. Every other role plans
        # against `schema`, and shares its plans.
        self.scoped = {role: for_role(schema, role) for role in schema.denied}
        self.settings = settings
        self.tokens = VerifiedTokens(authenticator, seconds=settings.jwt_cache_seconds)
        self.models: dict[str, ResourceModels] = build_models(schema)
        self._plans: OrderedDict[Key, tuple[Plan, Rendered]] = OrderedDict()

    async def handle(self, request: DataRequest, target: str, *, rpc: bool) -> Reply:
        # HEAD is a GET without its body (supabase-js `head: true` counts).
        method = "GET" if request.method == "HEAD" else request.method
        headers = request.headers
        clock = Stopwatch()
        caller, claims = await self.tokens.caller(headers.get("authorization"))
        state = request.scope["state"]
        state["role"], state["school"] = caller.role, caller.claims.get("school_id")  # metrics labels
        self.fair_share.check_rate(caller)  # before any parsing: a refused flood costs next to nothing
        clock.lap("jwt")
        profile = profiles.negotiate(
            profiles.requested(request.method, headers.get("accept-profile"), headers.get("content-profile")),
            self.settings.exposed_schemas,
        )
        api = parse_request(
            request.method,  # HEAD reads Range its own way (parse/request.py)
            target,
            rpc=rpc,
            query=request.scope["query_string"].decode("utf-8", "replace"),
            headers={
                "accept": headers.get("accept", ""),
                "prefer": ", ".join(headers.getall("prefer", [])),
                "range": headers.get("range", ""),
                "range-unit": headers.get("range-unit", ""),
                "content-type": headers.get("content-type", ""),
            },
            body=await request.body() if method in _WRITES else None,
        )
        if api.preferences.timezone is not None:
            api = msgspec.structs.replace(
                api, preferences=checked_timezone(api.preferences, self.schema.timezones)
            )
        scope = caller.db_role if caller.db_role in self.scoped else ""
        if api.action == "update" and api.body is not None and api.body.strip() in (b"{}", b"[]", b"[{}]"):
            # PostgREST: a PATCH that sets nothing changes nothing, and says so.
            find_relation(self.schema, api.target)
            reply = empty_update(api)
            profiles.add_header(profile, reply.headers)
            return reply
        clock.lap("parse")
        check_limits(api, self.settings.query_limits)
        plan, rendered = self.prepare(api, scope)
        if api.method == "PUT" and isinstance(plan, MutatePlan):
            _check_put_key(api, plan)
        aggregated = (isinstance(plan, ReadPlan | CallPlan) and plan.aggregated) or embeds_aggregate(api.select)
        if aggregated and caller.role not in self.settings.aggregates_roles:
            raise ApiError(400, "PGRST123", "Use of aggregate functions is not allowed",
                           hint="AGGREGATES_ROLES lists the roles that may use them")  # fmt: skip
        clock.lap("plan")
        session = Session(
            role=caller.db_role,  # partner_demographics for a demographics scope (identity/auth.py)
            claims=claims,
            request_id=request.scope["state"].get("request_id", ""),
            limits=self.settings.limits_for(caller.role),
            context=request_context(request, self.settings),
        )
        args = bind(rendered, api, self.settings.max_rows, self.cursor_values(api, plan, rendered))
        options = {"single": api.single, "acquire_timeout": self.settings.acquire_timeout,
                   "run": self.run_options(api, plan, rendered)}  # fmt: skip
        async with self.fair_share.admit(caller, request_cost(api, self.settings.max_rows), rated=False):
            if self.replicas is None:
                outcome = await execute(self.pool, session, rendered.sql, args, read_only=rendered.read_only, **options)
            else:
                who = f"{caller.role}:{caller.claims.get('school_id')}:{caller.claims.get('sub')}"
                outcome = await self.replicas.run(
                    session, rendered.sql, args, read_only=rendered.read_only, caller=who, **options
                )
        if api.action in ("read", "call"):  # a heavy answer spends the school's rate as it weighs
            self.fair_share.charge(caller, answer_cost(api, outcome.page_total) - 1)
        outcome = self.within_limits(plan, outcome)
        clock.lap("transaction")
        reply = with_settings(respond(api, plan, outcome), outcome)
        self.link_next(request, api, plan, outcome, reply.headers)
        if isinstance(plan, ReadPlan) and api.method == "GET":  # PostgREST names every read's canonical query
            query = request.scope["query_string"].decode("utf-8", "replace")
            reply.headers["Content-Location"] = content_location(target, query)
        profiles.add_header(profile, reply.headers)
        clock.lap("response")
        if self.settings.server_timing:
            reply.headers["Server-Timing"] = clock.header()
        return reply

    def within_limits(self, plan: Plan, outcome: Outcome) -> Outcome:
        """MAX_RESPONSE_BYTES (SDA606), and counts that reveal nothing of other
        schools (issue 13, F1): `count=planned|estimated` is an exact count capped
        at MAX_ROWS (render/statement.py), never the planner's statistics, which
        cover every school's rows; past the cap the total is unknown (`*`)."""
        body = outcome.body or ""
        limit = self.settings.max_response_bytes
        if len(body) * 4 > limit and len(body if isinstance(body, bytes) else body.encode()) > limit:
            raise ApiError(400, "SDA606", "The response is too large",
                           details=f"more than {limit} bytes",
                           hint="Ask fewer rows (limit), columns or embeds, or page with a cursor (MAX_RESPONSE_BYTES)")  # fmt: skip
        estimated = isinstance(plan, ReadPlan | CallPlan) and plan.estimate is not None
        if estimated and outcome.total is not None and outcome.total > self.settings.max_rows:
            return msgspec.structs.replace(outcome, total=None)
        return outcome

    def cursor_values(self, api: ApiRequest, plan: Plan, rendered: Rendered) -> tuple[str | None, ...]:
        """A keyset cursor's values, verified with the JWT secret (keyset.py)."""
        if api.cursor is None or not isinstance(plan, ReadPlan):
            return ()
        if "cursor" not in rendered.extras:  # plan/action.py refuses what cannot continue; this is a safety net
            raise bad_query("cursor= cannot continue this read", hint="Page with limit/offset")
        secret = self.settings.auth.jwt_secret
        if not secret:
            raise bad_query(
                "cursor= is not available", hint="Keyset cursors are signed with JWT_SECRET, which is unset"
            )
        return keyset.decode(secret, tuple(term.column for term in plan.order), api.cursor)

    def link_next(
        self, request: DataRequest, api: ApiRequest, plan: Plan, outcome: Outcome, headers: dict[str, str]
    ) -> None:
        """`Link: <...&cursor=...>; rel="next"` after a full keyset page."""
        secret = self.settings.auth.jwt_secret
        if not (isinstance(plan, ReadPlan) and plan.key_types and outcome.location and secret):
            return
        page = self.settings.max_rows if api.limit is None else min(api.limit, self.settings.max_rows)
        if outcome.page_total < page or outcome.location[0] is None:
            return
        values = msgspec.json.decode(outcome.location[0])
        cursor = keyset.encode(secret, tuple(term.column for term in plan.order), values)
        query = request.scope["query_string"].decode("utf-8", "replace")
        headers["Link"] = keyset.next_link(request.path, query, cursor)

    def run_options(self, api: ApiRequest, plan: Plan, rendered: Rendered) -> Run:
        """The Prefer header's asks of the transaction (execute.Run)."""
        prefer = api.preferences
        # No EXPLAIN: its row estimate comes from statistics over every school (within_limits).
        return Run(
            rollback=prefer.tx == "rollback",
            # PostgREST applies max-affected only with handling=strict; on a
            # call it counts the rows returned (plan/action.py refuses a non-set one).
            max_affected=prefer.max_affected if prefer.strict and isinstance(plan, MutatePlan | CallPlan) else None,
            timezone=prefer.timezone,
            max_changed=api.limit if api.ranged else None,
        )

    def prepare(self, api: ApiRequest, scope: str = "") -> tuple[Plan, Rendered]:
        """Validate a body (it decides the columns), then plan and render once per
        shape and `scope`: a role of `self.scoped` ("" for the others)."""
        columns: tuple[str, ...] = ()
        array_body = False
        if api.action in ("create", "update"):
            relation = find_relation(self.schema, api.target)
            models = self.models[relation.name]
            if api.csv_body:  # strings for Postgres' input functions: typed by the SQL, not the models
                columns, array_body = api.columns or (), True
            elif api.columns is not None:
                columns, array_body = validate_listed(relation, models, api.body or b"", api.columns)
            elif api.action == "create":
                same_keys = api.preferences.missing != "default"
                columns, array_body = validate_create(relation, models, api.body or b"", same_keys=same_keys)
            else:
                columns = validate_update(relation, models, api.body or b"")
        key = (scope, api.shape(), columns, array_body)
        cached = self._plans.get(key)
        if cached is not None:
            self._plans.move_to_end(key)
            return cached
        schema = self.scoped[scope] if scope else self.schema
        plan = plan_request(api, schema, columns=columns, array_body=array_body)  # one tree, embeds included
        prepared = (plan, render(plan))
        self._plans[key] = prepared
        if len(self._plans) > self.settings.plan_cache_size:
            self._plans.popitem(last=False)
        return prepared


def request_context(request: DataRequest, settings: Settings) -> RequestContext:
    """What PostgREST puts in request.headers and request.cookies (its
    ApiRequest.hs): every header but Cookie by lowercased name (a repeated
    one: the last), the cookies by name. Built per request (a few µs)."""
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, text = part.strip().partition("=")
                if key:
                    cookies[key] = text
        else:
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
    return RequestContext(
        method=request.method,
        path=request.path,
        headers=msgspec.json.encode(headers).decode(),
        cookies=msgspec.json.encode(cookies).decode(),
        search_path=settings.search_path,
        app_settings=settings.app_settings,
    )


def _check_put_key(api: ApiRequest, plan: MutatePlan) -> None:
    """PUT: the body's primary key must be the one the URL names (PGRST115).
    The body was validated (models.py): one JSON object, or an array of them of
    which exactly one is the named row (PostgREST writes the rows its WHERE
    keeps and fails unless that is one)."""
    body = msgspec.json.decode(api.body or b"{}")
    rows = body if isinstance(body, list) else [body]
    if sum(_names_row(api, plan, row) for row in rows) != 1:
        raise ApiError(400, "PGRST115", "Payload values do not match URL in primary key column(s)")


def _names_row(api: ApiRequest, plan: MutatePlan, row: dict[str, Any]) -> bool:
    for condition in plan.where:
        if not isinstance(condition, FilterPlan):
            continue
        given, named = row.get(condition.column), api.values[condition.slot]
        same = isinstance(given, str | int) and str(given) == named
        if condition.param_type == "uuid" and isinstance(given, str) and isinstance(named, str):
            same = given.lower() == named.lower()
        if not same:
            return False
    return True
