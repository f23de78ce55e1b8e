"""Query cost limits and control characters (dialect/plan/limits.py): pure,
a table of query strings and the code each gets, no database."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.limits import QueryLimits, check_limits
from gateway.errors import ApiError

LIMITS = QueryLimits(max_embed_depth=2, max_select_items=5, max_filters=3)


def check(query: str) -> None:
    check_limits(parse_request("GET", "students", rpc=False, query=query, headers={}, body=None), LIMITS)


@pytest.mark.parametrize(
    "query",
    [
        "select=id,classes(id,students(id))",  # depth 2
        "select=a,b,c,d,e",  # 5 items
        "a=eq.1&b=eq.2&c=eq.3",  # 3 filters
        "or=(a.eq.1,b.eq.2)&c=eq.3",
        "select=id,label:first_name",
    ],
)
def test_within_the_limits(query: str) -> None:
    check(query)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("select=id,classes(id,students(id,classes(id)))", "SDA103"),  # depth 3
        ("select=a,b,c,d,e,f", "SDA104"),
        ("select=a,b,classes(c,d,e)", "SDA104"),  # items of embeds count too
        ("a=eq.1&b=eq.2&c=eq.3&d=eq.4", "SDA105"),
        ("or=(a.eq.1,b.eq.2,and(c.eq.3,d.eq.4))", "SDA105"),  # nested conditions count one by one
        ("classes.a=eq.1&classes.b=eq.2&a=eq.1&b=eq.2&select=*,classes(*)", "SDA105"),  # and embeds' filters
        ("select=id,%00:first_name", "PGRST100"),
        ("select=id,first%1Fname", "PGRST100"),
        ("order=first_name%7F", "PGRST100"),
        ("first%0Aname=eq.x", "PGRST100"),
    ],
)
def test_past_a_limit(query: str, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        check(query)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert refused.value.hint
