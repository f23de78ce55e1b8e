"""OneRoster 1.2 Rostering REST reads, mounted at /ims/oneroster/rostering/v1p2.

Thin handlers over the gateway's stages: the caller from the shared token
cache (gateway/auth.py), the OneRoster scope check, the query string ->
ReadRequest (pure, here), render.py -> one statement, gateway/execute.py runs
it with the caller's role and claims (RLS keeps each school to itself), and
the body goes out as Postgres made it, with X-Total-Count and Link headers.
Every error leaves as an imsx_StatusInfo (errors.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from litestar import Request, Response, Router, get
from litestar.enums import MediaType

from gateway.errors import ApiError
from gateway.http.execute import Outcome, Session, execute
from gateway.identity.auth import Caller
from gateway.oneroster.counts import CountCache, count_key
from gateway.oneroster.entities import ENTITIES, IN_SCHOOL_CLASS, NESTED, Entity
from gateway.oneroster.errors import (
    forbidden,
    from_api_error,
    invalid_data,
    invalid_filter,
    unauthorised,
    unknown_object,
)
from gateway.oneroster.filters import FilterError, parse_filter
from gateway.oneroster.render import DEFAULT_LIMIT, MAX_LIMIT, Parent, ReadRequest, render_many, render_one

PREFIX: Final = "/ims/oneroster/rostering/v1p2"
SCOPE: Final = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
# OneRoster 1.2 REST binding, "Scopes": roster.readonly covers every rostering
# read; roster-core.readonly everything but demographics; demographics also
# with roster-demographics.readonly.
SCOPES: Final = {
    "core": frozenset({SCOPE + "roster-core.readonly", SCOPE + "roster.readonly"}),
    "demographics": frozenset({SCOPE + "roster-demographics.readonly", SCOPE + "roster.readonly"}),
    # Gradebook reads (gradebook.py): gradebook.readonly, or 1.2's narrower gradebook-core.readonly.
    "gradebook": frozenset({SCOPE + "gradebook.readonly", SCOPE + "gradebook-core.readonly"}),
    # assessmentLineItems and assessmentResults: 1.2 gives them a scope of their own.
    "assessment": frozenset({SCOPE + "assessment.readonly"}),
}
# school_admin reads everything of its school; partners only what their scopes say.
ROLES: Final = frozenset({"school_admin", "partner_sync"})


def read_request(
    entity: str, query: Mapping[str, str], *, sourced_id: str | None = None, parent: Parent | None = None
) -> ReadRequest:
    """The query string of a OneRoster read -> ReadRequest, or a 400 imsx error. Pure."""
    try:
        limit = int(query.get("limit", DEFAULT_LIMIT))
        offset = int(query.get("offset", 0))
    except ValueError:
        raise invalid_data("limit and offset must be whole numbers") from None
    if limit < 1 or offset < 0:
        raise invalid_data("limit must be at least 1 and offset at least 0")
    order = query.get("orderBy", "asc")
    if order not in ("asc", "desc"):
        raise invalid_data("orderBy must be 'asc' or 'desc'")
    fields = None
    if "fields" in query:
        # An empty `fields=` selects nothing in particular: every field, not none.
        fields = tuple(dict.fromkeys(f.strip() for f in query["fields"].split(",") if f.strip())) or None
    filter_ = None
    if query.get("filter"):
        try:
            filter_ = parse_filter(query["filter"])
        except FilterError as error:
            raise invalid_filter(str(error)) from None
    return ReadRequest(
        entity=entity,
        sourced_id=sourced_id,
        parent=parent,
        filter=filter_,
        sort=query.get("sort") or None,
        order=order,  # type: ignore[arg-type]
        fields=fields,
        limit=min(limit, MAX_LIMIT),  # the binding lets a provider cap a page
        offset=offset,
    )


def granted_scopes(caller: Caller) -> set[str]:
    scope = caller.claims.get("scope", "")
    return set(scope.split() if isinstance(scope, str) else scope if isinstance(scope, list) else [])


def check_access(caller: Caller, entity: Entity, scopes: frozenset[str] | None = None) -> None:
    """`scopes`: those the route takes, when narrower than the entity's (the gradebook's nested reads)."""
    if caller.role == "anon":
        raise unauthorised("A bearer token is required")
    if caller.role not in ROLES:
        raise forbidden("This role has no access to the OneRoster service")
    if caller.role == "partner_sync" and not granted_scopes(caller) & (scopes or SCOPES[entity.scope]):
        raise forbidden(f"The token's scopes do not allow reading {entity.many}")


def link_header(url: str, limit: int, offset: int, total: int) -> str:
    """RFC 8288 links to the first, previous, next and last pages."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("limit", "offset")]

    def at(page_offset: int) -> str:
        query = urlencode([*kept, ("limit", str(limit)), ("offset", str(page_offset))])
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    last = max(0, (total - 1) // limit * limit)
    links = [(at(0), "first")]
    if offset > 0:
        links.append((at(max(0, offset - limit)), "prev"))
    if offset + limit < total:
        links.append((at(offset + limit), "next"))
    links.append((at(last), "last"))
    return ", ".join(f'<{href}>; rel="{rel}"' for href, rel in links)


async def _read(
    request: Request[Any, Any, Any],
    name: str,
    *,
    sourced_id: str | None = None,
    parent: Parent | None = None,
    entities: Mapping[str, Entity] = ENTITIES,
    base_path: str = PREFIX,
    scopes: frozenset[str] | None = None,
) -> Response[bytes]:
    """One OneRoster read; `entities` are the service's collections, `base_path`
    the base of its GUIDRef hrefs (the gradebook's point at both services)."""
    try:
        entity = entities.get(name)
        if entity is None:
            raise unknown_object(f"No OneRoster collection '{name}'")
        gateway = request.app.state.gateway
        caller, claims = await gateway.tokens.caller(request.headers.get("authorization"))
        check_access(caller, entity, scopes)
        query = {k: v for k, v in request.query_params.items()}
        read = read_request(name, query, sourced_id=sourced_id, parent=parent)
        # PUBLIC_URL, never the request's Host header (issue 13: a forged Host was reflected).
        base = gateway.settings.public_url + base_path
        counts, key, total = _counts(request), None, None
        if sourced_id is None:
            key = count_key(caller.role, caller.claims, [read.entity, read.parent, read.filter])
            total = counts.get(key)
        sql, args = render_one(read, base) if sourced_id is not None else render_many(read, base, count=total is None)
        outcome = await run(request, caller, claims, sql, args, read_only=True)
    except ApiError as error:
        raise from_api_error(error) from None
    if outcome.body is None:
        missing = sourced_id if sourced_id is not None else parent.sourced_id if parent else ""
        raise unknown_object(f"No object with sourcedId '{missing}'")
    headers = {}
    if sourced_id is None and key is not None:
        if total is None:
            total = outcome.total or 0
            counts.put(key, total)
        headers = {
            "X-Total-Count": str(total),
            "Link": link_header(_public(request), read.limit, read.offset, total),
        }
    return Response(content=outcome.body.encode(), status_code=200, headers=headers, media_type=MediaType.JSON)


async def run(
    request: Request[Any, Any, Any], caller: Caller, claims: str, sql: str, args: tuple[Any, ...], *, read_only: bool
) -> Outcome:
    """One statement as the caller, within its school's fair share of the pool."""
    gateway = request.app.state.gateway
    session = Session(
        role=caller.db_role,  # partner_demographics for a demographics scope (identity/auth.py)
        claims=claims,
        request_id=request.scope["state"].get("request_id", ""),
        limits=gateway.settings.limits_for(caller.role),
        # Reads only: their statement shapes are few and planning them cost
        # more than running them (issue 17); writes keep Postgres' own choice.
        generic_plans=read_only,
    )
    async with gateway.fair_share.admit(caller):
        return await execute(
            gateway.pool, session, sql, args, read_only=read_only, acquire_timeout=gateway.settings.acquire_timeout
        )


def _counts(request: Request[Any, Any, Any]) -> CountCache:
    """The app's count cache (counts.py), made on first use."""
    state = request.app.state
    cache = state.get("oneroster_counts")
    if cache is None:
        cache = CountCache(state.gateway.settings.oneroster_count_seconds)
        state.oneroster_counts = cache
    return cache


def _public(request: Request[Any, Any, Any]) -> str:
    """The request's URL under PUBLIC_URL (a path when it is unset), never its Host."""
    query = request.scope["query_string"].decode("utf-8", "replace")
    return request.app.state.gateway.settings.public_url + request.url.path + (f"?{query}" if query else "")


_COMMON: dict[str, Any] = {"media_type": MediaType.JSON, "include_in_schema": False}


@get("/{collection:str}", operation_id="oneRosterCollection", **_COMMON)
async def collection(request: Request[Any, Any, Any]) -> Response[bytes]:
    """getAll<Type>: orgs, schools, academicSessions, ..., demographics."""
    return await _read(request, request.path_params["collection"])


@get("/{collection:str}/{sourced_id:str}", operation_id="oneRosterObject", **_COMMON)
async def single(request: Request[Any, Any, Any]) -> Response[bytes]:
    """get<Type>: one object by sourcedId."""
    params = request.path_params
    return await _read(request, params["collection"], sourced_id=params["sourced_id"])


@get("/{parent:str}/{sourced_id:str}/{child:str}", operation_id="oneRosterNested", **_COMMON)
async def nested(request: Request[Any, Any, Any]) -> Response[bytes]:
    """get<Child>For<Parent>: schools/{id}/classes, classes/{id}/students, ..."""
    params = request.path_params
    link = NESTED.get((params["parent"], params["child"]))
    if link is None:
        raise unknown_object(f"No OneRoster collection '{params['parent']}/{{id}}/{params['child']}'")
    parent = Parent(nested=link, sourced_id=params["sourced_id"])
    return await _read(request, params["child"], parent=parent)


# Spelled with parameters only: Litestar's router does not backtrack, so a
# static `/schools/...` route would hide `/schools` and `/schools/{id}` here.
@get(
    "/{parent:str}/{school:str}/{middle:str}/{class_:str}/{child:str}", operation_id="oneRosterInSchoolClass", **_COMMON
)
async def in_school_class(request: Request[Any, Any, Any]) -> Response[bytes]:
    """get{Enrollments,Students,Teachers}ForClassInSchool: schools/{id}/classes/{id}/<child>."""
    params = request.path_params
    link = IN_SCHOOL_CLASS.get(params["child"])
    if (params["parent"], params["middle"]) != ("schools", "classes") or link is None:
        raise unknown_object("No such OneRoster collection")
    parent = Parent(nested=link, sourced_id=params["class_"], school=params["school"])
    return await _read(request, params["child"], parent=parent)


oneroster_router = Router(path=PREFIX, route_handlers=[collection, single, nested, in_school_class])
