"""A to-one embed (many-to-one) holds at most one row: `order`, `limit` and
`offset` on it cannot mean anything, so they are refused (PGRST100) rather
than silently ignored. To-many embeds keep them. Pure: the catalog of
test_embed_plan.py."""

from __future__ import annotations

import pytest

from gateway.errors import ApiError
from tests.gateway.test_embed_plan import embeds


@pytest.mark.parametrize(
    ("target", "query"),
    [
        ("classes", "select=name,teachers(last_name)&teachers.order=last_name"),
        ("classes", "select=name,teachers(last_name)&teachers.limit=1"),
        ("classes", "select=name,teachers(last_name)&teachers.offset=1"),
        ("classes", "select=name,t:teachers(last_name)&t.limit=1"),
        ("students", "select=id,enrollments(classes(name))&enrollments.classes.order=name"),
    ],
)
def test_order_or_limit_on_a_to_one_embed_is_refused(target: str, query: str) -> None:
    with pytest.raises(ApiError) as caught:
        embeds(query, target)
    assert (caught.value.status, caught.value.code) == (400, "PGRST100")
    assert "to-one" in caught.value.message


@pytest.mark.parametrize(
    ("target", "query"),
    [
        ("teachers", "select=last_name,classes(name)&classes.order=name&classes.limit=1&classes.offset=1"),
        ("classes", "select=name,teachers(last_name)&teachers.last_name=eq.X"),  # a filter still applies
    ],
)
def test_to_many_embeds_keep_order_and_limit(target: str, query: str) -> None:
    (plan,) = embeds(query, target)
    assert plan.key in ("classes", "teachers")
