"""Which media type answers a request (PostgREST 12's MediaType.hs and
Plan.negotiateContent). Pure.

`Accept` is read as PostgREST reads it (wai's parseHttpAccept): spaces
dropped, ordered by q value, then by specificity (more parameters first, fewer
`*` first), ties in header order. The first type that something can produce wins:

- the vendored types, never overridden: `application/vnd.pgrst.object+json`
  (`;nulls=stripped`: json_strip_nulls) and `application/vnd.pgrst.array+json;nulls=stripped`;
- a media type handler of the database (PostgREST docs "Media Type Handlers"): a
  domain named like a media type (`create domain "text/plain" as text`), either
  returned by a function (its one value is the body) or the state type of an
  aggregate over a relation's row type (or `anyelement`: any relation), which
  builds the body from the rows. For one media type, a handler for the
  relation itself (or its `*/*` handler, which answers any Accept) beats one for
  `anyelement`, which beats the built-in JSON and CSV;
- the built-ins: `application/json` (and `*/*`), `text/csv`.

Nothing else: 406 PGRST107 (PostgREST 12 answers 415; 13 answers 406).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from gateway.errors import ApiError

# How a handler's value becomes the body's bytes, by the domain's base type. The
# bytes are what PostgREST reads in the binary protocol: bytea as is, jsonb
# with its version byte (\x01, kept by PostgREST 12 and 13), any other type its text.
Base = Literal["bytea", "jsonb", "text"]
# The media types PostgREST sends with `; charset=utf-8` (MediaType.toContentType:
# every type it knows by name but application/octet-stream).
_CHARSET = ("application/json", "application/geo+json", "text/csv", "text/plain", "text/xml",
            "application/openapi+json", "application/x-www-form-urlencoded")  # fmt: skip
OBJECT = "application/vnd.pgrst.object+json"
ARRAY_STRIPPED = "application/vnd.pgrst.array+json;nulls=stripped"
OBJECT_STRIPPED = "application/vnd.pgrst.object+json;nulls=stripped"
_OBJECT_NAMES = (OBJECT, "application/vnd.pgrst.object")
_ARRAY_NAMES = ("application/vnd.pgrst.array+json", "application/vnd.pgrst.array")
# A raw (not JSON) POST body's Content-Type -> the one unnamed argument type it
# may fill (PostgREST's findProc; plan/functions.py).
RAW_BODIES = {"text/plain": "text", "text/xml": "xml", "application/octet-stream": "bytea"}
_BUILTIN = {"application/json": "json", "*/*": "json", "text/csv": "csv"}


class MediaHandler(msgspec.Struct, frozen=True, kw_only=True):
    """A handler of the schema cache (http/media_loader.py): an aggregate or,
    for a function returning the domain, the domain itself (its value is cast to it)."""

    schema: str
    name: str
    aggregate: bool
    media: str  # what Content-Type says: the domain's name (`*/*`: application/octet-stream)
    base: Base


class Media(msgspec.Struct, frozen=True, kw_only=True):
    """A handler chosen for one request (plan nodes carry it; None: JSON or CSV)."""

    handler: MediaHandler
    content_type: str


def accepted(header: str) -> tuple[str, ...]:
    """The media types of `Accept`, in PostgREST's order; `*/*` when absent."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        text = part.replace(" ", "").replace("\t", "")
        if not text:
            continue
        name, _, q_text = text.partition(";q=")
        q_value = q_text.split(";", 1)[0]
        try:
            q = float(q_value) if q_value else 1.0
        except ValueError:
            q = 0.0
        ranked.append(((-q, -name.count(";"), name.count("*"), position), name))
    return tuple(name for _, name in sorted(ranked)) or ("*/*",)


def vendored(media: str) -> tuple[bool, bool] | None:
    """(single, strip) for PostgREST's own JSON types; None for any other."""
    name, _, params = media.partition(";")
    name = name.lower()
    strip = params.lower() == "nulls=stripped"
    if name in _OBJECT_NAMES:
        return True, strip
    if name in _ARRAY_NAMES and strip:
        return False, True
    return None


def builtin(media: str) -> str | None:
    """`json` or `csv` for what the gateway makes itself (an array type
    without `nulls=stripped` is plain JSON, as PostgREST decodes it)."""
    name = media.partition(";")[0].lower()
    return "json" if name in _ARRAY_NAMES else _BUILTIN.get(name)


def content_type(media: str) -> str:
    return media + "; charset=utf-8" if media in _CHARSET else media


def negotiate(
    accept: tuple[str, ...], targets: tuple[str, ...], handlers: dict[str, dict[str, MediaHandler]]
) -> Media | None:
    """The handler answering `accept` for one of `targets` (the relation, or
    the function and the relation whose rows it returns), or None when the
    first type that anything produces is vendored or built in."""
    for media in accept:
        if vendored(media) is not None:
            return None
        name = media.partition(";")[0].lower()
        name = "application/json" if name in _ARRAY_NAMES else name  # not stripped: plain JSON
        for target in targets:
            own = handlers.get(target, {})
            handler = own.get("*/*") or own.get(name)
            if handler is not None:
                return Media(handler=handler, content_type=content_type(handler.media))
        handler = handlers.get("", {}).get(name)
        if handler is not None and handler.aggregate:
            return Media(handler=handler, content_type=content_type(handler.media))
        if builtin(media) is not None:
            return None
    raise unavailable(accept)


def unavailable(accept: tuple[str, ...]) -> ApiError:
    return ApiError(406, "PGRST107", "None of these media types are available: " + ", ".join(accept))


def handlers(rows: list[tuple[str, str, str, str, str, str, bool]]) -> dict[str, dict[str, MediaHandler]]:
    """From the loader's rows: (handler schema, handler name, target or "" for
    anyelement, media type, resolved media type, base type, is an aggregate)."""
    found: dict[str, dict[str, MediaHandler]] = {}
    for schema, name, target, media, resolved, base, aggregate in rows:
        kind: Base = "bytea" if base == "bytea" else "jsonb" if base == "jsonb" else "text"
        handler = MediaHandler(schema=schema, name=name, aggregate=aggregate, media=resolved, base=kind)
        found.setdefault(target, {})[media] = handler
    return found
