"""embed_plan.py and relationships.py: which relationship an embed takes, or
PGRST200/PGRST201/PGRST108. Pure: a hand-built catalog with the foreign keys
of db/migrations/sql/m0002_integrity_up.sql and db/integrity/triggers.sql between the api views."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import FilterPlan, OrderPlan, QualifiedName, ReadPlan, SelectField, plan_request
from gateway.dialect.plan.embeds import plan_embeds
from gateway.dialect.plan.nodes import EmbedPlan
from gateway.dialect.schema.cache import SchemaCache
from gateway.dialect.schema.relationships import ForeignKey
from gateway.errors import ApiError
from tests.gateway.catalog import column, relation


def fk(
    name: str, table: str, columns: tuple[str, ...], foreign_table: str, foreign_columns: tuple[str, ...]
) -> ForeignKey:
    return ForeignKey(name=name, table=table, columns=columns, foreign_table=foreign_table, foreign_columns=foreign_columns)  # fmt: skip


def tenant(name: str, table: str, key: str, foreign_table: str) -> ForeignKey:
    return fk(name, table, ("school_id", key), foreign_table, ("school_id", "id"))


ID, SCHOOL = column("id", "uuid"), column("school_id", "uuid")
SCHEMA = SchemaCache(
    schema="api",
    relations={
        "schools": relation("schools", ID, column("name")),
        "students": relation("students", ID, SCHOOL, column("student_number")),
        "teachers": relation("teachers", ID, SCHOOL, column("last_name")),
        "parents": relation("parents", ID, SCHOOL, column("first_name")),
        "rooms": relation("rooms", ID, SCHOOL),
        "academic_terms": relation("academic_terms", ID, SCHOOL, column("name"), column("parent_id", "uuid")),
        "classes": relation("classes", ID, SCHOOL, column("name"), column("teacher_id", "uuid")),
        "enrollments": relation("enrollments", ID, SCHOOL, column("student_id", "uuid"), column("class_id", "uuid"),
                                primary_key=("school_id", "student_id", "class_id")),
        "student_parents": relation("student_parents", ID, SCHOOL, column("student_id", "uuid"),
                                    column("parent_id", "uuid"), primary_key=("school_id", "student_id", "parent_id")),
    },
    functions={},
    foreign_keys=(
        tenant("classes_teacher_id_tenant_fkey", "classes", "teacher_id", "teachers"),
        tenant("enrollments_class_id_tenant_fkey", "enrollments", "class_id", "classes"),
        tenant("enrollments_student_id_tenant_fkey", "enrollments", "student_id", "students"),
        fk("enrollments_school_id_fkey", "enrollments", ("school_id",), "schools", ("id",)),
        tenant("student_parents_parent_id_tenant_fkey", "student_parents", "parent_id", "parents"),
        tenant("student_parents_student_id_tenant_fkey", "student_parents", "student_id", "students"),
        fk("students_school_id_fkey", "students", ("school_id",), "schools", ("id",)),
        tenant("academic_terms_parent_id_tenant_fkey", "academic_terms", "parent_id", "academic_terms"),
    ),
)  # fmt: skip
TENANT_JOIN = (("school_id", "school_id"), ("id", "teacher_id"))


def embeds(query: str, target: str = "students") -> tuple[EmbedPlan, ...]:
    request = parse_request("GET", target, rpc=False, query=query, headers={}, body=None)
    return plan_embeds(request, SCHEMA)


def error(query: str, target: str = "students") -> ApiError:
    with pytest.raises(ApiError) as caught:
        embeds(query, target)
    return caught.value


def q(name: str) -> QualifiedName:
    return QualifiedName(schema="api", name=name)


@pytest.mark.parametrize(
    ("target", "select", "cardinality", "join", "junction"),
    [
        ("classes", "teachers(*)", "many-to-one", TENANT_JOIN, None),
        ("classes", "teachers!classes_teacher_id_tenant_fkey(*)", "many-to-one", TENANT_JOIN, None),
        ("classes", "teachers!teacher_id(*)", "many-to-one", TENANT_JOIN, None),
        ("teachers", "classes(*)", "one-to-many", (("school_id", "school_id"), ("teacher_id", "id")), None),
        ("students", "enrollments(*)", "one-to-many", (("school_id", "school_id"), ("student_id", "id")), None),
        ("students", "classes(*)", "many-to-many", (("school_id", "school_id"), ("student_id", "id")), "enrollments"),
        ("students", "parents(*)", "many-to-many", (("school_id", "school_id"), ("student_id", "id")), "student_parents"),
        ("classes", "students(*)", "many-to-many", (("school_id", "school_id"), ("class_id", "id")), "enrollments"),
        ("students", "schools!students_school_id_fkey(*)", "many-to-one", (("id", "school_id"),), None),
        ("students", "schools!enrollments(*)", "many-to-many", (("school_id", "school_id"), ("student_id", "id")), "enrollments"),
    ],
)  # fmt: skip
def test_relationship_choice(target: str, select: str, cardinality: str, join: tuple, junction: str | None) -> None:
    (plan,) = embeds(f"select={select}", target)
    assert (plan.cardinality, plan.join) == (cardinality, join)
    assert plan.junction == (q(junction) if junction else None)


def test_many_to_many_joins_the_junction_to_the_target_on_the_tenant_key() -> None:
    (plan,) = embeds("select=classes(name)")
    assert plan.junction_join == (("school_id", "school_id"), ("class_id", "id"))
    assert plan.select == (SelectField(column="name"),)


def test_nested_aliases_filters_order_limit() -> None:
    (plan,) = embeds(
        "select=c:classes!inner(name,t:teachers(last_name))&c.name=eq.X&c.order=name.desc&c.limit=2&c.t.last_name=eq.Y"
    )
    assert (plan.key, plan.relation, plan.inner, plan.limit_slot) == ("c", q("classes"), True, 1)
    assert plan.where == (FilterPlan(column="name", op="eq", slot=0, param_type="text"),)
    assert plan.order == (OrderPlan(column="name", direction="desc"),)
    (teacher,) = plan.embeds
    assert (teacher.key, teacher.cardinality) == ("t", "many-to-one")
    assert teacher.where == (FilterPlan(column="last_name", op="eq", slot=2, param_type="text"),)


def test_ambiguous_is_pgrst201_with_the_choices() -> None:
    caught = error("select=schools(*)")
    assert (caught.status, caught.code) == (300, "PGRST201")
    assert caught.hint == (
        "Try changing 'schools' to one of the following: 'schools!students_school_id_fkey', 'schools!enrollments'. "
        "Find the desired relationship in the 'details' key."
    )
    assert caught.details == [
        {"cardinality": "many-to-one", "embedding": "students with schools",
         "relationship": "students_school_id_fkey using students(school_id) and schools(id)"},
        {"cardinality": "many-to-many", "embedding": "students with schools",
         "relationship": "enrollments using enrollments_student_id_tenant_fkey(school_id, student_id) and "
                         "enrollments_school_id_fkey(school_id)"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "target", "status", "code", "words"),
    [
        ("select=rooms(*)", "students", 400, "PGRST200", "between 'students' and 'rooms'"),
        ("select=teacher(*)", "classes", 400, "PGRST200", "Perhaps you meant 'teachers'"),
        ("select=teachers!nope(*)", "classes", 400, "PGRST200", "using the hint 'nope'"),
        ('select=teachers!x";drop(*)', "classes", 400, "PGRST200", "no matches"),
        ("select=classes(nope)", "students", 400, "42703", "nope"),
        ("select=id&classes.name=eq.x", "students", 400, "PGRST108", "'classes' is not an embedded resource"),
        ("select=classes(*)&c.name=eq.x", "students", 400, "PGRST108", "'c'"),
        # PostgREST 13 (Plan.hs addToManyOrderSelects): aggregates in a to-many spread, or hoisted into one.
        ("select=...classes(count())", "students", 400, "PGRST127", "one-to-many or many-to-many spreads"),
        ("select=...classes(name,...teachers(count()))", "students", 400, "PGRST127", "many-to-many spreads"),
        ("select=classes(*),classes(*)", "students", 400, "PGRST100", "embedded twice"),
        ("select=id,classes(count(id))", "students", 400, "PGRST200", "'count'"),  # not an aggregate's syntax
        # Related orders (PostgREST's addRelatedOrders): an embed of this level, to-one, its column.
        ("order=teachers(last_name)", "classes", 400, "PGRST108", "'teachers' is not an embedded resource"),
        ("select=t:teachers(*)&order=teachers(last_name)", "classes", 400, "PGRST108", "'teachers'"),
        (
            "select=classes(*)&order=classes(name)",
            "students",
            400,
            "PGRST118",
            "'students' and 'classes' do not form a many-to-one",
        ),
        ("select=teachers(*)&order=teachers(nope)", "classes", 400, "42703", "nope"),
        ("select=classes(teachers(*))&classes.order=teachers(nope)", "students", 400, "42703", "nope"),
        ("select=count(),teachers!inner()&order=teachers(last_name)", "classes", 400, "42803", "GROUP BY"),
    ],
)
def test_errors(query: str, target: str, status: int, code: str, words: str) -> None:
    caught = error(query, target)
    assert (caught.status, caught.code) == (status, code)
    assert words in f"{caught.message} {caught.details} {caught.hint}"


def test_two_embeds_of_one_relation_with_aliases() -> None:
    first, second = embeds("select=a:classes(name),b:classes(id)")
    assert (first.key, second.key) == ("a", "b")


def test_an_empty_embed_only_filters() -> None:
    (plan,) = embeds("select=classes!inner()")
    assert (plan.shown, plan.select, plan.inner) == (False, (), True)


@pytest.mark.parametrize(
    ("select", "cardinality"),
    [
        ("academic_terms(name)", "one-to-many"),  # the children, as PostgREST
        ("academic_terms!academic_terms_parent_id_tenant_fkey(name)", "one-to-many"),
        # PostgREST's findRel: the hint is the children's key column (`family_tree!parent`) ...
        ("academic_terms!parent_id(name)", "one-to-many"),
        # ... and the key column as the embed's name is the parent (`family_tree?select=parent(*)`)
        ("parent_id(name)", "many-to-one"),
    ],
)
def test_a_self_relationship_is_not_ambiguous(select: str, cardinality: str) -> None:
    (plan,) = embeds(f"select={select}", "academic_terms")
    assert plan.cardinality == cardinality


def test_an_aggregate_beside_a_shown_embed_is_planned_even_if_parsed_by_hand() -> None:
    """`count()` is an aggregate, not an embed named count: beside a shown
    embed it groups by the embed (PostgREST 12)."""
    from gateway.dialect.parse.request import ApiRequest, SelectItem
    from gateway.dialect.parse.select import Embed

    request = ApiRequest(
        method="GET",
        action="read",
        target="students",
        select=(SelectItem(column="", aggregate="count"), Embed(name="classes", select=(SelectItem(column="*"),))),
    )
    (classes,) = plan_embeds(request, SCHEMA)
    assert (classes.aggregated, classes.hoisted, classes.position) == (False, False, 1)


def test_a_related_order_is_checked_at_each_level() -> None:
    (classes,) = embeds("select=classes(name,t:teachers(last_name))&classes.order=t(last_name).desc")
    assert classes.order == (OrderPlan(column="last_name", direction="desc", embed="t"),)


@pytest.mark.parametrize(
    ("query", "target", "cardinality"),
    [
        ("select=id,...enrollments(class_id)", "students", "one-to-many"),
        ("select=id,...classes(name)", "students", "many-to-many"),  # through enrollments
        ("select=id,...classes!inner(name)&classes.name=eq.X&classes.order=name&classes.limit=2", "students",
         "many-to-many"),
    ],
)  # fmt: skip
def test_a_to_many_spread_is_planned_as_postgrest_13(query: str, target: str, cardinality: str) -> None:
    """PostgREST 13 spreads one-to-many and many-to-many embeds (12 refused them)."""
    (plan,) = embeds(query, target)
    assert (plan.spread, plan.cardinality, plan.aggregated, plan.hoisted) == (True, cardinality, False, False)


def test_any_spread_may_be_inner() -> None:
    """PostgREST 13 joins an !inner spread, to-one or to-many, with INNER JOIN LATERAL."""
    (to_one,) = embeds("select=name,...teachers!inner(*)", "classes")
    (hoisted,) = embeds("select=name,...teachers!inner(count())", "classes")
    assert (to_one.inner, to_one.spread, hoisted.inner, hoisted.hoisted) == (True, True, True, True)


def test_a_to_many_spread_keeps_its_filters_order_limit_and_inner() -> None:
    (plan,) = embeds("select=id,...classes!inner(n:name)&classes.name=eq.X&classes.order=name.desc&classes.limit=2")
    assert (plan.inner, plan.limit_slot, plan.select[0].alias) == (True, 1, "n")
    assert plan.order == (OrderPlan(column="name", direction="desc"),)
    assert len(plan.where) == 1


def test_a_to_many_spread_of_every_column_names_them() -> None:
    (plan,) = embeds("select=id,...classes(*)")
    assert [f.column for f in plan.select] == ["id", "school_id", "name", "teacher_id"]


def test_a_read_is_one_tree_with_its_embeds_as_children() -> None:
    """plan_request plans the read and its embeds together (PostgREST's ReadPlanTree):
    the embeds are the read's children, each with its own below it."""
    request = parse_request("GET", "students", rpc=False, query="select=id,classes(name,teachers(last_name))",
                            headers={}, body=None)  # fmt: skip
    plan = plan_request(request, SCHEMA)
    assert isinstance(plan, ReadPlan)
    assert [f.column for f in plan.select or ()] == ["id"]
    assert plan.embeds == plan_embeds(request, SCHEMA)
    assert [e.key for e in plan.embeds] == ["classes"] and [e.key for e in plan.embeds[0].embeds] == ["teachers"]


def test_a_read_without_embeds_has_no_children() -> None:
    request = parse_request("GET", "students", rpc=False, query="select=id", headers={}, body=None)
    plan = plan_request(request, SCHEMA)
    assert isinstance(plan, ReadPlan) and plan.embeds == ()
