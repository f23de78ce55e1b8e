"""plan.py: names and types resolved against the catalog, or a typed error. Pure."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import (
    CallArgument,
    CallPlan,
    FilterPlan,
    IsPlan,
    LogicPlan,
    MutatePlan,
    OrderPlan,
    Plan,
    QualifiedName,
    ReadPlan,
    SelectField,
    plan_request,
)
from gateway.errors import ApiError
from tests.gateway.catalog import SCHEMA

STUDENTS = QualifiedName(schema="api", name="students")


def plan(method: str, query: str = "", *, target: str = "students", rpc: bool = False, body: bytes | None = None,
         columns: tuple[str, ...] = (), array_body: bool = False, **headers: str) -> Plan:  # fmt: skip
    if body is None and method in ("POST", "PATCH") and not rpc:
        body = b"{}"
    request = parse_request(method, target, rpc=rpc, query=query, headers=headers, body=body)
    return plan_request(request, SCHEMA, columns=columns, array_body=array_body)


def plan_error(method: str, query: str = "", **kwargs: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        plan(method, query, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_read_plan_resolves_select_where_order() -> None:
    assert plan(
        "GET", "select=id,n:last_name::text&active=is.true&order=last_name.desc", prefer="count=exact"
    ) == ReadPlan(
        relation=STUDENTS,
        select=(SelectField(column="id"), SelectField(column="last_name", alias="n", cast='"pg_catalog"."text"')),
        where=(IsPlan(column="active", value="true"),),
        # Ordered by a NOT NULL column: the primary key is appended for keyset paging.
        order=(OrderPlan(column="last_name", direction="desc"), OrderPlan(column="id")),
        count=True,
        key_types=("text", "uuid"),
        key_nullable=(False, False),
        key_appended=1,
    )


@pytest.mark.parametrize(
    ("query", "param_type"),
    [
        ("id=eq.x", "uuid"),
        ("last_name=eq.x", "text"),
        ("student_number=eq.x", "text"),  # varchar compares as text: no cast to varchar(50), which would truncate
        ("date_of_birth=gte.x", "date"),
        ("balance=lt.x", "numeric"),  # no typmod: numeric(10,2) would round the value compared
        ("created_at=gt.x", "timestamp with time zone"),
        ("extra=eq.x", "jsonb"),
    ],
)
def test_filter_values_are_cast_to_the_catalog_type_without_modifiers(query: str, param_type: str) -> None:
    read = plan("GET", query)
    assert isinstance(read, ReadPlan)
    assert isinstance(read.where[0], FilterPlan)
    assert read.where[0].param_type == param_type


def test_logic_trees_keep_their_shape_and_slots() -> None:
    read = plan("GET", "or=(id.eq.a,and(last_name.like.S*,gender.is.null))&active=not.is.false")
    assert isinstance(read, ReadPlan)
    assert read.where == (
        LogicPlan(conjunction="or", children=(
            FilterPlan(column="id", op="eq", slot=0, param_type="uuid"),
            LogicPlan(conjunction="and", children=(
                FilterPlan(column="last_name", op="like", slot=1, param_type="text"),
                IsPlan(column="gender", value="null"),
            )),
        )),
        IsPlan(column="active", value="false", negated=True),
    )  # fmt: skip
    assert read.params == 2


@pytest.mark.parametrize(
    ("method", "query", "kwargs", "status", "code"),
    [
        ("GET", "", {"target": "nope"}, 404, "PGRST205"),
        ("GET", "select=nope", {}, 400, "42703"),
        ("GET", "nope=eq.1", {}, 400, "42703"),
        ("GET", "or=(id.eq.1,nope.eq.2)", {}, 400, "42703"),
        ("GET", "order=nope", {}, 400, "42703"),
        ("GET", 'select=id";drop table x;--', {}, 400, "42703"),
        ("GET", "id=like.1*", {}, 400, "42883"),
        ("GET", "balance=ilike.1*", {}, 400, "42883"),
        ("GET", "last_name=is.true", {}, 400, "42883"),
        ("GET", "meta=gt.1", {}, 400, "42883"),
        ("POST", "id=eq.1", {}, 400, "PGRST100"),
        ("PATCH", "", {}, 400, "21000"),
        ("DELETE", "", {}, 400, "21000"),
        ("POST", "", {"target": "audit_log"}, 405, "SDA101"),
        ("PATCH", "id=eq.1", {"target": "audit_log"}, 405, "SDA101"),
        ("DELETE", "id=eq.1", {"target": "audit_log"}, 405, "SDA101"),
        ("GET", "", {"target": "nope", "rpc": True}, 404, "PGRST202"),
        ("GET", "p_amount=1", {"target": "record_payment", "rpc": True}, 404, "PGRST202"),
        ("GET", "p_class_id=1&p_extra=2", {"target": "students_of", "rpc": True}, 404, "PGRST202"),
    ],
)
def test_errors(method: str, query: str, kwargs: dict, status: int, code: str) -> None:
    error = plan_error(method, query, **kwargs)
    assert (error.status, error.code) == (status, code)


def test_unknown_relation_suggests_a_close_name() -> None:
    error = plan_error("GET", target="student")
    assert error.message == "Could not find the table 'api.student' in the schema cache"
    assert error.hint == "Perhaps you meant the table 'api.students'"


def test_unfiltered_writes_need_the_explicit_preference() -> None:
    delete = plan("DELETE", prefer="unfiltered=allow")
    assert isinstance(delete, MutatePlan)
    assert delete.where == ()


def test_create_plan_takes_columns_from_the_body_and_the_key_for_location() -> None:
    create = plan("POST", "select=id", columns=("student_number", "last_name"), prefer="return=representation")
    assert create == MutatePlan(
        action="create",
        relation=STUDENTS,
        columns=("student_number", "last_name"),
        returning=(SelectField(column="id"),),
        representation=True,
        location=("id",),
        types=("character varying(50)", "text"),  # the body's record definition (render/writes.py)
    )
    assert plan("POST", columns=("last_name",), array_body=True).location == ()  # type: ignore[union-attr]


def test_update_plan_binds_filters_before_the_body() -> None:
    update = plan("PATCH", "id=eq.1", columns=("last_name",))
    assert isinstance(update, MutatePlan)
    assert (update.action, update.columns, update.params) == ("update", ("last_name",), 1)


def test_call_plans() -> None:
    assert plan("POST", target="record_payment", rpc=True, body=b'{"p_invoice_id": "x", "p_amount": 1}') == CallPlan(
        function=QualifiedName(schema="api", name="record_payment"),
        arguments=(CallArgument(name="p_amount", type="numeric"), CallArgument(name="p_invoice_id", type="uuid")),
        from_body=True,
        returns="scalar",
        read_only=False,
    )
    stable = plan("GET", "p_class_id=x", target="students_of", rpc=True)
    assert isinstance(stable, CallPlan)
    assert (stable.returns, stable.read_only, stable.from_body) == ("set", True, False)
    # A stable function called with POST still runs read-only.
    assert plan("POST", target="students_of", rpc=True, body=b'{"p_class_id": "x"}').read_only  # type: ignore[union-attr]
    assert plan("GET", target="ping", rpc=True).returns == "void"  # type: ignore[union-attr]
    # A volatile function called with GET is planned read-only (PostgREST: a write then fails, 25006).
    volatile = plan("GET", "p_invoice_id=x&p_amount=1", target="record_payment", rpc=True)
    assert isinstance(volatile, CallPlan) and volatile.read_only and not volatile.from_body


def test_listed_columns_replace_the_bodys_and_must_be_writable() -> None:
    create = plan("POST", "columns=last_name,gender", columns=("student_number",), array_body=True)
    assert isinstance(create, MutatePlan)
    assert create.columns == ("last_name", "gender")
    assert plan_error("POST", "columns=nope").code == "PGRST204"
    assert plan_error("POST", "columns=line_total").code == "SDA102"


def test_upserts_default_to_the_primary_key() -> None:
    merge = plan("POST", columns=("id", "last_name"), prefer="resolution=merge-duplicates")
    assert isinstance(merge, MutatePlan)
    assert (merge.on_conflict, merge.resolution) == (("id",), "merge-duplicates")
    keyed = plan(
        "POST", "on_conflict=student_number", columns=("student_number",), prefer="resolution=ignore-duplicates"
    )
    assert keyed.on_conflict == ("student_number",)  # type: ignore[union-attr]
    assert plan("POST", "on_conflict=student_number", columns=("student_number",)).on_conflict == ()  # type: ignore[union-attr]
    assert plan_error("POST", "on_conflict=nope", prefer="resolution=merge-duplicates").code == "42703"


# PostgREST 12's words for PGRST202 (Error.hs NoRpc, noRpcHint), pinned case by case.
@pytest.mark.parametrize(
    ("method", "query", "target", "message", "details", "hint"),
    [
        ("GET", "", "nope", "Could not find the function api.nope without parameters in the schema cache",
         "Searched for the function api.nope without parameters, but no matches were found in the schema cache.",
         None),
        ("GET", "", "students_oof", "Could not find the function api.students_oof without parameters in the schema "
         "cache", "Searched for the function api.students_oof without parameters, but no matches were found in the "
         "schema cache.", "Perhaps you meant to call the function api.students_of"),
        ("GET", "p_class=1", "students_of", "Could not find the function api.students_of(p_class) in the schema cache",
         "Searched for the function api.students_of with parameter p_class, but no matches were found in the schema "
         "cache.", "Perhaps you meant to call the function api.students_of(p_class_id)"),
        ("GET", "p_amount=1&p_x=2", "record_payment",
         "Could not find the function api.record_payment(p_amount, p_x) in the schema cache",
         # fuzzy.py's trigram cosine (0.41 >= 0.33) names the overload, as PostgREST's
         # `add_them(a, b)` for `(a, b, smthelse)` (RpcSpec:236).
         "Searched for the function api.record_payment with parameters p_amount, p_x, but no matches were found in "
         "the schema cache.", "Perhaps you meant to call the function api.record_payment(p_amount, p_invoice_id, p_method)"),
    ],
)  # fmt: skip
def test_unknown_function_is_worded_as_postgrest(
    method: str, query: str, target: str, message: str, details: str, hint: str | None
) -> None:
    error = plan_error(method, query, target=target, rpc=True)
    assert (error.code, error.message, error.details, error.hint) == ("PGRST202", message, details, hint)


def test_a_posted_call_may_also_be_a_single_json_argument() -> None:
    error = plan_error("POST", target="students_of", rpc=True, body=b'{"x": 1}')
    assert error.details == (
        "Searched for the function api.students_of with parameter x or with a single unnamed json/jsonb parameter, "
        "but no matches were found in the schema cache."
    )
