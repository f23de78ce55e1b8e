"""Which function a call names (PostgREST's Plan.findProc), or PGRST202/PGRST203
in PostgREST's words (Error.hs NoRpc, AmbiguousRpc, noRpcHint). Pure.

An overload fits when its named arguments fit what the call gives (every
required one given, nothing unknown). Failing that, a POST body goes whole to
a function of one unnamed argument whose type suits the body's Content-Type:
JSON to json/jsonb, text/plain to text, text/xml to xml,
application/octet-stream to bytea. More than one fitting: 300 PGRST203.
"""

from __future__ import annotations

from gateway.dialect import fuzzy
from gateway.dialect.media import RAW_BODIES
from gateway.dialect.schema.cache import Function, SchemaCache
from gateway.errors import ApiError


def find_function(
    schema: SchemaCache, name: str, given: tuple[str, ...], *, post: bool = False, body_media: str = ""
) -> Function:
    overloads = schema.functions.get(name, ())
    raw = post and body_media in RAW_BODIES
    named = [f for f in overloads if f.body_param is None and _fits(f, set(given), raw)]
    whole = [f for f in overloads if post and f.body_param is not None and _takes_body(f.body_param, body_media)]
    if len(named) == 1:
        return named[0]
    if not named and len(whole) == 1:
        return whole[0]
    if named or whole:
        raise ambiguous(schema, named or whole)
    raise no_function(schema, name, given, post=post, body_media=body_media)


def single_object_function(schema: SchemaCache, name: str) -> Function:
    """`Prefer: params=single-object`: the overload taking one json or jsonb argument."""
    for function in schema.functions.get(name, ()):
        if len(function.arguments) == 1 and function.arguments[0].type in ("json", "jsonb"):
            return function
    raise ApiError(404, "PGRST202", f"Could not find the function {schema.schema}.{name} in the schema cache",
                   details=f"Searched for the function {schema.schema}.{name} with a single json/jsonb parameter, "
                   "but no matches were found in the schema cache.")  # fmt: skip


def _fits(function: Function, given: set[str], raw: bool) -> bool:
    if not function.arguments:  # a raw body is an argument, so not for a function without any
        return not given and not raw
    known = {a.name for a in function.arguments}
    required = {a.name for a in function.arguments if not a.has_default}
    return required <= given <= known


def _takes_body(param: str, body_media: str) -> bool:
    if body_media in RAW_BODIES:
        return RAW_BODIES[body_media] == param
    return body_media in ("", "application/json") and param in ("json", "jsonb")


def ambiguous(schema: SchemaCache, functions: list[Function]) -> ApiError:
    def signature(f: Function) -> str:
        params = [f"{a.name} => {a.type}" for a in f.arguments] if f.body_param is None else [f" => {f.body_param}"]
        return f"{schema.schema}.{f.name}({', '.join(params)})"

    return ApiError(
        300,
        "PGRST203",
        "Could not choose the best candidate function between: " + ", ".join(signature(f) for f in functions),
        hint="Try renaming the parameters or the function itself in the database so function overloading can be resolved",
    )


def no_function(schema: SchemaCache, name: str, given: tuple[str, ...], *, post: bool, body_media: str) -> ApiError:
    """PGRST202: a raw body searched for one unnamed argument only, so says no
    parameters and gives no hint; else the hint names the closest overload's
    parameters, or the closest function when the name has none."""
    qualified = f"{schema.schema}.{name}"
    listed = ", ".join(given)
    raw = post and body_media in RAW_BODIES
    if raw:
        searched = f" with a single unnamed {RAW_BODIES[body_media]} parameter"
    else:
        searched = f" with parameter{'s' if len(given) > 1 else ''} {listed}" if given else " without parameters"
        if post and body_media in ("", "application/json"):  # a JSON body may be the one json/jsonb argument
            searched += " or with a single unnamed json/jsonb parameter"
    return ApiError(
        404,
        "PGRST202",
        f"Could not find the function {qualified}{'' if raw else f'({listed})' if given else ' without parameters'} "
        "in the schema cache",
        details=f"Searched for the function {qualified}{searched}, but no matches were found in the schema cache.",
        hint=None if raw else _hint(schema, name, given),
    )


def _hint(schema: SchemaCache, name: str, given: tuple[str, ...]) -> str | None:
    overloads = schema.functions.get(name, ())
    if overloads:
        shapes = {"(" + ", ".join(sorted(a.name for a in f.arguments)) + ")" for f in overloads}
        close = fuzzy.closest(sorted(shapes), "(" + ", ".join(sorted(given)) + ")")
        found = f"{name}{close}" if close else None
    else:
        found = fuzzy.closest(sorted(schema.functions), name)
    return f"Perhaps you meant to call the function {schema.schema}.{found}" if found else None
