"""embed_parse.py: the embedding dialect as typed data. Pure, no catalog."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.embed_params import EmbedQuery
from gateway.dialect.parse.request import ApiRequest, Filter, IsFilter, Logic, OrderTerm, SelectItem, parse_request
from gateway.dialect.parse.select import Embed
from gateway.errors import ApiError


def get(query: str) -> ApiRequest:
    return parse_request("GET", "students", rpc=False, query=query, headers={}, body=None)


STAR = SelectItem(column="*")


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("*,classes(*)", (STAR, Embed(name="classes", select=(STAR,)))),
        ("name,teachers(last_name)", (SelectItem(column="name"), Embed(name="teachers", select=(SelectItem(column="last_name"),)))),
        ("teacher:teachers(first_name)", (Embed(name="teachers", alias="teacher", select=(SelectItem(column="first_name"),)),)),
        ("classes!inner(name)", (Embed(name="classes", inner=True, select=(SelectItem(column="name"),)),)),
        ("classes!left(name)", (Embed(name="classes", select=(SelectItem(column="name"),)),)),
        ("t:teachers!classes_teacher_id_tenant_fkey(*)",
         (Embed(name="teachers", alias="t", hint="classes_teacher_id_tenant_fkey", select=(STAR,)),)),
        ("teachers!teacher_id!inner(*)", (Embed(name="teachers", hint="teacher_id", inner=True, select=(STAR,)),)),
        ("...teachers(first_name,last_name)",
         (Embed(name="teachers", spread=True, select=(SelectItem(column="first_name"), SelectItem(column="last_name"))),)),
        ("classes(name,students(n:student_number::text))",
         (Embed(name="classes", select=(SelectItem(column="name"), Embed(name="students", select=(
             SelectItem(column="student_number", alias="n", cast="text"),)))),)),
        ("classes!inner()", (Embed(name="classes", inner=True),)),
        (" id , classes ( * ) ", (SelectItem(column="id"), Embed(name="classes", select=(STAR,)))),
    ],
)  # fmt: skip
def test_select_with_embeds(select: str, expected: tuple[object, ...]) -> None:
    assert get(f"select={select}").select == expected


@pytest.mark.parametrize(
    ("query", "expected", "values"),
    [
        ("classes.name=eq.X", EmbedQuery(path=("classes",), where=(Filter(column="name", op="eq", slot=0),)), ("X",)),
        ("classes.teachers.last_name=is.null",
         EmbedQuery(path=("classes", "teachers"), where=(IsFilter(column="last_name", value="null"),)), ()),
        ("enrollments.order=class_id.desc",
         EmbedQuery(path=("enrollments",), order=(OrderTerm(column="class_id", direction="desc"),)), ()),
        ("classes.limit=2&classes.offset=1", EmbedQuery(path=("classes",), limit_slot=0, offset_slot=1), ("2", "1")),
        ("classes.or=(name.eq.A,name.eq.B)",
         EmbedQuery(path=("classes",), where=(Logic(conjunction="or", children=(
             Filter(column="name", op="eq", slot=0), Filter(column="name", op="eq", slot=1))),)), ("A", "B")),
        ("classes.not.and=(name.eq.A)",
         EmbedQuery(path=("classes",), where=(Logic(conjunction="and", negated=True, children=(
             Filter(column="name", op="eq", slot=0),)),)), ("A",)),
    ],
)  # fmt: skip
def test_embedded_parameters(query: str, expected: EmbedQuery, values: tuple[str, ...]) -> None:
    request = get(f"select=*,classes(*)&{query}")
    assert request.embeds == (expected,)
    assert request.values == values
    assert request.where == ()


def test_embedded_values_stay_out_of_the_shape() -> None:
    one = get("select=*,classes!inner(*)&classes.name=eq.A&classes.limit=1")
    two = get("select=*,classes!inner(*)&classes.name=eq.B&classes.limit=9")
    assert one.shape() == two.shape()
    assert one.shape() != get("select=*,classes(*)&classes.name=eq.A&classes.limit=1").shape()


@pytest.mark.parametrize(
    ("query", "pointing_at"),
    [
        ("select=classes(name", "expecting ')'"),
        ("select=classes)(", "unexpected ')'"),
        ("select=...classes", "spread"),
        ("select=...t:teachers(*)", "alias"),
        ("select=classes!a!b(*)", "'!b'"),
        ("select=(name)", "embedded resource name"),
        ("select=classes(*)x", "after the embedded resource"),
        ("select=c:classes::text(*)", "embedded resource name"),
        ("select=" + "a(" * 10 + ")" * 10, "nested embeds"),
        ("select=classes(*)&classes.limit=x", "limit"),
        ("select=classes(*)&.name=eq.1", "embed.column"),
        ("select=classes(*)&classes.select=id", "parentheses"),
    ],
)
def test_bad_embeds_are_pgrst100(query: str, pointing_at: str) -> None:
    with pytest.raises(ApiError) as caught:
        get(query)
    assert (caught.value.status, caught.value.code) == (400, "PGRST100")
    assert pointing_at in f"{caught.value.message} {caught.value.details} {caught.value.hint}"
