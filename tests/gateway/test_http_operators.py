"""Every filter operator over HTTP against Postgres, each answer checked
against the same condition written by hand in SQL.

The api schema has no array, range or tsvector column, so the operators are
exercised on a table of their own in a schema of their own (`ops_sample`,
served by a second app with DB_SCHEMA=ops_sample); JSON paths and the text
operators also run on the api views, under RLS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for

ROWS = [
    (1, "Ada Abbott", ["math", "art"], "[1,5)", "the quick brown fox", '{"grade": 5, "tags": ["a", "b"]}'),
    (2, "Ben Baker", ["art"], "[5,9)", "lazy dogs sleep", '{"grade": 6, "tags": ["b"]}'),
    (3, "Cy Carter", [], "[10,20)", "a quick nap", '{"grade": 5}'),
    (4, "di carter", ["math", "music", "a,b"], None, "brown dogs and foxes", None),
    (5, "Ed O'Brien", None, "empty", "", '{"grade": null, "it\'s": "x"}'),
]


@pytest.fixture(scope="module")
async def ops(committer_session: asyncpg.Connection, database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    await committer_session.execute(
        """
        drop schema if exists ops_sample cascade;
        create schema ops_sample;
        create table ops_sample.samples (
            id int primary key, name text not null, tags text[], days int4range, words tsvector, doc jsonb
        );
        create domain ops_sample.label as text check (length(value) < 100);
        grant usage on schema ops_sample to school_admin;
        grant select on ops_sample.samples to school_admin;
        """
    )
    await committer_session.executemany(
        "insert into ops_sample.samples values ($1, $2, $3, $4::text::int4range, to_tsvector('english', $5), $6::jsonb)",
        ROWS,
    )
    async with AsyncTestClient(create_app(settings_for(database_url, db_schema="ops_sample",
                                                       db_channel_enabled=False))) as client:  # fmt: skip
        yield client
    await committer_session.execute("drop schema ops_sample cascade")


CASES = [
    ("id=eq.2", "id = 2"),
    ("id=neq.2", "id <> 2"),
    ("id=gt.3", "id > 3"),
    ("id=gte.3", "id >= 3"),
    ("id=lt.2", "id < 2"),
    ("id=lte.2", "id <= 2"),
    ("name=like.*arter", "name like '%arter'"),
    ("name=ilike.*CARTER", "name ilike '%carter'"),
    ("name=match.^[A-C]", "name ~ '^[A-C]'"),
    ("name=imatch.^[a-c]", "name ~* '^[a-c]'"),
    ("name=not.imatch.^[a-c]", "not (name ~* '^[a-c]')"),
    ("id=in.(1,3,99)", "id in (1, 3, 99)"),
    ("days=isdistinct.[1,5)", "days is distinct from '[1,5)'"),
    ("tags=is.null", "tags is null"),
    ("tags=not.is.null", "tags is not null"),
    ("words=fts.quick", "words @@ to_tsquery('quick')"),
    ("words=fts(english).foxes", "words @@ to_tsquery('english', 'foxes')"),
    ("words=plfts.brown dogs", "words @@ plainto_tsquery('brown dogs')"),
    ("words=phfts(english).quick brown", "words @@ phraseto_tsquery('english', 'quick brown')"),
    ("words=wfts(english).dogs -lazy", "words @@ websearch_to_tsquery('english', 'dogs -lazy')"),
    ("words=not.fts.quick", "not (words @@ to_tsquery('quick'))"),
    ("name=fts(simple).carter", "to_tsvector('simple', name) @@ to_tsquery('simple', 'carter')"),
    ("tags=cs.{art}", "tags @> '{art}'"),
    ("tags=cd.{math,art,music}", "tags <@ '{math,art,music}'"),
    ('tags=ov.{music,"a,b"}', "tags && '{music,\"a,b\"}'"),
    ("days=ov.[4,6)", "days && '[4,6)'"),
    ("days=cs.[15,16)", "days @> '[15,16)'::int4range"),
    ("days=cd.[0,10)", "days <@ '[0,10)'"),
    ("days=sl.[9,10)", "days << '[9,10)'"),
    ("days=sr.[4,5)", "days >> '[4,5)'"),
    ("days=nxr.[0,9)", "days &< '[0,9)'"),
    ("days=nxl.[5,6)", "days &> '[5,6)'"),
    ("days=adj.[9,10)", "days -|- '[9,10)'"),
    ('doc=cs.{"grade":5}', """doc @> '{"grade":5}'"""),
    ("id=eq(any).{1,4}", "id = any('{1,4}')"),
    ("id=gt(all).{1,2}", "id > all('{1,2}')"),
    ("name=like(any).{A*,*Baker}", "name like any('{A%,%Baker}')"),
    ("name=ilike(all).{*a*,*r*}", "name ilike all('{%a%,%r%}')"),
    ("name=not.match(any).{^A,^B}", "not (name ~ any('{^A,^B}'))"),
    ("doc->>grade=eq.5", "doc->>'grade' = '5'"),
    ("doc->grade=eq.6", "doc->'grade' = '6'"),
    ("doc->tags->>0=eq.b", "doc->'tags'->>0 = 'b'"),
    ("doc->>it's=eq.x", "doc->>'it''s' = 'x'"),
    ("doc->grade=is.null", "doc->'grade' is null"),
    ("or=(tags.ov.{music,art},days.adj.[20,30),id.eq(any).{5})",
     "tags && '{music,art}' or days -|- '[20,30)' or id = any('{5}')"),
    ("and=(words.fts(english).quick,not.or(id.eq.1,name.like(any).{X*,Y*}))",
     "words @@ to_tsquery('english', 'quick') and not (id = 1 or name like any('{X%,Y%}'))"),
    # PostgREST skips spaces around a tree's parentheses and commas; an array is one value for any operator.
    ("or=( id.eq.1, and ( id.in.( 2, 3 ) , tags.isdistinct.{art} ) )",
     "id = 1 or (id in (2, 3) and tags is distinct from '{art}')"),
    # A JSON path into a column of another type applies to to_jsonb(column), as PostgREST.
    ("tags->>1=eq.art", "to_jsonb(tags)->>1 = 'art'"),
    ("tags->0=eq.\"math\"", "to_jsonb(tags)->0 = '\"math\"'"),
    ("name->>x=eq.1", "to_jsonb(name)->>'x' = '1'"),
    # fts on a jsonb or text column searches to_tsvector(column), as PostgREST 13.
    ("doc=fts(simple).b", "to_tsvector('simple', doc) @@ to_tsquery('simple', 'b')"),
    ("name=plfts.carter", "to_tsvector(name) @@ plainto_tsquery('carter')"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "condition"), CASES)
async def test_operator_matches_postgres(
    ops: AsyncTestClient[Litestar], schools: tuple[School, School], committer_session: asyncpg.Connection,
    query: str, condition: str,
) -> None:  # fmt: skip
    response = await ops.get(f"/samples?select=id&order=id&{query}", headers=as_role("school_admin", schools[0]))
    assert response.status_code == 200, response.text
    expected = await committer_session.fetch(f"select id from ops_sample.samples where {condition} order by id")
    assert [row["id"] for row in response.json()] == [row["id"] for row in expected]


async def test_json_paths_in_select_and_order(ops: AsyncTestClient[Litestar], schools: tuple[School, School]) -> None:
    response = await ops.get(
        "/samples?select=id,g:doc->>grade,doc->tags,first:doc->tags->>0&doc=not.is.null&order=doc->>grade.desc,id",
        headers=as_role("school_admin", schools[0]),
    )
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"id": 5, "g": None, "tags": None, "first": None},  # ->> of a JSON null is SQL null: first on desc
        {"id": 2, "g": "6", "tags": ["b"], "first": "b"},
        {"id": 1, "g": "5", "tags": ["a", "b"], "first": "a"},
        {"id": 3, "g": "5", "tags": None, "first": None},
    ]


async def test_json_paths_into_arrays_and_casts_from_the_catalog(
    ops: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    """PostgREST's to_jsonb(column) for a path into a non-JSON column, keyed by
    its last key that is not an index; casts to any type of the catalog."""
    response = await ops.get(
        "/samples?select=id::text,tags->>0,n:doc->tags->0,g:doc->>grade::int,f:id::double precision,"
        "v:tags::varchar[],l:name::label&tags->>0=eq.math&order=tags->1.desc",
        headers=as_role("school_admin", schools[0]),
    )
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"id": "4", "tags": "math", "n": None, "g": None, "f": 4.0, "v": ["math", "music", "a,b"], "l": "di carter"},
        {"id": "1", "tags": "math", "n": "a", "g": 5, "f": 1.0, "v": ["math", "art"], "l": "Ada Abbott"},
    ]
    # PostgREST's Content-Location: the query's parameters sorted and re-encoded.
    assert response.headers["content-location"].startswith("/samples?order=tags-%3E1.desc&select=id%3A%3Atext%2C")
    refused = await ops.get("/samples?select=id::nope", headers=as_role("school_admin", schools[0]))
    assert_canonical_error(refused, 400, "42704")
    assert refused.json()["message"] == 'type "nope" does not exist'


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("id=like.1*", 400, "42883"),
        ("name=cs.{a}", 400, "42883"),
        ("tags=sl.{a}", 400, "42883"),
        ("doc=ov.{a}", 400, "42883"),
        ("id=fts.a", 400, "42883"),
        ("id=eq(some).{1}", 400, "PGRST100"),
        ("id=in(any).(1)", 400, "42883"),
        ("id=cs(any).{1}", 400, "42883"),
        ("words=fts(no_such_config).a", 400, "42704"),  # Postgres: text search configuration does not exist
        ("days=ov.[5,1)", 400, None),  # Postgres: range lower bound must be less than or equal to upper bound
        ("tags=cs.{a", 400, None),  # Postgres: malformed array literal
        ("or=(tags.cs.{a,b)", 400, "PGRST100"),
    ],
)
async def test_operator_errors(
    ops: AsyncTestClient[Litestar], schools: tuple[School, School], query: str, status: int, code: str | None
) -> None:
    response = await ops.get(f"/samples?{query}", headers=as_role("school_admin", schools[0]))
    assert_canonical_error(response, status, code)


async def test_json_paths_on_an_api_view_under_rls(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    school = await make_school(committer_session)
    for roles in (["ADMIN", "TEACHER"], ["PARENT"], ["TEACHER"]):
        await committer_session.execute(
            """insert into data.announcements (school_id, title, content, published_at, created_by_user_id, audience)
               values ($1, 'Hi', 'Hello', now(), $2, jsonb_build_object('roles', $3::text[]))""",
            school.id, school.admin_user, roles,
        )  # fmt: skip
    response = await api.get(
        '/announcements?select=id,roles:audience->roles&audience->roles=cs.["TEACHER"]&order=id',
        headers=as_role("teacher", school),
    )
    assert response.status_code == 200, response.text
    expected = await committer_session.fetch(
        """select id::text, audience->'roles' as roles from data.announcements
           where school_id = $1 and audience->'roles' @> '["TEACHER"]' order by id""",
        school.id,
    )
    assert [row["id"] for row in response.json()] == [row["id"] for row in expected]
    assert all("TEACHER" in row["roles"] for row in response.json())
    assert len(response.json()) == 2
