"""relationships.py and embed_plan.py on one-to-one keys (PostgREST's O2O):
a foreign key whose columns are also a primary key or unique constraint of
the table holding it. Pure: test_embed_plan.py's catalog plus school_settings."""

from __future__ import annotations

import msgspec
import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.embeds import plan_embeds
from gateway.dialect.plan.nodes import EmbedPlan
from gateway.dialect.schema.relationships import ForeignKey, describe, relationships_from
from gateway.errors import ApiError
from tests.gateway.catalog import column, relation
from tests.gateway.test_embed_plan import SCHEMA, fk

SETTINGS_KEY = fk("school_settings_school_fkey", "school_settings", ("school_id",), "schools", ("id",))
O2O = msgspec.structs.replace(SETTINGS_KEY, one_to_one=True)
SETTINGS = msgspec.structs.replace(
    SCHEMA,
    relations=SCHEMA.relations | {
        "school_settings": relation("school_settings", column("school_id", "uuid"), column("attendance_start_time"),
                                    primary_key=("school_id",)),
    },
    foreign_keys=(*SCHEMA.foreign_keys, O2O),
)  # fmt: skip


def embeds(query: str, target: str, schema: object = SETTINGS) -> tuple[EmbedPlan, ...]:
    request = parse_request("GET", target, rpc=False, query=query, headers={}, body=None)
    return plan_embeds(request, schema)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "select", "join"),
    [
        ("schools", "school_settings(*)", (("school_id", "id"),)),
        ("school_settings", "schools(*)", (("id", "school_id"),)),
        ("schools", "...school_settings(attendance_start_time)", (("school_id", "id"),)),
    ],
)
def test_either_side_is_one_to_one(target: str, select: str, join: tuple) -> None:
    (plan,) = embeds(f"select={select}", target)
    assert (plan.cardinality, plan.join) == ("one-to-one", join)


def test_without_the_unique_key_it_stays_many_to_one() -> None:
    keys = (SETTINGS_KEY,)
    assert [r.cardinality for r in relationships_from("school_settings", keys, {})] == ["many-to-one"]
    assert [r.cardinality for r in relationships_from("schools", keys, {})] == ["one-to-many"]


def test_order_and_limit_are_refused_on_a_one_to_one_embed() -> None:
    with pytest.raises(ApiError) as caught:
        embeds("select=school_settings(*)&school_settings.order=school_id", "schools")
    assert (caught.value.status, caught.value.code) == (400, "PGRST100")


def test_pgrst201_says_one_to_one_from_either_side() -> None:
    other: ForeignKey = msgspec.structs.replace(O2O, name="school_settings_school_copy_fkey")
    ambiguous = msgspec.structs.replace(SETTINGS, foreign_keys=(*SETTINGS.foreign_keys, other))
    with pytest.raises(ApiError) as caught:
        embeds("select=school_settings(*)", "schools", ambiguous)
    assert (caught.value.status, caught.value.code) == (300, "PGRST201")
    # In PostgREST's order: by constraint name within one cardinality.
    assert caught.value.details[0] == {
        "cardinality": "one-to-one", "embedding": "schools with school_settings",
        "relationship": "school_settings_school_copy_fkey using schools(id) and school_settings(school_id)",
    }  # fmt: skip
    (held,) = [r for r in relationships_from("school_settings", (O2O,), {})]
    assert (
        describe(held)["relationship"] == "school_settings_school_fkey using school_settings(school_id) and schools(id)"
    )
