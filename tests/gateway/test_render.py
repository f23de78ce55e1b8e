"""render.py: plans -> one SQL text + arguments. Pure; what the SQL does is
checked against Postgres in the HTTP tests."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import Rendered, bind, ident, render
from tests.gateway.catalog import SCHEMA

# What writes and calls add to the four columns (render/statement.py _RESPONSE).
RESPONSE = (
    "nullif(current_setting('response.headers', true), '') as response_headers, "
    "nullif(current_setting('response.status', true), '') as response_status "
)

S = '"api"."students"'


def rendered(method: str, query: str = "", *, target: str = "students", rpc: bool = False, body: bytes | None = None,
             columns: tuple[str, ...] = (), array_body: bool = False, max_rows: int = 1000,
             **headers: str) -> tuple[Rendered, tuple]:  # fmt: skip
    request = parse_request(method, target, rpc=rpc, query=query, headers=headers, body=body)
    result = render(plan_request(request, SCHEMA, columns=columns, array_body=array_body))
    return result, bind(result, request, max_rows)


@pytest.mark.parametrize(
    ("query", "fragment", "args"),
    [
        ("id=eq.7", f'({S}."id" = $1::text::uuid)', ("7",)),
        ("last_name=neq.x", f'({S}."last_name" <> $1::text)', ("x",)),
        ("balance=gt.1", f'({S}."balance" > $1::text::numeric)', ("1",)),
        ("balance=gte.1", f'({S}."balance" >= $1::text::numeric)', ("1",)),
        ("date_of_birth=lt.2020-01-01", f'({S}."date_of_birth" < $1::text::date)', ("2020-01-01",)),
        ("date_of_birth=lte.2020-01-01", f'({S}."date_of_birth" <= $1::text::date)', ("2020-01-01",)),
        ("last_name=like.S*", f'({S}."last_name" like $1::text)', ("S%",)),
        ("last_name=ilike.*s*", f'({S}."last_name" ilike $1::text)', ("%s%",)),
        ("id=in.(a,b)", f'({S}."id" = any($1::text[]::uuid[]))', (["a", "b"],)),
        ("last_name=in.(a,\"b,c\")", f'({S}."last_name" = any($1::text[]))', (["a", "b,c"],)),
        ("gender=is.null", f'({S}."gender" is null)', ()),
        ("gender=is.not_null", f'({S}."gender" is not null)', ()),
        ("active=is.true", f'({S}."active" is true)', ()),
        ("active=is.false", f'({S}."active" is false)', ()),
        ("active=is.unknown", f'({S}."active" is unknown)', ()),
        ("id=not.eq.7", f'not ({S}."id" = $1::text::uuid)', ("7",)),
        ("gender=not.is.null", f'not ({S}."gender" is null)', ()),
        (
            "or=(id.eq.1,and(balance.lt.2,gender.is.null))",
            f'(({S}."id" = $1::text::uuid) or (({S}."balance" < $2::text::numeric) and ({S}."gender" is null)))',
            ("1", "2"),
        ),
        ("not.and=(id.eq.1,id.eq.2)", f'not (({S}."id" = $1::text::uuid) and ({S}."id" = $2::text::uuid))', ("1", "2")),
        ("order=last_name.desc.nullslast,id", f'order by {S}."last_name" desc nulls last, {S}."id" limit', ()),
        # A nullable order pages by keyset too (keyset_sql.py): the key is appended.
        ("order=gender.nullsfirst", f'order by {S}."gender" nulls first, {S}."id" limit', ()),
        ("select=id,n:last_name,dob:date_of_birth::text",
         f'select {S}."id" as "id", {S}."last_name" as "n", cast({S}."date_of_birth" as "pg_catalog"."text") as "dob" from',
         ()),
        # Casts name a type of the catalog (casts.py), by SQL's names too, and arrays of one.
        ("select=id::int", f'cast({S}."id" as "pg_catalog"."int4") as "id"', ()),
        ("select=balance::double precision", f'cast({S}."balance" as "pg_catalog"."float8") as "balance"', ()),
        ("select=id::text[]", f'cast({S}."id" as "pg_catalog"."text"[]) as "id"', ()),
    ],
)  # fmt: skip
def test_read_fragments(query: str, fragment: str, args: tuple) -> None:
    statement, bound = rendered("GET", query)
    assert fragment in statement.sql
    assert bound == (*args, 1000, 0)
    assert statement.read_only


def test_read_statement_shape() -> None:
    statement, args = rendered("GET", "id=eq.1&limit=20&offset=40")
    assert statement.sql == (
        "select coalesce(json_agg(pgrst_t), '[]')::text as body, count(*) as page_total, null::bigint as total, "
        'null::text[] as location from (select "api"."students".* from "api"."students" '
        'where ("api"."students"."id" = $1::text::uuid) limit $2 offset $3) pgrst_t'
    )
    assert args == ("1", 20, 40)


def test_count_exact_counts_the_filtered_relation_in_the_same_statement() -> None:
    statement, _ = rendered("GET", "id=eq.1", prefer="count=exact")
    assert f'(select count(*) from {S} where ({S}."id" = $1::text::uuid)) as total' in statement.sql


def test_single_object_takes_the_first_element() -> None:
    statement, _ = rendered("GET", accept="application/vnd.pgrst.object+json")
    assert statement.sql.startswith("select coalesce((json_agg(pgrst_t)->0)::text, 'null') as body")


@pytest.mark.parametrize(("limit", "max_rows", "bound"), [(None, 1000, 1000), (50, 1000, 50), (5000, 1000, 1000)])
def test_limit_is_capped_by_max_rows(limit: int | None, max_rows: int, bound: int) -> None:
    query = "" if limit is None else f"limit={limit}"
    _, args = rendered("GET", query, max_rows=max_rows)
    assert args == (bound, 0)


def test_same_shape_same_sql() -> None:
    one, a = rendered("GET", "id=in.(1,2,3)&last_name=like.A*&limit=5")
    two, b = rendered("GET", "id=in.(9)&last_name=like.Zed*&limit=50&offset=3")
    assert one.sql == two.sql
    assert a != b


def test_create_is_one_statement_with_the_body_as_one_parameter() -> None:
    statement, args = rendered("POST", "select=id", body=b'{"last_name": "A"}', columns=("last_name",),
                               prefer="return=representation")  # fmt: skip
    assert statement.sql == (
        f'with pgrst_source as (insert into {S} ("last_name") select pgrst_body."last_name" '
        f'from json_to_recordset($1::json) as pgrst_body("last_name" text) returning {S}.*) '
        "select coalesce(json_agg(pgrst_t), '[]')::text as body, count(*) as page_total, count(*) as total, "
        '(select array["id"::text] from pgrst_source limit 1) as location, ' + RESPONSE +
        'from (select pgrst_source."id" as "id" from pgrst_source) pgrst_t'
    )
    assert args == ('[{"last_name": "A"}]',)  # one object goes in as a one-element array
    assert not statement.read_only


def test_create_from_an_array_has_no_location_and_minimal_returns_no_body() -> None:
    statement, args = rendered("POST", body=b'[{"last_name": "A"}]', columns=("last_name",), array_body=True)
    assert "null::text as body" in statement.sql
    assert "null::text[] as location" in statement.sql
    assert args == ('[{"last_name": "A"}]',)


def test_update_binds_filters_then_body() -> None:
    statement, args = rendered("PATCH", "id=eq.1", body=b'{"last_name": "B"}', columns=("last_name",))
    assert (
        f'update {S} set "last_name" = pgrst_body."last_name" '
        f'from json_to_record($2::json) as pgrst_body("last_name" text) '
        f'where ({S}."id" = $1::text::uuid) returning {S}.*'
    ) in statement.sql
    assert args == ("1", '{"last_name": "B"}')


def test_delete() -> None:
    statement, args = rendered("DELETE", "id=eq.1")
    assert f'with pgrst_source as (delete from {S} where ({S}."id" = $1::text::uuid) returning {S}.*)' in statement.sql
    assert args == ("1",)


def test_call_with_a_body_uses_named_arguments_typed_by_the_catalog() -> None:
    statement, args = rendered("POST", target="record_payment", rpc=True, body=b'{"p_invoice_id": "i", "p_amount": 5}')
    assert statement.sql == (
        'select to_json("api"."record_payment"("p_amount" => pgrst_args."p_amount", '
        '"p_invoice_id" => pgrst_args."p_invoice_id"))::text as body, 1::bigint as page_total, '
        "null::bigint as total, null::text[] as location, " + RESPONSE +
        'from json_to_record($1::json) as pgrst_args("p_amount" numeric, "p_invoice_id" uuid)'
    )
    assert args == ('{"p_invoice_id": "i", "p_amount": 5}',)


def test_call_from_the_query_string_and_returning_a_set() -> None:
    statement, args = rendered("GET", "p_class_id=c", target="students_of", rpc=True)
    assert statement.sql == (
        'with pgrst_source as (select pgrst_call from "api"."students_of"("p_class_id" => $1::text::uuid) '
        "as pgrst_call) select coalesce(json_agg(pgrst_t.pgrst_call), '[]')::text as body, count(*) as page_total, "
        "null::bigint as total, null::text[] as location, " + RESPONSE +
        "from (select pgrst_source.pgrst_call from pgrst_source limit $2 offset $3) pgrst_t"
    )
    assert args == ("c", 1000, 0)  # a set is cut by MAX_ROWS, as PostgREST's db-max-rows
    assert statement.read_only


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("id", '"id"'), ('we"ird', '"we""ird"'), ('x"; drop table students; --', '"x""; drop table students; --"'),
     ("a\x00b", '"ab"')],
)  # fmt: skip
def test_identifiers_are_always_quoted_with_quotes_doubled(name: str, quoted: str) -> None:
    assert ident(name) == quoted


def test_injection_attempts_stay_quoted_names_or_parameters() -> None:
    hostile = "x'); drop table students; --"
    statement, args = rendered(
        "GET",
        f'select=a"b:we"ird,x" from pg_roles --:id&we"ird=eq.{hostile}&last_name=in.("{hostile}")&order=we"ird.desc',
    )
    assert 'as "a""b"' in statement.sql
    assert 'as "x"" from pg_roles --"' in statement.sql
    assert '"api"."students"."we""ird" = $1::text' in statement.sql
    assert hostile not in statement.sql  # values only ever travel as parameters
    assert args[:2] == (hostile, [hostile])


@pytest.mark.parametrize(
    ("prefer", "query", "clause"),
    [
        # A merge counts the rows it inserted: 201, or 200 if none (render/writes.py).
        ("resolution=merge-duplicates", "", (' on conflict ("id") do update set "id" = excluded."id", '
                                             '"last_name" = excluded."last_name" where set_config(\'pgrst.inserted\'')),
        ("resolution=ignore-duplicates", "on_conflict=student_number", ' on conflict ("student_number") do nothing '),
        ("", "", '"last_name" text) returning'),
    ],
)  # fmt: skip
def test_upserts(prefer: str, query: str, clause: str) -> None:
    statement, _ = rendered("POST", query, body=b"[]", columns=("id", "last_name"), array_body=True, prefer=prefer)
    assert clause in statement.sql
