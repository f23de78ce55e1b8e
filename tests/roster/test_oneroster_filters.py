"""The OneRoster filter grammar and the rendering of reads, without a database:
tables of input -> typed filter, input -> SQL fragment + arguments, and
hostile input -> an imsx error, never SQL text."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.oneroster.entities import ENTITIES, NESTED
from gateway.oneroster.errors import OneRosterError
from gateway.oneroster.filters import Filter, FilterError, Predicate, parse_filter
from gateway.oneroster.render import MAX_LIMIT, Parent, ReadRequest, render_many, render_one
from gateway.oneroster.routes import link_header, read_request

BASE = "https://sis.example/ims/oneroster/rostering/v1p2"


def p(field: str, op: str, value: str) -> Predicate:
    return Predicate(field=field, op=op, value=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status='active'", Filter(predicates=(p("status", "=", "active"),))),
        ("givenName = 'Ada'", Filter(predicates=(p("givenName", "=", "Ada"),))),
        (
            "dateLastModified>'2026-01-01T00:00:00Z'",
            Filter(predicates=(p("dateLastModified", ">", "2026-01-01T00:00:00Z"),)),
        ),
        ("familyName!='Baker'", Filter(predicates=(p("familyName", "!=", "Baker"),))),
        ("startDate>='2026-09-01'", Filter(predicates=(p("startDate", ">=", "2026-09-01"),))),
        ("startDate<='2026-09-01'", Filter(predicates=(p("startDate", "<=", "2026-09-01"),))),
        ("startDate<'2026-09-01'", Filter(predicates=(p("startDate", "<", "2026-09-01"),))),
        ("familyName~'ak'", Filter(predicates=(p("familyName", "~", "ak"),))),
        ("familyName='O''Brien'", Filter(predicates=(p("familyName", "=", "O'Brien"),))),
        ("familyName=''", Filter(predicates=(p("familyName", "=", ""),))),
        ("title='a AND b'", Filter(predicates=(p("title", "=", "a AND b"),))),
        ("class.sourcedId='c-1'", Filter(predicates=(p("class.sourcedId", "=", "c-1"),))),
        (
            "role='student' AND status='active'",
            Filter(predicates=(p("role", "=", "student"), p("status", "=", "active")), logical="AND"),
        ),
        (
            "givenName='Ada' OR givenName='Ben'",
            Filter(predicates=(p("givenName", "=", "Ada"), p("givenName", "=", "Ben")), logical="OR"),
        ),
    ],
)
def test_filters_parse_into_typed_predicates(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "status",
        "status=active",  # values are quoted
        "status='active",  # unterminated
        "status=='active'",
        "status<>'active'",
        "status like 'a%'",
        "a='1' AND b='2' AND c='3'",  # one logical operator only
        "a='1' AND b='2' OR c='3'",
        "a='1' and b='2'",  # upper case, as the binding writes them
        "a='1' XOR b='2'",
        "a='1' AND",
        "(a='1')",
        "a;drop table x='1'",
        "a\"b='1'",
        "'a'='1'",
        "1a='1'",
    ],
)
def test_malformed_filters_are_refused(text: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(text)


def render(entity: str, **options: object) -> tuple[str, tuple[object, ...]]:
    return render_many(ReadRequest(entity=entity, **options), BASE)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("entity", "filter_text", "fragment", "values"),
    [
        ("users", "givenName='Ada'", "(r.given_name = $2)", ("Ada",)),
        ("users", "givenName!='Ada'", "(r.given_name is distinct from $2)", ("Ada",)),
        ("users", "familyName~'ak'", "(strpos(lower(r.family_name), lower($2)) > 0)", ("ak",)),
        ("users", "enabledUser='false'", "(r.enabled_user = $2)", (False,)),
        ("users", "role='teacher' OR role='student'", "(r.role = $2 or r.role = $3)", ("teacher", "student")),
        (
            "users",
            "dateLastModified>'2026-01-01T00:00:00Z'",
            "(r.date_last_modified > $2)",
            (datetime(2026, 1, 1, tzinfo=UTC),),
        ),
        (
            "users",
            "dateLastModified>='2026-01-01T10:00:00'",
            "(r.date_last_modified >= $2)",
            (datetime(2026, 1, 1, 10, tzinfo=UTC),),
        ),
        ("academicSessions", "startDate<'2026-09-01'", "(r.start_date < $2)", (date(2026, 9, 1),)),
        (
            "enrollments",
            "class.sourcedId='c-1' AND role='student'",
            "(r.class_sourced_id = $2 and r.role = $3)",
            ("c-1", "student"),
        ),
        ("classes", "course.sourcedId='c-9z'", "(r.course_sourced_id = $2)", ("c-9z",)),
        # A value is only ever an argument: quotes, comments and semicolons stay data.
        ("users", "givenName=''' or 1=1 --'", "(r.given_name = $2)", ("' or 1=1 --",)),
        (
            "users",
            "givenName='x); drop table data.students; --'",
            "(r.given_name = $2)",
            ("x); drop table data.students; --",),
        ),
    ],
)
def test_filters_render_whitelisted_sql_and_bound_values(
    entity: str, filter_text: str, fragment: str, values: tuple[object, ...]
) -> None:
    sql, args = render(entity, filter=parse_filter(filter_text))
    assert fragment in sql
    assert args[0] == BASE
    assert args[1 : 1 + len(values)] == values
    assert args[-2:] == (100, 0), "limit and offset are arguments too"
    for value in values:
        if isinstance(value, str) and value:
            assert value not in sql, "a value never reaches the SQL text"


@pytest.mark.parametrize(
    ("entity", "filter_text"),
    [
        ("users", "password_hash='x'"),  # a column, but not a OneRoster field
        ("users", "school_id='x'"),
        ("users", "r.given_name='x'"),
        ("users", "sourced_id='x'"),
        ("users", "roles='student'"),  # an array field: not filterable
        ("users", "dateLastModified>'yesterday'"),
        ("users", "enabledUser='yes'"),
        ("users", "dateLastModified~'2026'"),
        ("academicSessions", "startDate='2026-13-45'"),
        ("classes", "givenName='x'"),  # a field of another entity
    ],
)
def test_unknown_fields_and_bad_values_are_invalid_filter_fields(entity: str, filter_text: str) -> None:
    with pytest.raises(OneRosterError) as caught:
        render(entity, filter=parse_filter(filter_text))
    assert (caught.value.status, caught.value.minor) == (400, "invalid_filter_field")


def test_only_a_delta_filter_shows_tobedeleted_rows() -> None:
    assert "r.status <> 'tobedeleted'" in render("users")[0]
    assert "r.status <> 'tobedeleted'" in render("users", filter=parse_filter("givenName='x'"))[0]
    for delta in ("dateLastModified>'2026-01-01T00:00:00Z'", "status='tobedeleted'"):
        assert "r.status <> 'tobedeleted'" not in render("users", filter=parse_filter(delta))[0]


def test_fields_select_keys_and_unknown_fields_are_invalid_selection_fields() -> None:
    sql, _ = render("courses", fields=("sourcedId", "title"))
    # the schema's required fields come too; nulls are left out, never sent
    assert "json_strip_nulls(json_build_object('sourcedId', r.sourced_id, 'status', r.status, " in sql
    assert "'title', r.title, 'courseCode', r.course_code))" in sql and "'org'" not in sql
    for bad in (("sourcedId", "password_hash"), ("role",), ("givenName'); drop table x; --",)):
        with pytest.raises(OneRosterError) as caught:
            render("users", fields=bad)
        assert caught.value.minor == "invalid_selection_field"


def test_sort_uses_the_field_expression_and_refuses_unknown_fields() -> None:
    sql, _ = render("users", sort="familyName", order="desc")
    assert "order by r.family_name desc, r.id desc" in sql
    for bad in ("family_name", "familyName desc", "roles", "1"):
        with pytest.raises(OneRosterError) as caught:
            render("users", sort=bad)
        assert caught.value.minor == "invalid_selection_field"


def test_single_objects_and_nested_collections_bind_their_sourced_ids() -> None:
    sql, args = render_one(ReadRequest(entity="students", sourced_id="s'1"), BASE)
    assert "r.sourced_id = $2" in sql and "r.role = 'student'" in sql and args == (BASE, "s'1")
    parent = Parent(nested=NESTED[("classes", "students")], sourced_id="c-1")
    sql, args = render_many(ReadRequest(entity="students", parent=parent), BASE)
    assert "p.sourced_id = $2" in sql and "exists (select from p)" in sql and args == (BASE, "c-1", 100, 0)
    parent = Parent(nested=NESTED[("classes", "students")], sourced_id="c-1", school="s-1")
    sql, args = render_many(ReadRequest(entity="students", parent=parent), BASE)
    assert "p.school_sourced_id = $3" in sql and args == (BASE, "c-1", "s-1", 100, 0)


def test_every_entity_and_nested_pair_renders() -> None:
    for name in ENTITIES:
        render(name)
        render_one(ReadRequest(entity=name, sourced_id="x"), BASE)
    for nested in NESTED.values():
        render_many(ReadRequest(entity=nested.child, parent=Parent(nested=nested, sourced_id="x")), BASE)


@pytest.mark.parametrize(
    ("query", "minor"),
    [
        ({"limit": "ten"}, "invaliddata"),
        ({"limit": "0"}, "invaliddata"),
        ({"offset": "-1"}, "invaliddata"),
        ({"orderBy": "sideways"}, "invaliddata"),
        ({"filter": "givenName=Ada"}, "invalid_filter_field"),
    ],
)
def test_bad_query_parameters_are_400s(query: dict[str, str], minor: str) -> None:
    with pytest.raises(OneRosterError) as caught:
        read_request("users", query)
    assert (caught.value.status, caught.value.minor) == (400, minor)


def test_query_parameters_become_a_read_request() -> None:
    read = read_request(
        "users", {"limit": "5000", "offset": "7", "sort": "familyName", "orderBy": "desc", "fields": "sourcedId, givenName,sourcedId"}
    )  # fmt: skip
    assert (read.limit, read.offset, read.sort, read.order) == (MAX_LIMIT, 7, "familyName", "desc")
    assert read.fields == ("sourcedId", "givenName")
    assert read_request("users", {"fields": " , "}).fields is None, "an empty selection means every field"


def test_link_header_names_first_prev_next_last() -> None:
    url = "http://h/ims/oneroster/rostering/v1p2/users?filter=x&limit=10&offset=10"
    header = link_header(url, 10, 10, 35)
    assert '<http://h/ims/oneroster/rostering/v1p2/users?filter=x&limit=10&offset=0>; rel="first"' in header
    assert 'offset=0>; rel="prev"' in header
    assert 'offset=20>; rel="next"' in header
    assert 'offset=30>; rel="last"' in header
    assert 'rel="next"' not in link_header(url, 10, 30, 35)
    assert 'rel="prev"' not in link_header(url, 10, 0, 35)
    assert 'offset=0>; rel="last"' in link_header(url, 10, 0, 0)
