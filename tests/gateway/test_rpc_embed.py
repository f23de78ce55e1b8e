"""Embeds on function results, pure: parse.py gives an embed's parameters of
a call slots after the GET arguments (or the POST filters), plan.py names the
relation the rows are rows of, embed_render.py joins the embeds to
`pgrst_call`. What the SQL does is checked in test_http_rpc_embed.py."""

from __future__ import annotations

import msgspec
import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import CallPlan, QualifiedName, plan_request
from gateway.dialect.render.statement import bind, render
from gateway.dialect.schema.relationships import ForeignKey
from gateway.errors import ApiError
from tests.gateway.catalog import SCHEMA, column, relation

WITH_SCHOOLS = msgspec.structs.replace(
    SCHEMA,
    relations=SCHEMA.relations | {"schools": relation("schools", column("id", "uuid"), column("name"))},
    foreign_keys=(ForeignKey(name="students_school_id_fkey", table="students", columns=("school_id",),
                             foreign_table="schools", foreign_columns=("id",)),),
)  # fmt: skip


def call(method: str, query: str, body: bytes | None = None) -> tuple[CallPlan, str, tuple]:
    request = parse_request(method, "students_of", rpc=True, query=query, headers={}, body=body)
    plan = plan_request(request, WITH_SCHOOLS)
    assert isinstance(plan, CallPlan)
    rendered = render(plan)
    return plan, rendered.sql, bind(rendered, request, 100)


def test_get_filters_then_embeds_values_then_the_arguments() -> None:
    """The arguments are a GET's last slots (render.py `_call`)."""
    plan, sql, args = call("GET", "p_class_id=C&select=id,schools!inner(name)&schools.name=eq.A&limit=5")
    assert plan.relation == QualifiedName(schema="api", name="students") and plan.shaped
    assert args == ("A", "C", 5, 0)
    assert '"api"."students_of"("p_class_id" => $2::text::uuid) as pgrst_call' in sql
    assert '"pgrst_1_s"."id" = pgrst_call."school_id"' in sql
    assert '("pgrst_1_s"."name" = $1::text)' in sql
    assert 'where "pgrst_1".body is not null' in sql and "limit $3 offset $4" in sql


def test_post_filters_then_embeds_values_then_the_body() -> None:
    _, sql, args = call("POST", "select=id,schools(name)&id=eq.X&schools.name=eq.A", b'{"p_class_id": "C"}')
    assert args == ("X", "A", '{"p_class_id": "C"}', 100, 0)
    assert "json_to_record($3::json)" in sql and '(pgrst_call."id" = $1::text::uuid)' in sql
    assert '("pgrst_1_s"."name" = $2::text)' in sql


def test_a_dotted_key_of_a_get_call_is_an_embed_parameter_not_an_argument() -> None:
    request = parse_request("GET", "f", rpc=True, query="a=1&x.y=eq.2", headers={}, body=None)
    assert request.rpc_args == ("a",) and request.values == ("2", "1")  # the argument last
    assert [q.path for q in request.embeds] == [("x",)]


def test_an_embed_parameter_without_its_embed_is_pgrst108() -> None:
    with pytest.raises(ApiError) as caught:
        call("GET", "p_class_id=C&select=id&schools.name=eq.A")
    assert caught.value.code == "PGRST108"
