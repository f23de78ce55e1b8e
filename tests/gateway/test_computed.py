"""computed.py, schema_cache.py and resolve/render on computed fields and
computed relationships. Pure: raw catalog rows as schema_cache's query gives
them, and the SQL the plans render to (what it does is checked against Postgres
in test_http_computed_*.py)."""

from __future__ import annotations

import msgspec
import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import QualifiedName, plan_request
from gateway.dialect.plan.embeds import plan_embeds
from gateway.dialect.render.statement import render
from gateway.dialect.schema.cache import _RawFunction, _RawRelation, build_schema_cache
from gateway.errors import ApiError

S = '"api"."students"'
FULL_NAME = f'"api"."full_name"(row({S}.*)::{S})'


def raw_relation(name: str, *columns: str) -> _RawRelation:
    raw = {"name": name, "kind": "v", "events": 28, "primary_key": ["id"],
           "columns": [{"name": c, "type": "text", "cast": "text", "base": "text", "category": "S"}
                       for c in ("id", "school_id", *columns)]}  # fmt: skip
    return msgspec.convert(raw, _RawRelation)


def raw_function(name: str, row_of: str | None, **fields: object) -> _RawFunction:
    raw = {"name": name, "returns": "text", "returns_set": False, "returns_void": False, "volatility": "s",
           "defaults": 0, "arguments": [{"type": f"api.{row_of}", "mode": "i"}], "row_of": row_of,
           "base": "text", "category": "S"} | fields  # fmt: skip
    return msgspec.convert(raw, _RawFunction)


SCHEMA = build_schema_cache(
    "api",
    [raw_relation("students", "first_name", "last_name"), raw_relation("schools", "name"),
     raw_relation("academic_terms", "name", "is_current"), raw_relation("classes", "name")],
    [
        raw_function("full_name", "students"),
        raw_function("current_term", "schools", returns="api.academic_terms", returns_set=True, rows=1,
                     returns_rows_of="academic_terms"),
        raw_function("current_classes", "students", returns="api.classes", returns_set=True, rows=1000,
                     returns_rows_of="classes"),
        raw_function("first_name", "students"),  # a column of that name wins
        raw_function("sum_of", None, returns_set=True),  # not of a row: neither
    ],
)  # fmt: skip


def test_the_catalog_rows_become_fields_and_relationships() -> None:
    assert list(SCHEMA.relations["students"].computed) == ["full_name"]
    field = SCHEMA.relations["students"].computed["full_name"]
    assert (field.category, field.updatable, field.nullable) == ("S", False, True)
    assert SCHEMA.relations["schools"].computed == {}
    assert [(r.function, r.origin, r.target, r.to_one) for r in SCHEMA.computed_relationships] == [
        ("current_term", "schools", "academic_terms", True),
        ("current_classes", "students", "classes", False),
    ]
    assert "full_name" not in SCHEMA.functions  # an unnamed parameter: not callable at /rpc


def sql(query: str, target: str = "students") -> str:
    request = parse_request("GET", target, rpc=False, query=query, headers={}, body=None)
    return render(plan_request(request, SCHEMA)).sql


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("select=id,full_name", f'{FULL_NAME} as "full_name"'),
        ("select=n:full_name::varchar", f'cast({FULL_NAME} as "pg_catalog"."varchar") as "n"'),
        ("full_name=ilike.*a*", f"({FULL_NAME} ilike $1::text)"),
        ("full_name=is.null", f"({FULL_NAME} is null)"),
        ("or=(full_name.eq.x,id.eq.y)", f"(({FULL_NAME} = $1::text) or"),
        ("order=full_name.desc", f"order by {FULL_NAME} desc"),
        ("select=first_name", f'{S}."first_name"'),
    ],
)
def test_a_computed_field_renders_as_a_call_on_the_row(query: str, fragment: str) -> None:
    assert fragment in sql(query)


def test_star_does_not_include_computed_fields() -> None:
    assert "full_name" not in sql("select=*")


def test_an_order_by_a_computed_field_is_not_keyset() -> None:
    plan = plan_request(parse_request("GET", "students", rpc=False, query="order=full_name", headers={}, body=None),
                        SCHEMA)  # fmt: skip
    assert plan.key_types == () and plan.order[0].computed == QualifiedName(schema="api", name="students")


@pytest.mark.parametrize(
    ("query", "target", "fragment"),
    [
        ("select=name,current_term(name)", "schools",
         'from "api"."current_term"(row("api"."schools".*)::"api"."schools") as "pgrst_1_s"'),
        ("select=name,current_term(name)", "schools", 'select row_to_json("pgrst_1_r") as body'),
        ("select=name,current_term(name)", "schools", 'as "pgrst_1_s" where not ("pgrst_1_s" is null)'),
        ("select=id,current_classes(name)&current_classes.order=name&current_classes.limit=1", "students",
         ('select json_agg("pgrst_1_r") as body from (select "pgrst_1_s"."name" as "name" from '
          '"api"."current_classes"(row("api"."students".*)::"api"."students") as "pgrst_1_s" '
          'order by "pgrst_1_s"."name" limit $1::text::bigint)')),
        ("select=id,current_classes(name)&current_classes.name=eq.x", "students",
         '"pgrst_1_s" where ("pgrst_1_s"."name" = $1::text)'),
    ],
)  # fmt: skip
def test_a_computed_relationship_selects_from_the_function(query: str, target: str, fragment: str) -> None:
    assert fragment in sql(query, target)


def test_spread_and_errors() -> None:
    assert '"pgrst_1"."term" as "term"' in sql("select=name,...current_term(term:name)", "schools")  # its columns, by name
    # To-many (PostgREST 13): one array per column, from the function's rows.
    assert 'coalesce(json_agg("pgrst_1_r"."name"), \'[]\'::json) as "name"' in sql(
        "select=id,...current_classes(name)", "students"
    )
    for query, target, code in [
        ("select=name,current_term(name)&current_term.limit=1", "schools", "PGRST100"),  # to-one: no limit
        ("select=name,current_term(nope)", "schools", "42703"),
        ("select=id,current_term(name)", "students", "PGRST200"),  # a function of another row type
    ]:
        with pytest.raises(ApiError) as caught:
            sql(query, target)
        assert caught.value.code == code, query


def test_a_computed_relationship_named_like_a_relation_overrides_the_foreign_keys() -> None:
    """PostgREST's getOverrideRelationshipsMap: `academic_terms(api.schools)`
    replaces the relationships detected between schools and academic_terms
    (here two, which alone would be PGRST201), and a hint does not apply to it."""
    from gateway.dialect.schema.relationships import ForeignKey

    keys = tuple(ForeignKey(name=n, table="academic_terms", columns=("school_id",), foreign_table="schools",
                            foreign_columns=("id",)) for n in ("terms_school_fkey", "terms_school_copy_fkey"))  # fmt: skip
    detected = msgspec.structs.replace(SCHEMA, foreign_keys=keys)
    request = parse_request("GET", "schools", rpc=False, query="select=academic_terms(name)", headers={}, body=None)
    with pytest.raises(ApiError) as caught:
        plan_embeds(request, detected)
    assert caught.value.code == "PGRST201"
    override = build_schema_cache(
        "api", [raw_relation("schools", "name"), raw_relation("academic_terms", "name")],
        [raw_function("academic_terms", "schools", returns="api.academic_terms", returns_set=True, rows=1000,
                      returns_rows_of="academic_terms")],
    )  # fmt: skip
    override = msgspec.structs.replace(override, foreign_keys=keys)
    for query in ("select=academic_terms(name)", "select=academic_terms!terms_school_fkey(name)"):
        request = parse_request("GET", "schools", rpc=False, query=query, headers={}, body=None)
        (plan,) = plan_embeds(request, override)
        assert (plan.function, plan.cardinality, plan.join) == (QualifiedName(schema="api", name="academic_terms"),
                                                                "one-to-many", ())  # fmt: skip


def test_a_misspelt_computed_relationship_is_suggested() -> None:
    with pytest.raises(ApiError) as caught:
        sql("select=name,current_trem(name)", "schools")
    assert (caught.value.code, caught.value.hint) == (
        "PGRST200",
        "Perhaps you meant 'current_term' instead of 'current_trem'.",
    )
