"""Accept -> the media type that answers (dialect/media.py), as PostgREST 12's
MediaType.hs and Plan.negotiateContent: pure, tables of cases. The handlers'
SQL and bodies run against PostgREST's fixtures in tests/conformance/spec
(CustomMediaSpec, NullsStripSpec)."""

from __future__ import annotations

import pytest

from gateway.dialect.media import MediaHandler, accepted, content_type, handlers, negotiate
from gateway.dialect.parse.headers import output
from gateway.errors import ApiError


def _handler(name: str, media: str, *, aggregate: bool = True, base: str = "text") -> MediaHandler:
    return MediaHandler(schema="api", name=name, aggregate=aggregate, media=media, base=base)  # type: ignore[arg-type]


HANDLERS = {
    "projects": {"text/tab-separated-values": _handler("tsv_agg", "text/tab-separated-values")},
    "numbers": {"*/*": _handler("some_agg", "application/octet-stream", base="bytea")},
    "overridden": {"application/json": _handler("ov_json_agg", "application/json", base="json")},
    "welcome": {"text/plain": _handler("text/plain", "text/plain", aggregate=False)},
    "image": {"image/png": _handler("image/png", "image/png", aggregate=False, base="bytea")},
    "": {"application/vnd.geo2+json": _handler("geo2json_agg", "application/vnd.geo2+json", base="jsonb")},
}


@pytest.mark.parametrize(
    ("header", "types"),
    [
        ("", ("*/*",)),
        ("application/json", ("application/json",)),
        # q values first, then more parameters, then fewer stars; ties keep their order
        ("text/html,application/xhtml+xml,application/xml;q=0.9,image/png,*/*;q=0.8",
         ("text/html", "application/xhtml+xml", "image/png", "application/xml", "*/*")),
        ("*/*, text/*, text/csv", ("text/csv", "text/*", "*/*")),
        ("application/vnd.pgrst.object+json; nulls=stripped", ("application/vnd.pgrst.object+json;nulls=stripped",)),
    ],
)  # fmt: skip
def test_accept_is_read_in_postgrests_order(header: str, types: tuple[str, ...]) -> None:
    assert accepted(header) == types


@pytest.mark.parametrize(
    ("header", "single", "csv", "strip"),
    [
        ("application/vnd.pgrst.array+json;nulls=stripped", False, False, True),
        ("application/vnd.pgrst.array;nulls=stripped", False, False, True),
        ("application/vnd.pgrst.array+json", False, False, False),  # plain JSON, not stripped
        ("application/vnd.pgrst.object+json;nulls=stripped", True, False, True),
        ("text/plain, text/csv", False, True, False),
        ("text/plain, application/json", False, False, False),
    ],
)
def test_what_accept_asks_of_the_body(header: str, single: bool, csv: bool, strip: bool) -> None:
    asked = output(header)
    assert (asked.single, asked.csv, asked.strip_nulls) == (single, csv, strip)


@pytest.mark.parametrize(
    ("accept", "targets", "handler", "sent"),
    [
        (("text/tab-separated-values",), ("projects",), "tsv_agg", "text/tab-separated-values"),
        # the relation's */* handler answers any Accept, JSON too (PostgREST's lookupHandler)
        (("magic/number",), ("numbers",), "some_agg", "application/octet-stream"),
        (("application/json",), ("numbers",), "some_agg", "application/octet-stream"),
        (("application/json",), ("overridden",), "ov_json_agg", "application/json; charset=utf-8"),
        # a function's domain; the first acceptable type wins, q values first
        (("text/plain",), ("welcome",), "text/plain", "text/plain; charset=utf-8"),
        (accepted("text/html, */*;q=0.8, image/png"), ("image",), "image/png", "image/png"),
        # an anyelement aggregate answers for every relation
        (("application/vnd.geo2+json",), ("projects",), "geo2json_agg", "application/vnd.geo2+json"),
    ],
)
def test_a_handler_answers(accept: tuple[str, ...], targets: tuple[str, ...], handler: str, sent: str) -> None:
    media = negotiate(accept, targets, HANDLERS)
    assert media is not None
    assert (media.handler.name, media.content_type) == (handler, sent)


@pytest.mark.parametrize(
    ("accept", "targets"),
    [
        (("application/json",), ("projects",)),
        (("*/*",), ("welcome",)),
        (("text/csv",), ("projects",)),
        # vendored types are never overridden, not even by a */* handler
        (("application/vnd.pgrst.object+json",), ("numbers",)),
        (("text/plain", "application/json"), ("projects",)),
    ],
)
def test_built_in_answers(accept: tuple[str, ...], targets: tuple[str, ...]) -> None:
    assert negotiate(accept, targets, HANDLERS) is None


def test_nothing_answers_406() -> None:
    with pytest.raises(ApiError) as caught:
        negotiate(("text/xml", "image/png"), ("welcome",), HANDLERS)
    error = caught.value
    assert (error.status, error.code, error.message) == (
        406, "PGRST107", "None of these media types are available: text/xml, image/png",
    )  # fmt: skip


def test_charset_only_on_the_text_types_postgrest_names() -> None:
    assert content_type("text/plain") == "text/plain; charset=utf-8"
    assert content_type("application/octet-stream") == "application/octet-stream"
    assert content_type("image/png") == "image/png"


def test_handlers_from_catalog_rows() -> None:
    found = handlers([
        ("api", "tsv_agg", "projects", "text/tab-separated-values", "text/tab-separated-values", "text", True),
        ("api", "*/*", "ret_any", "*/*", "application/octet-stream", "bytea", False),
        ("api", "geo_agg", "", "application/geo+json", "application/geo+json", "jsonb", True),
    ])  # fmt: skip
    assert found["ret_any"]["*/*"] == MediaHandler(
        schema="api", name="*/*", aggregate=False, media="application/octet-stream", base="bytea"
    )
    assert found[""]["application/geo+json"].base == "jsonb"
    assert found["projects"]["text/tab-separated-values"].aggregate
