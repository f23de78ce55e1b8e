"""operators.py through parse -> plan -> render: every operator, its
modifiers and JSON paths, as SQL fragments and bound values. Pure; the HTTP
suite (test_http_operators.py) checks what the SQL selects in Postgres."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import Filter, parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import bind, render
from gateway.dialect.schema.cache import SchemaCache
from gateway.errors import ApiError
from tests.gateway.catalog import column, relation

T = '"api"."samples"'
SAMPLES = relation(
    "samples",
    column("id", "int"),
    column("name", "text"),
    column("score", "numeric"),
    column("meta", "json"),
    column("doc", "jsonb"),
    column("tags", "text", type="text[]", cast="text[]", base="_text", category="A", element="text"),
    column("days", "text", type="int4range", cast="int4range", base="int4range", category="R"),
    column("words", "text", type="tsvector", cast="tsvector", base="tsvector", category="U"),
)
SCHEMA = SchemaCache(schema="api", relations={"samples": SAMPLES}, functions={})


def sql_of(query: str) -> tuple[str, tuple]:
    request = parse_request("GET", "samples", rpc=False, query=query, headers={}, body=None)
    rendered = render(plan_request(request, SCHEMA))
    return rendered.sql, bind(rendered, request, 1000)[:-2]


@pytest.mark.parametrize(
    ("query", "fragment", "args"),
    [
        ("id=eq.1", f'({T}."id" = $1::text::integer)', ("1",)),
        ("id=neq.1", f'({T}."id" <> $1::text::integer)', ("1",)),
        ("score=gt.1", f'({T}."score" > $1::text::numeric)', ("1",)),
        ("score=gte.1", f'({T}."score" >= $1::text::numeric)', ("1",)),
        ("score=lt.1", f'({T}."score" < $1::text::numeric)', ("1",)),
        ("score=lte.1", f'({T}."score" <= $1::text::numeric)', ("1",)),
        ("name=like.A*", f'({T}."name" like $1::text)', ("A%",)),
        ("name=ilike.*a", f'({T}."name" ilike $1::text)', ("%a",)),
        ("name=match.^A.*z$", f'({T}."name" ~ $1::text)', ("^A.*z$",)),
        ("name=imatch.^a", f'({T}."name" ~* $1::text)', ("^a",)),
        ("id=in.(1,2)", f'({T}."id" = any($1::text[]::integer[]))', (["1", "2"],)),
        ("id=isdistinct.1", f'({T}."id" is distinct from $1::text::integer)', ("1",)),
        ("id=not.isdistinct.1", f'not ({T}."id" is distinct from $1::text::integer)', ("1",)),
        ("words=fts.cat", f'({T}."words" @@ to_tsquery($1::text))', ("cat",)),
        ("words=plfts.fat cat", f'({T}."words" @@ plainto_tsquery($1::text))', ("fat cat",)),
        ("words=phfts(english).fat cat",
         f'({T}."words" @@ phraseto_tsquery($1::text::regconfig, $2::text))', ("english", "fat cat")),
        ("words=wfts(french).chat", f'({T}."words" @@ websearch_to_tsquery($1::text::regconfig, $2::text))',
         ("french", "chat")),
        ("name=fts(simple).cat",
         f'(to_tsvector($1::text::regconfig, {T}."name") @@ to_tsquery($1::text::regconfig, $2::text))',
         ("simple", "cat")),
        ("name=not.fts.cat", f'not (to_tsvector({T}."name") @@ to_tsquery($1::text))', ("cat",)),
        ("tags=cs.{a,b}", f'({T}."tags" @> $1::text::text[])', ("{a,b}",)),
        ("tags=cd.{a,b}", f'({T}."tags" <@ $1::text::text[])', ("{a,b}",)),
        ("tags=ov.{a,b}", f'({T}."tags" && $1::text::text[])', ("{a,b}",)),
        ("days=ov.[1,5)", f'({T}."days" && $1::text::int4range)', ("[1,5)",)),
        ("days=cs.[3,4)", f'({T}."days" @> $1::text::int4range)', ("[3,4)",)),
        ('doc=cs.{"a":1}', f'({T}."doc" @> $1::text::jsonb)', ('{"a":1}',)),
        ("days=sl.[5,9]", f'({T}."days" << $1::text::int4range)', ("[5,9]",)),
        ("days=sr.[5,9]", f'({T}."days" >> $1::text::int4range)', ("[5,9]",)),
        ("days=nxr.[5,9]", f'({T}."days" &< $1::text::int4range)', ("[5,9]",)),
        ("days=nxl.[5,9]", f'({T}."days" &> $1::text::int4range)', ("[5,9]",)),
        ("days=adj.[5,9]", f'({T}."days" -|- $1::text::int4range)', ("[5,9]",)),
        ("id=eq(any).{1,2}", f'({T}."id" = any($1::text::integer[]))', ("{1,2}",)),
        ("id=gt(all).{1,2}", f'({T}."id" > all($1::text::integer[]))', ("{1,2}",)),
        ("name=like(all).{A*,*z}", f'({T}."name" like all($1::text::text[]))', ("{A%,%z}",)),
        ("name=not.ilike(any).{a*,b*}", f'not ({T}."name" ilike any($1::text::text[]))', ("{a%,b%}",)),
        ("name=imatch(any).{^a,z$}", f'({T}."name" ~* any($1::text::text[]))', ("{^a,z$}",)),
        # JSON paths: keys are literals of the shape, values stay parameters.
        ("doc->>k=eq.x", f"""({T}."doc"->>'k' = $1::text)""", ("x",)),
        ("doc->a->>0=like.x*", f"""({T}."doc"->'a'->>0 like $1::text)""", ("x%",)),
        ("doc->a=eq.1", f"""({T}."doc"->'a' = $1::text::jsonb)""", ("1",)),
        ("doc->it's=is.null", f"""({T}."doc"->'it''s' is null)""", ()),
        ("or=(tags.ov.{a,b},days.adj.[1,2),id.eq(any).{3,4})",
         (f'(({T}."tags" && $1::text::text[]) or ({T}."days" -|- $2::text::int4range) or '
          f'({T}."id" = any($3::text::integer[])))'), ("{a,b}", "[1,2)", "{3,4}")),
        ('or=(tags.cs.{"x,y",z},name.eq.a)', f'({T}."tags" @> $1::text::text[])', ('{"x,y",z}', "a")),
        ("select=k:doc->>k,doc->a,meta->>m&order=doc->>k.desc",
         f"""select {T}."doc"->>'k' as "k", {T}."doc"->'a' as "a", {T}."meta"->>'m' as "m" from""", ()),
        ("order=doc->>k.desc,meta->x", f"""order by {T}."doc"->>'k' desc, {T}."meta"->'x' limit""", ()),
        # Into an array or any other type: to_jsonb(column) first, as PostgREST; keyed by the last key.
        ("doc=wfts.cat", f'(to_tsvector({T}."doc") @@ websearch_to_tsquery($1::text))', ("cat",)),
        ("tags->0=eq.1", f"""(to_jsonb({T}."tags")->0 = $1::text::jsonb)""", ("1",)),
        ("name->>x=eq.1", f"""(to_jsonb({T}."name")->>'x' = $1::text)""", ("1",)),
        ("select=tags->>0,doc->0->a->>2,meta->1&order=tags->1.desc",
         f"""select to_jsonb({T}."tags")->>0 as "tags", {T}."doc"->0->'a'->>2 as "a", {T}."meta"->1 as "meta" """,
         ()),
        ("order=tags->1.desc", f"""order by to_jsonb({T}."tags")->1 desc""", ()),
    ],
)  # fmt: skip
def test_operator_sql(query: str, fragment: str, args: tuple) -> None:
    sql, bound = sql_of(query)
    assert fragment in sql
    assert bound == args


def test_values_stay_out_of_the_shape() -> None:
    one = parse_request("GET", "samples", rpc=False, query="words=fts(english).a", headers={}, body=None)
    two = parse_request("GET", "samples", rpc=False, query="words=fts(french).b", headers={}, body=None)
    assert one.shape() == two.shape()
    assert one.where == (Filter(column="words", op="fts", slot=1, language=0),)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("id=like.1*", "42883"),  # like: text only
        ("id=match.1", "42883"),
        ("id=fts.a", "42883"),  # fts: tsvector or text
        ("id=cs.{1}", "42883"),  # cs: arrays, ranges, jsonb
        ("doc=ov.{1}", "42883"),  # ov: arrays and ranges
        ("tags=sl.{a}", "42883"),  # sl..adj: ranges only
        ("meta=gt.1", "42883"),  # json has no order
        ("id=in(any).(1)", "42883"),  # (any) only on comparison and pattern operators
        ("id=cs(all).{1}", "42883"),
        ("id=eq(some).{1}", "PGRST100"),
        ("id=eq(.{1}", "PGRST100"),
        ("id=foo.1", "PGRST100"),
        ("or=(tags.cs.{a,b)", "PGRST100"),  # unclosed array literal
        ("nope->>x=eq.1", "42703"),
    ],
)
def test_operator_errors(query: str, code: str) -> None:
    with pytest.raises(ApiError) as caught:
        sql_of(query)
    assert caught.value.code == code
