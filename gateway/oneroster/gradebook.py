"""OneRoster 1.2 Gradebook REST, mounted at /ims/oneroster/gradebook/v1p2.

Reads go through the rostering service's machinery (routes._read: the same
paging, filter, sort, fields and envelope) over the gradebook entities
(gradebook_entities.py). Writes are the binding's PUT (create or replace by
sourcedId: 201 created, 200 replaced) and DELETE (the object becomes
tobedeleted: 204) of line items, results, categories and score scales, by a
partner client holding gradebook.createput / gradebook.delete; each is one
call of a function of db/roster/gradebook.sql that runs as partner_sync, so
row-level security keeps the partner to its school and the audit triggers
record the change. The binding's POSTs (postLineItemsForClass, ...ForSchool,
postResultsForLineItem, postResultsForAcademicSessionForClass) create a set of
objects under sourcedIds the service allocates and answer the pairs
(`sourcedIdPairs`), by a partner holding gradebook.createpost; one call of
db/roster/gradebook_post.sql, all or nothing. Every error is an
imsx_StatusInfo (errors.py).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import Request, Response, Router, delete, get, post, put
from litestar.enums import MediaType

from gateway.errors import ApiError
from gateway.identity.auth import Caller
from gateway.oneroster.errors import forbidden, from_api_error, invalid_data, unauthorised, unknown_object
from gateway.oneroster.gradebook_entities import ALL_ENTITIES, GRADEBOOK_ENTITIES, GRADEBOOK_NESTED
from gateway.oneroster.render import Parent
from gateway.oneroster.routes import SCOPE, _read, granted_scopes, run

PREFIX: Final = "/ims/oneroster/gradebook/v1p2"
# GUIDRefs of gradebook objects point at both services (gradebook_entities.py).
BASE_PATH: Final = "/ims/oneroster"
CREATEPUT: Final = SCOPE + "gradebook.createput"
CREATEPOST: Final = SCOPE + "gradebook.createpost"
DELETE: Final = SCOPE + "gradebook.delete"
# 1.2's securitySchemes: gradebook-core.readonly reads every object or one
# object; the nested collections take gradebook.readonly.
NESTED_READ: Final = frozenset({SCOPE + "gradebook.readonly"})
# The binding's POSTs, by the path's (parent, child): the body's set key and the
# call (the path's sourcedIds as $1.., the set last). Never from the request.
POSTS: Final = {
    ("classes", "lineItems"): ("lineItems", "oneroster.post_line_items($1, null, $2::jsonb)"),
    ("schools", "lineItems"): ("lineItems", "oneroster.post_line_items(null, $1, $2::jsonb)"),
    ("lineItems", "results"): ("results", "oneroster.post_results($1, null, null, $2::jsonb)"),
    ("classes", "academicSessions", "results"): ("results", "oneroster.post_results(null, $1, $2, $3::jsonb)"),
}
# The writable collections: the body's wrapper key and the function that PUTs one.
WRITABLE: Final = {
    "lineItems": ("lineItem", "oneroster.put_line_item"),
    "results": ("result", "oneroster.put_result"),
    "categories": ("category", "oneroster.put_category"),
    "scoreScales": ("scoreScale", "oneroster.put_score_scale"),
}
_COMMON: dict[str, Any] = {"media_type": MediaType.JSON, "include_in_schema": False}


async def _gb_read(request: Request[Any, Any, Any], name: str, **kw: Any) -> Response[bytes]:
    return await _read(request, name, entities=GRADEBOOK_ENTITIES, base_path=BASE_PATH, **kw)


@get("/{collection:str}", operation_id="gradebookCollection", **_COMMON)
async def collection(request: Request[Any, Any, Any]) -> Response[bytes]:
    """getAll<Type>: categories, lineItems, results, scoreScales, assessment*."""
    return await _gb_read(request, request.path_params["collection"])


@get("/{collection:str}/{sourced_id:str}", operation_id="gradebookObject", **_COMMON)
async def single(request: Request[Any, Any, Any]) -> Response[bytes]:
    params = request.path_params
    return await _gb_read(request, params["collection"], sourced_id=params["sourced_id"])


@get("/{parent:str}/{sourced_id:str}/{child:str}", operation_id="gradebookNested", **_COMMON)
async def nested(request: Request[Any, Any, Any]) -> Response[bytes]:
    """classes/{id}/{categories,lineItems,results,scoreScales}, schools/{id}/{lineItems,scoreScales},
    lineItems/{id}/results."""
    params = request.path_params
    link = GRADEBOOK_NESTED.get((params["parent"], params["child"]))
    if link is None:
        raise unknown_object(f"No OneRoster collection '{params['parent']}/{{id}}/{params['child']}'")
    parent = Parent(nested=link, sourced_id=params["sourced_id"])
    return await _gb_read(request, params["child"], parent=parent, scopes=NESTED_READ)


@get("/{parent:str}/{class_:str}/{middle:str}/{sourced_id:str}/{child:str}", operation_id="gradebookInClass", **_COMMON)
async def in_class(request: Request[Any, Any, Any]) -> Response[bytes]:
    """classes/{id}/lineItems/{id}/results (the line item, pinned to the class) and
    classes/{id}/students/{id}/results (the class's results of that student)."""
    p = request.path_params
    if p["parent"] != "classes" or p["child"] != "results":
        raise unknown_object("No such OneRoster collection")
    if p["middle"] == "lineItems":
        parent = Parent(
            nested=GRADEBOOK_NESTED[("lineItems", "results")], sourced_id=p["sourced_id"],
            pins=(("p.class_sourced_id", p["class_"]),),
        )  # fmt: skip
    elif p["middle"] == "students":
        parent = Parent(
            nested=GRADEBOOK_NESTED[("classes", "results")], sourced_id=p["class_"],
            child_pins=(("r.student_sourced_id", p["sourced_id"]),),
        )  # fmt: skip
    else:
        raise unknown_object("No such OneRoster collection")
    return await _gb_read(request, "results", parent=parent, scopes=NESTED_READ)


def _writer(caller: Caller, scope: str, what: str) -> None:
    if caller.role == "anon":
        raise unauthorised("A bearer token is required")
    # The binding's writes are a partner system's (the SIS or LMS syncing grades).
    if caller.role != "partner_sync":
        raise forbidden("Gradebook writes are made by partner clients")
    if scope not in granted_scopes(caller):
        raise forbidden(f"The token's scopes do not allow {what}: {scope} is required")


def _body(raw: bytes, key: str, sourced_id: str) -> dict[str, Any]:
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise invalid_data("The body is not JSON") from None
    obj = document.get(key) if isinstance(document, dict) else None
    if not isinstance(obj, dict):
        raise invalid_data(f'The body must be {{"{key}": {{...}}}}')
    if obj.get("sourcedId") not in (None, sourced_id):
        raise invalid_data("The body's sourcedId differs from the one in the path")
    return obj


@put("/{collection:str}/{sourced_id:str}", operation_id="gradebookPut", status_code=201, **_COMMON)
async def put_object(request: Request[Any, Any, Any]) -> Response[bytes]:
    """put<Type>: create (201) or replace (200) the object with this sourcedId."""
    params = request.path_params
    try:
        writable = WRITABLE.get(params["collection"])
        if writable is None:
            raise unknown_object(f"No writable OneRoster collection '{params['collection']}'")
        caller, claims = await request.app.state.gateway.tokens.caller(request.headers.get("authorization"))
        _writer(caller, CREATEPUT, f"writing {params['collection']}")
        obj = _body(await request.body(), writable[0], params["sourced_id"])
        # The function name comes from WRITABLE, never from the request.
        sql = f"select case when {writable[1]}($1, $2::jsonb) then 'created' else 'replaced' end, 1, null::int, null::text[]"
        outcome = await run(
            request, caller, claims, sql, (params["sourced_id"], msgspec.json.encode(obj).decode()), read_only=False
        )
    except ApiError as error:
        raise from_api_error(error) from None
    return Response(content=b"", status_code=201 if outcome.body == "created" else 200, media_type=MediaType.JSON)


@delete("/{collection:str}/{sourced_id:str}", operation_id="gradebookDelete", status_code=204, include_in_schema=False)
async def delete_object(request: Request[Any, Any, Any]) -> None:
    """delete<Type>: the object is marked deleted and read back as tobedeleted."""
    params = request.path_params
    try:
        if params["collection"] not in WRITABLE:
            raise unknown_object(f"No writable OneRoster collection '{params['collection']}'")
        caller, claims = await request.app.state.gateway.tokens.caller(request.headers.get("authorization"))
        _writer(caller, DELETE, f"deleting {params['collection']}")
        sql = "select (select 'deleted' from (select oneroster.delete_object($1, $2)) d), 1, null::int, null::text[]"
        await run(request, caller, claims, sql, (params["collection"], params["sourced_id"]), read_only=False)
    except ApiError as error:
        raise from_api_error(error) from None


def _set_body(raw: bytes, key: str) -> list[Any]:
    """The set a POST sends ({"lineItems": [...]} or {"results": [...]}); its
    objects are checked by the database function, which names the bad one."""
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise invalid_data("The body is not JSON") from None
    objects = document.get(key) if isinstance(document, dict) else None
    if not isinstance(objects, list) or set(document) != {key}:
        raise invalid_data(f'The body must be {{"{key}": [...]}}')
    return objects


async def _post(request: Request[Any, Any, Any], shape: tuple[str, ...], ids: tuple[str, ...]) -> Response[bytes]:
    """create<Type>s: the set created under allocated sourcedIds, the pairs answered (201)."""
    try:
        known = POSTS.get(shape)
        if known is None:
            raise unknown_object("No OneRoster Gradebook POST at this path")
        caller, claims = await request.app.state.gateway.tokens.caller(request.headers.get("authorization"))
        _writer(caller, CREATEPOST, f"creating {known[0]}")
        objects = _set_body(await request.body(), known[0])
        sql = f"select {known[1]}::text, 1, null::int, null::text[]"
        outcome = await run(
            request, caller, claims, sql, (*ids, msgspec.json.encode(objects).decode()), read_only=False
        )
    except ApiError as error:
        raise from_api_error(error) from None
    return Response(content=(outcome.body or "").encode(), status_code=201, media_type=MediaType.JSON)


@post("/{parent:str}/{sourced_id:str}/{child:str}", operation_id="gradebookPost", status_code=201, **_COMMON)
async def post_set(request: Request[Any, Any, Any]) -> Response[bytes]:
    """postLineItemsForClass, postLineItemsForSchool, postResultsForLineItem."""
    p = request.path_params
    return await _post(request, (p["parent"], p["child"]), (p["sourced_id"],))


@post("/{parent:str}/{class_:str}/{middle:str}/{sourced_id:str}/{child:str}", operation_id="gradebookPostInClass",
      status_code=201, **_COMMON)  # fmt: skip
async def post_in_class(request: Request[Any, Any, Any]) -> Response[bytes]:
    """postResultsForAcademicSessionForClass: classes/{id}/academicSessions/{id}/results."""
    p = request.path_params
    return await _post(request, (p["parent"], p["middle"], p["child"]), (p["class_"], p["sourced_id"]))


gradebook_router = Router(
    path=PREFIX,
    route_handlers=[collection, single, nested, in_class, put_object, delete_object, post_set, post_in_class],
)
assert set(WRITABLE) <= set(ALL_ENTITIES)
