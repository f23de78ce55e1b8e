"""schema/views.py, plan/find_relationship.py and fuzzy.py: keys traced through
views, PostgREST's rules for naming a relationship, and its "Perhaps you meant".
Pure: catalog rows and schemas built by hand after PostgREST's spec fixtures
(test/spec/fixtures/schema.sql: projects, clients, family_tree, i2459_*)."""

from __future__ import annotations

import pytest

from gateway.dialect import fuzzy
from gateway.dialect.plan.find_relationship import find_relationship
from gateway.dialect.schema.cache import SchemaCache
from gateway.dialect.schema.views import (
    KeyDependency,
    TableKey,
    exposed_foreign_keys,
    related_through_hidden_junctions,
    view_primary_keys,
)
from gateway.errors import ApiError
from tests.gateway.catalog import column, relation

# projects.client_id -> clients.id, its constraint renamed `client` (as in the fixtures).
CLIENT = TableKey(name="client", schema="test", table="projects", columns=("client_id",), foreign_schema="test",
                  foreign_table="clients", foreign_columns=("id",))  # fmt: skip


def dep(view: str, table: str, constraint: str, kind: str, *columns: tuple[str, tuple[str, ...]]) -> KeyDependency:
    return KeyDependency(table_schema="test", table=table, view=view, constraint=constraint, kind=kind,  # type: ignore[arg-type]
                         columns=columns)  # fmt: skip


def test_a_key_between_exposed_tables_is_kept_as_it_is() -> None:
    (key,) = exposed_foreign_keys("test", (CLIENT,), ())
    assert (key.table, key.columns, key.foreign_table, key.foreign_columns) == (
        "projects",
        ("client_id",),
        "clients",
        ("id",),
    )
    assert (key.table_is_view, key.foreign_table_is_view) == (False, False)


def test_a_view_takes_part_under_its_own_column_names() -> None:
    """`projects_view_alt` shows projects.client_id as `client`, clients_view clients.id as `cid`."""
    deps = (dep("projects_view_alt", "projects", "client", "f", ("client_id", ("client",))),
            dep("clients_view", "clients", "client", "f_ref", ("id", ("cid",))))  # fmt: skip
    keys = exposed_foreign_keys("test", (CLIENT,), deps)
    assert [(k.table, k.columns, k.foreign_table, k.foreign_columns, k.table_is_view, k.foreign_table_is_view)
            for k in keys] == [
        ("projects", ("client_id",), "clients", ("id",), False, False),
        ("projects_view_alt", ("client",), "clients", ("id",), True, False),
        ("projects", ("client_id",), "clients_view", ("cid",), False, True),
        ("projects_view_alt", ("client",), "clients_view", ("cid",), True, True),
    ]  # fmt: skip


def test_a_key_column_shown_twice_gives_one_key_per_choice() -> None:
    """i2459_simple_v2: `select t1_id as t1_id1, t1_id as t1_id2`."""
    key = TableKey(name="t2_fkey", schema="public", table="t2", columns=("t1_id",), foreign_schema="public",
                   foreign_table="t1", foreign_columns=("id",))  # fmt: skip
    deps = (KeyDependency(table_schema="public", table="t2", view="v2", constraint="t2_fkey", kind="f",
                          columns=(("t1_id", ("t1_id1", "t1_id2")),)),
            KeyDependency(table_schema="public", table="t1", view="v1", constraint="t2_fkey", kind="f_ref",
                          columns=(("id", ("id",)),)))  # fmt: skip
    keys = exposed_foreign_keys("test", (key,), deps)
    assert [(k.table, k.columns, k.foreign_table) for k in keys] == [
        ("v2", ("t1_id1",), "v1"),
        ("v2", ("t1_id2",), "v1"),
    ]


def test_a_key_to_a_relation_outside_the_schema_is_left_out() -> None:
    private = TableKey(name="k", schema="private", table="personnages", columns=("role_id",), foreign_schema="test",
                       foreign_table="roles", foreign_columns=("id",))  # fmt: skip
    assert exposed_foreign_keys("test", (private,), ()) == ()


def test_a_views_primary_key_is_its_tables_under_the_views_names() -> None:
    deps = (dep("projects_view_alt", "projects", "projects_pkey", "p", ("id", ("t_id", "t_id2"))),)
    assert view_primary_keys(deps) == {"projects_view_alt": ("t_id",)}


def test_relations_joined_by_a_hidden_junction_count_as_related() -> None:
    """end_1 and end_2 of the fixtures: a junction in `private`."""

    def end(n: int) -> TableKey:
        return TableKey(name=f"junction_end_{n}_id_fkey", schema="private", table="junction", columns=(f"end_{n}_id",),
                        foreign_schema="test", foreign_table=f"end_{n}", foreign_columns=("id",), in_primary_key=True)  # fmt: skip

    assert related_through_hidden_junctions("test", (end(1), end(2)), ()) == {"end_1", "end_2"}
    assert related_through_hidden_junctions("test", (end(1),), ()) == frozenset()


ID = column("id", "int")
FIXTURES = SchemaCache(
    schema="test",
    relations={
        "clients": relation("clients", ID, column("name")),
        "projects": relation("projects", ID, column("client_id", "int")),
        "projects_view": relation("projects_view", ID, column("client_id", "int")),
        "family_tree": relation("family_tree", ID, column("parent", "int")),
    },
    functions={},
    foreign_keys=exposed_foreign_keys(
        "test",
        (CLIENT, TableKey(name="pptr", schema="test", table="family_tree", columns=("parent",), foreign_schema="test",
                          foreign_table="family_tree", foreign_columns=("id",))),
        (dep("projects_view", "projects", "client", "f", ("client_id", ("client_id",))),),
    ),
)  # fmt: skip


@pytest.mark.parametrize(
    ("origin", "name", "hint", "target", "cardinality"),
    [
        ("projects", "clients", None, "clients", "many-to-one"),  # the target's name
        ("projects", "client", None, "clients", "many-to-one"),  # the constraint's name
        ("projects", "client_id", None, "clients", "many-to-one"),  # the key column
        ("projects", "clients", "client", "clients", "many-to-one"),
        ("projects", "clients", "client_id", "clients", "many-to-one"),
        ("projects", "clients", "id", "clients", "many-to-one"),  # the referenced column
        ("clients", "projects", None, "projects", "one-to-many"),
        ("clients", "projects_view", None, "projects_view", "one-to-many"),
        ("projects_view", "clients", None, "clients", "many-to-one"),
        ("projects_view", "client_id", None, "clients", "many-to-one"),  # the target is a table
        ("family_tree", "family_tree", None, "family_tree", "one-to-many"),  # self: the children
        ("family_tree", "parent", None, "family_tree", "many-to-one"),  # self: the parent
        ("family_tree", "family_tree", "parent", "family_tree", "one-to-many"),  # children by their key column
        ("clients", "client", None, "projects", "one-to-many"),  # a constraint, from the referenced side
        ("clients", "id", None, "projects", "one-to-many"),  # the origin's column of the key
    ],
)  # fmt: skip
def test_postgrests_names_for_a_relationship(origin: str, name: str, hint: str | None, target: str,
                                             cardinality: str) -> None:  # fmt: skip
    found = find_relationship(FIXTURES, origin, name, hint)
    assert (found.target, found.cardinality) == (target, cardinality)


@pytest.mark.parametrize(
    ("origin", "name", "hint"),
    [
        ("projects", "nope", None),
        ("projects", "clients", "nope"),
        ("family_tree", "family_tree", "id"),  # self: only the children's key column is a hint
        ("family_tree", "family_tree", "nope"),
    ],
)
def test_names_that_are_no_relationship(origin: str, name: str, hint: str | None) -> None:
    with pytest.raises(ApiError) as caught:
        find_relationship(FIXTURES, origin, name, hint)
    assert (caught.value.status, caught.value.code) == (400, "PGRST200")


def test_a_constraint_or_key_column_does_not_name_a_view() -> None:
    """PostgREST #2277: as the embed's name, a constraint or a column finds tables only."""
    both = exposed_foreign_keys(
        "test", (CLIENT,), (dep("clients_view", "clients", "client", "f_ref", ("id", ("id",))),)
    )
    schema = SchemaCache(schema="test", relations=FIXTURES.relations, functions={}, foreign_keys=both)
    assert find_relationship(schema, "projects", "client", None).target == "clients"
    assert find_relationship(schema, "projects", "client_id", None).target == "clients"
    # The view by its own name, or its name and the constraint as the hint.
    assert find_relationship(schema, "projects", "clients_view", None).target == "clients_view"
    assert find_relationship(schema, "projects", "clients_view", "client").target == "clients_view"


@pytest.mark.parametrize(
    ("entries", "query", "expected"),
    [
        (["films", "directors", "roles", "actors"], "film", "films"),  # Error.hs doctests
        (["directors", "roles", "actors"], "role", "roles"),
        (["directors", "roles", "actors"], "noclosealternative", None),
        (["car_models", "car_model_sales", "car_dealers"], "car_models_default", "car_model_sales"),
        (["clients", "tasks"], "client", "clients"),
    ],
)
def test_fuzzy_matches_as_postgrest(entries: list[str], query: str, expected: str | None) -> None:
    assert fuzzy.closest(entries, query) == expected


def test_an_exact_entry_is_the_only_match() -> None:
    assert fuzzy.matches(["Person", "persons"], "person") == [(1.0, "Person")]
