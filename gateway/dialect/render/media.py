"""The body as a media type handler makes it, and `nulls=stripped` (dialect/media.py). Pure."""

from __future__ import annotations

from gateway.dialect.media import Media
from gateway.dialect.render.fragments import ident


def handled(media: Media, value: str) -> str:
    """The handler over `value` (the page's rows as the relation's row type, or
    a function's one value), as the bytes PostgREST sends: a bytea as is, a
    jsonb with the version byte of its binary form (PostgREST reads the body
    in binary), any other type as its UTF-8 text. NULL: an empty body."""
    handler = media.handler
    function = f"{ident(handler.schema)}.{ident(handler.name)}"  # names from the catalog
    made = f"{function}({value})" if handler.aggregate else f"({value})::{function}"
    if handler.base == "bytea":
        return f"({made})::bytea"
    text = f"convert_to(({made})::text, 'UTF8')"
    return f"'\\x01'::bytea || {text}" if handler.base == "jsonb" else text


def stripped(body: str) -> str:
    """A JSON text body without its objects' null members (PostgREST's json_strip_nulls)."""
    return f"json_strip_nulls(({body})::json)::text"
