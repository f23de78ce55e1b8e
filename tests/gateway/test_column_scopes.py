"""Column scopes in the pure core (issue 13, F2): a role's schema cache
(`for_role`) carries the columns it may not select; the planner expands `*`
to the others and refuses a named one; render never writes `rel.*` for it.
What Postgres does with the SQL: tests/gateway/test_http_column_scopes.py."""

from __future__ import annotations

import msgspec
import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import render
from gateway.dialect.schema.cache import Column, for_role
from gateway.errors import ApiError
from tests.gateway.catalog import SCHEMA, STUDENTS

HIDDEN = frozenset({"date_of_birth", "gender"})
FULL_NAME = Column(name="full_name", type="text", cast="text", base="text", category="S", updatable=False)
BASE = msgspec.structs.replace(
    SCHEMA,
    relations={**SCHEMA.relations, "students": msgspec.structs.replace(STUDENTS, computed={"full_name": FULL_NAME})},
    denied={"partner_sync": {"students": HIDDEN}},
)
CORE = for_role(BASE, "partner_sync")
S = '"api"."students"'
READABLE = [c for c in STUDENTS.columns if c not in HIDDEN]


def sql(query: str, schema=CORE, method: str = "GET", body: bytes | None = None, columns: tuple[str, ...] = (),
        **headers: str) -> str:  # fmt: skip
    request = parse_request(method, "students", rpc=False, query=query, headers=headers, body=body)
    return render(plan_request(request, schema, columns=columns)).sql


def test_for_role_marks_only_that_roles_relations() -> None:
    assert CORE.relations["students"].denied == HIDDEN
    assert CORE.relations["audit_log"] is BASE.relations["audit_log"]
    assert for_role(BASE, "school_admin") is BASE, "a role reading every column plans against the shared cache"


@pytest.mark.parametrize("query", ["", "select=*", "select=*&order=last_name", "order=id", "select=*,full_name"])
def test_star_lists_the_readable_columns(query: str) -> None:
    """`order=` pages by keyset: its page's rows are listed too (render/keyset.py)."""
    text = sql(query)
    assert f"{S}.*" not in text and '"pgrst_l".*' not in text, text
    assert all(f'"{c}"' not in text for c in HIDDEN), text
    assert all(f'"{c.replace(chr(34), chr(34) * 2)}"' in text for c in READABLE)


def test_other_roles_keep_rel_star() -> None:
    assert f"{S}.*" in sql("select=*", schema=BASE)


@pytest.mark.parametrize(
    "query",
    ["select=date_of_birth", "select=id,g:gender", "select=gender,count()", "gender=eq.FEMALE", "or=(gender.eq.F)",
     "order=date_of_birth.desc", "select=date_of_birth->>x", "date_of_birth=is.null"],
)  # fmt: skip
def test_a_named_hidden_column_is_42501(query: str) -> None:
    with pytest.raises(ApiError) as caught:
        sql(query)
    assert (caught.value.status, caught.value.code) == (403, "42501")
    assert any(c in caught.value.message for c in HIDDEN) and caught.value.hint


def test_a_computed_field_gets_nulls_for_hidden_columns() -> None:
    text = sql("select=id,full_name&full_name=eq.x")
    assert 'row("api"."students"."id", "api"."students"."school_id", "api"."students"."student_number", ' \
           '"api"."students"."last_name", null, null, "api"."students"."active"' in text, text
    assert "row(" + S + ".*)" in sql("select=id,full_name", schema=BASE)


@pytest.mark.parametrize(
    ("method", "body", "columns"),
    [("POST", b'{"student_number": "1", "last_name": "x", "gender": "MALE"}', ("student_number", "last_name", "gender")),
     ("PATCH", b'{"last_name": "x"}', ("last_name",)), ("DELETE", None, ())],
)  # fmt: skip
def test_writes_return_only_readable_columns(method: str, body: bytes | None, columns: tuple[str, ...]) -> None:
    query = "" if method == "POST" else "id=eq.1"
    text = sql(query, method=method, body=body, columns=columns, prefer="return=representation")
    returning = text.split(" returning ", 1)[1].split(")", 1)[0]
    assert f"{S}.*" not in returning and all(c not in returning for c in HIDDEN), returning
    assert f'{S}."last_name"' in returning
