"""The supabase Python client (`postgrest` on PyPI) against the real gateway,
as an app developer writes it: `SyncPostgrestClient(url, headers=...)`,
`.from_(...).select(...).eq(...).execute()`, `.rpc(...)`.

Every answer is checked against the database through an admin connection.
Where the gateway lacks a piece of the dialect, the test is xfail(strict=True)
with the missing behaviour as its reason, so it fails loudly once it lands.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

# A test extra (pyproject): without it this module is skipped with the reason, not the whole run broken.
pytest.importorskip("postgrest", reason="the supabase Python client is missing: pip install -e '.[test]'")
from postgrest import APIError, CountMethod, SyncPostgrestClient

from tests.clients.conftest import ADMIN_EMAIL, TEACHER_EMAIL, Gateway

STUDENT_COLUMNS = "id,student_number,first_name,last_name,date_of_birth,enrollment_status,user_id"


def client_for(gateway: Gateway, email: str) -> SyncPostgrestClient:
    # schema="api": the one exposed schema (Accept-Profile/Content-Profile: api).
    return SyncPostgrestClient(gateway.url, schema="api", headers=gateway.bearer(email))


@pytest.fixture(scope="module")
def client(gateway: Gateway) -> Iterator[SyncPostgrestClient]:
    with client_for(gateway, ADMIN_EMAIL) as admin_client:
        yield admin_client


def number(prefix: str) -> str:
    """A student number no other test (or run of this module) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def student_ids(db: asyncpg.Connection, school: uuid.UUID, where: str = "true", *args: Any) -> set[str]:
    rows = await db.fetch(
        f"select id from data.students where school_id = $1 and not is_deleted and ({where})", school, *args
    )
    return {str(row["id"]) for row in rows}


# ---------------------------------------------------------------- reading


async def test_select_columns_order_limit(client: SyncPostgrestClient, db: asyncpg.Connection,
                                          northside: asyncpg.Record) -> None:  # fmt: skip
    response = client.from_("students").select(STUDENT_COLUMNS).order("student_number").limit(5).execute()
    expected = await db.fetch(
        "select id, student_number, first_name, last_name, date_of_birth, enrollment_status, user_id"
        " from data.students where school_id = $1 and not is_deleted order by student_number limit 5",
        northside["id"],
    )
    assert response.data == [
        {
            **dict(row),
            "id": str(row["id"]),
            "date_of_birth": row["date_of_birth"].isoformat() if row["date_of_birth"] else None,
            "user_id": str(row["user_id"]) if row["user_id"] else None,
        }
        for row in expected
    ]


async def test_select_with_embedding(client: SyncPostgrestClient, db: asyncpg.Connection,
                                     northside: asyncpg.Record) -> None:  # fmt: skip
    response = (
        client.from_("students")
        .select("id,student_number,enrollments(class_id)")
        .eq("student_number", "S00001")
        .execute()
    )
    student = await db.fetchrow(
        "select id from data.students where school_id = $1 and student_number = 'S00001'", northside["id"]
    )
    classes = await db.fetch(
        "select class_id from data.enrollments where school_id = $1 and student_id = $2", northside["id"], student["id"]
    )
    assert len(response.data) == 1
    row = response.data[0]
    assert row["id"] == str(student["id"]) and row["student_number"] == "S00001"
    assert sorted(e["class_id"] for e in row["enrollments"]) == sorted(str(c["class_id"]) for c in classes)


async def test_filter_by_whether_an_embed_has_rows(client: SyncPostgrestClient, db: asyncpg.Connection,
                                                   northside: asyncpg.Record) -> None:  # fmt: skip
    # supabase's `.not_.is_("students", "null")` (gateway/embed_null.py): classes with a student.
    with_students = client.from_("classes").select("id,students(id)").not_.is_("students", "null").execute()
    without = client.from_("classes").select("id,students(id)").is_("students", "null").execute()
    enrolled = await db.fetch(
        """select c.id, exists (select from data.enrollments e where e.class_id = c.id) as enrolled
           from data.classes c where c.school_id = $1 and not c.is_deleted""",
        northside["id"],
    )
    assert {r["id"] for r in with_students.data} == {str(c["id"]) for c in enrolled if c["enrolled"]}
    assert {r["id"] for r in without.data} == {str(c["id"]) for c in enrolled if not c["enrolled"]}
    assert all(r["students"] for r in with_students.data) and not any(r["students"] for r in without.data)


async def test_select_with_many_to_one_embedding(client: SyncPostgrestClient, db: asyncpg.Connection,
                                                 northside: asyncpg.Record) -> None:  # fmt: skip
    response = client.from_("classes").select("id,name,teachers(first_name,last_name)").order("id").limit(3).execute()
    expected = await db.fetch(
        "select c.id, c.name, t.first_name, t.last_name from data.classes c join data.teachers t"
        " on t.school_id = c.school_id and t.id = c.teacher_id"
        " where c.school_id = $1 and not c.is_deleted order by c.id limit 3",
        northside["id"],
    )
    assert response.data == [
        {
            "id": str(r["id"]),
            "name": r["name"],
            "teachers": {"first_name": r["first_name"], "last_name": r["last_name"]},
        }
        for r in expected
    ]


async def test_order_by_a_to_one_embeds_column(client: SyncPostgrestClient, db: asyncpg.Connection,
                                              northside: asyncpg.Record) -> None:  # fmt: skip
    """PostgREST's related order, written as the client writes any order."""
    response = (
        client.from_("classes").select("id,name,teacher:teachers(last_name)")
        .order("teacher(last_name)", desc=True, nullsfirst=False).order("id").limit(6).execute()
    )  # fmt: skip
    expected = await db.fetch(
        "select c.id, t.last_name from data.classes c left join data.teachers t"
        " on t.school_id = c.school_id and t.id = c.teacher_id and not t.is_deleted"
        " where c.school_id = $1 and not c.is_deleted order by t.last_name desc nulls last, c.id limit 6",
        northside["id"],
    )
    assert [(row["id"], (row["teacher"] or {}).get("last_name")) for row in response.data] == [
        (str(r["id"]), r["last_name"]) for r in expected
    ]


# Each filter family of the client, and the same rows in SQL (on data.students of the school).
FILTERS: list[tuple[str, Callable[[Any], Any], str, tuple[Any, ...]]] = [
    ("eq", lambda q: q.eq("last_name", "Kim"), "last_name = $2", ("Kim",)),
    ("neq", lambda q: q.neq("gender", "FEMALE"), "gender <> $2", ("FEMALE",)),
    ("gt", lambda q: q.gt("date_of_birth", "2014-06-30"), "date_of_birth > $2", (date(2014, 6, 30),)),
    ("gte", lambda q: q.gte("date_of_birth", "2014-06-30"), "date_of_birth >= $2", (date(2014, 6, 30),)),
    ("lt", lambda q: q.lt("student_number", "S00010"), "student_number < $2", ("S00010",)),
    ("lte", lambda q: q.lte("student_number", "S00010"), "student_number <= $2", ("S00010",)),
    ("like %", lambda q: q.like("last_name", "K%"), "last_name like $2", ("K%",)),
    ("like *", lambda q: q.like("first_name", "*a*"), "first_name like $2", ("%a%",)),
    ("ilike", lambda q: q.ilike("last_name", "%SEN%"), "last_name ilike $2", ("%SEN%",)),
    ("in_", lambda q: q.in_("student_number", ["S00001", "S00002", "S00003"]),
     "student_number = any($2)", (["S00001", "S00002", "S00003"],)),
    ("is_ null", lambda q: q.is_("user_id", "null"), "user_id is null", ()),
    ("not_.is_", lambda q: q.not_.is_("user_id", "null"), "user_id is not null", ()),
    ("not_.in_", lambda q: q.not_.in_("gender", ["MALE", "FEMALE"]), "gender <> all($2)", (["MALE", "FEMALE"],)),
    ("not_.eq", lambda q: q.not_.eq("last_name", "Kim"), "not (last_name = $2)", ("Kim",)),
    ("or_", lambda q: q.or_("last_name.eq.Kim,first_name.eq.Hana"), "last_name = $2 or first_name = $3",
     ("Kim", "Hana")),
    ("or_ nested and", lambda q: q.or_("student_number.eq.S00001,and(last_name.like.K*,date_of_birth.lt.2014-06-01)"),
     "student_number = $2 or (last_name like $3 and date_of_birth < $4)", ("S00001", "K%", date(2014, 6, 1))),
    ("match", lambda q: q.match({"last_name": "Kim", "enrollment_status": "ACTIVE"}),
     "last_name = $2 and enrollment_status = $3", ("Kim", "ACTIVE")),
]  # fmt: skip


@pytest.mark.parametrize(("family", "apply", "where", "args"), FILTERS, ids=[f[0] for f in FILTERS])
async def test_filter_family(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record,
                             family: str, apply: Callable[[Any], Any], where: str, args: tuple[Any, ...]) -> None:  # fmt: skip
    response = apply(client.from_("students").select("id")).execute()
    got = [row["id"] for row in response.data]
    assert len(got) == len(set(got)), "a row came twice"
    expected = await student_ids(db, northside["id"], where, *args)
    assert expected, f"the demo data has no row for {family}: the check would prove nothing"
    assert set(got) == expected


async def test_order_desc_nulls_and_several_keys(client: SyncPostgrestClient, db: asyncpg.Connection,
                                                 northside: asyncpg.Record) -> None:  # fmt: skip
    response = (
        client.from_("students").select("id")
        .order("user_id", desc=True, nullsfirst=True).order("last_name").order("id", desc=True)
        .limit(30).execute()
    )  # fmt: skip
    expected = await db.fetch(
        "select id from data.students where school_id = $1 and not is_deleted"
        " order by user_id desc nulls first, last_name, id desc limit 30",
        northside["id"],
    )
    assert [r["id"] for r in response.data] == [str(r["id"]) for r in expected]


@pytest.mark.parametrize(("start", "end"), [(0, 9), (10, 24), (55, 70)])
async def test_range_pages(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record,
                           start: int, end: int) -> None:  # fmt: skip
    response = client.from_("students").select("id").order("student_number").range(start, end).execute()
    expected = await db.fetch(
        "select id from data.students where school_id = $1 and not is_deleted order by student_number"
        " offset $2 limit $3",
        northside["id"], start, end - start + 1,
    )  # fmt: skip
    assert [r["id"] for r in response.data] == [str(r["id"]) for r in expected]


async def test_limit_and_offset(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    response = client.from_("students").select("student_number").order("student_number", desc=True).limit(4).offset(3)
    rows = response.execute().data
    expected = await db.fetch(
        "select student_number from data.students where school_id = $1 and not is_deleted"
        " order by student_number desc offset 3 limit 4",
        northside["id"],
    )
    assert rows == [dict(r) for r in expected]


async def test_count_exact(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    response = (
        client.from_("students").select("id", count=CountMethod.exact)
        .eq("enrollment_status", "ACTIVE").order("id").limit(3).execute()
    )  # fmt: skip
    total = await db.fetchval(
        "select count(*) from data.students where school_id = $1 and not is_deleted and enrollment_status = 'ACTIVE'",
        northside["id"],
    )
    assert total > 3
    assert response.count == total
    assert len(response.data) == 3


async def test_count_exact_head(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    response = client.from_("invoices").select("*", count=CountMethod.exact, head=True).execute()
    total = await db.fetchval("select count(*) from data.invoices where school_id = $1 and not is_deleted",
                              northside["id"])  # fmt: skip
    assert response.count == total and total > 0


async def test_single_and_maybe_single(client: SyncPostgrestClient, db: asyncpg.Connection,
                                       northside: asyncpg.Record) -> None:  # fmt: skip
    one = client.from_("students").select("id,first_name").eq("student_number", "S00002").single().execute()
    row = await db.fetchrow(
        "select id, first_name from data.students where school_id = $1 and student_number = 'S00002'", northside["id"]
    )
    assert one.data == {"id": str(row["id"]), "first_name": row["first_name"]}

    maybe = client.from_("students").select("id").eq("student_number", "S00002").maybe_single().execute()
    assert maybe is not None and maybe.data == {"id": str(row["id"])}
    assert client.from_("students").select("id").eq("student_number", "NO-SUCH").maybe_single().execute() is None

    with pytest.raises(APIError) as refused:
        client.from_("students").select("id").eq("enrollment_status", "ACTIVE").single().execute()
    assert refused.value.code == "PGRST116"


async def test_csv(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    query = client.from_("students").select("student_number,last_name,user_id").order("student_number").limit(4)
    body = query.csv().execute().data  # the CSV text as the gateway sent it
    expected = await db.fetch(
        "select student_number, last_name, user_id from data.students where school_id = $1 and not is_deleted"
        " order by student_number limit 4",
        northside["id"],
    )
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["student_number", "last_name", "user_id"]
    assert rows[1:] == [[r["student_number"], r["last_name"], str(r["user_id"] or "")] for r in expected]


# ---------------------------------------------------------------- writing


async def test_insert_one(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    student_number = number("PY1")
    response = (
        client.from_("students")
        .insert({"student_number": student_number, "first_name": "Ada", "last_name": "Lovelace",
                 "date_of_birth": "2015-12-10", "gender": "FEMALE", "school_id": str(northside["id"])})
        .execute()
    )  # fmt: skip
    row = await db.fetchrow("select * from data.students where student_number = $1", student_number)
    assert row is not None and row["school_id"] == northside["id"]
    assert (row["first_name"], row["last_name"], row["date_of_birth"]) == ("Ada", "Lovelace", date(2015, 12, 10))
    assert row["enrollment_status"] == "ACTIVE"  # the column's default
    assert len(response.data) == 1 and response.data[0]["id"] == str(row["id"])
    assert response.data[0]["enrollment_status"] == "ACTIVE"


async def test_insert_many(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    numbers = [number("PYM") for _ in range(3)]
    rows = [
        {"student_number": n, "first_name": f"Many{i}", "last_name": "Batch", "school_id": str(northside["id"]),
         "date_of_birth": f"2014-01-0{i + 1}"}
        for i, n in enumerate(numbers)
    ]  # fmt: skip
    response = client.from_("students").insert(rows).execute()
    stored = await db.fetch(
        "select id, student_number, first_name, enrollment_status, date_of_birth from data.students"
        " where student_number = any($1) order by first_name",
        numbers,
    )
    assert [r["student_number"] for r in stored] == numbers
    assert [r["date_of_birth"] for r in stored] == [date(2014, 1, d) for d in (1, 2, 3)]
    assert [r["enrollment_status"] for r in stored] == ["ACTIVE"] * 3  # no row named it: the default
    assert sorted(r["id"] for r in response.data) == sorted(str(r["id"]) for r in stored)


async def test_insert_many_missing_keys_take_defaults(client: SyncPostgrestClient, db: asyncpg.Connection,
                                                      northside: asyncpg.Record) -> None:  # fmt: skip
    numbers = [number("PYM") for _ in range(3)]
    rows = [
        {"student_number": n, "first_name": f"Many{i}", "last_name": "Batch", "school_id": str(northside["id"])}
        for i, n in enumerate(numbers)
    ]
    rows[1]["enrollment_status"] = "INACTIVE"  # a key only one row has
    rows[1]["date_of_birth"] = "2014-01-01"
    response = client.from_("students").insert(rows, default_to_null=False).execute()
    stored = await db.fetch(
        "select id, student_number, first_name, enrollment_status, date_of_birth from data.students"
        " where student_number = any($1) order by first_name",
        numbers,
    )
    assert [r["student_number"] for r in stored] == numbers
    # missing=default: a key a row lacks takes the column default, not null.
    assert [r["enrollment_status"] for r in stored] == ["ACTIVE", "INACTIVE", "ACTIVE"]
    assert [r["date_of_birth"] for r in stored] == [None, date(2014, 1, 1), None]
    assert sorted(r["id"] for r in response.data) == sorted(str(r["id"]) for r in stored)


async def test_insert_refused_by_the_database(client: SyncPostgrestClient, db: asyncpg.Connection,
                                              northside: asyncpg.Record) -> None:  # fmt: skip
    with pytest.raises(APIError) as refused:
        client.from_("students").insert(
            {"student_number": "S00001", "first_name": "Dup", "last_name": "Licate", "school_id": str(northside["id"])}
        ).execute()
    assert refused.value.code == "23505"
    assert await db.fetchval("select count(*) from data.students where first_name = 'Dup'") == 0


async def test_upsert_by_primary_key(client: SyncPostgrestClient, db: asyncpg.Connection,
                                     northside: asyncpg.Record) -> None:  # fmt: skip
    existing = client.from_("students").insert(
        {"student_number": number("PYU"), "first_name": "Before", "last_name": "Upsert",
         "school_id": str(northside["id"])}
    ).execute().data[0]  # fmt: skip
    new_id, new_number = str(uuid.uuid4()), number("PYU")
    response = (
        client.from_("students")
        .upsert([
            {"id": existing["id"], "student_number": existing["student_number"], "first_name": "After",
             "last_name": "Upsert", "school_id": str(northside["id"])},
            {"id": new_id, "student_number": new_number, "first_name": "Fresh", "last_name": "Upsert",
             "school_id": str(northside["id"])},
        ])
        .execute()
    )  # fmt: skip
    stored = await db.fetch(
        "select id::text, first_name from data.students where id = any($1::uuid[]) order by first_name",
        [existing["id"], new_id],
    )
    assert [tuple(r) for r in stored] == [(existing["id"], "After"), (new_id, "Fresh")]
    assert sorted(r["first_name"] for r in response.data) == ["After", "Fresh"]


async def test_upsert_on_conflict_ignore_duplicates(client: SyncPostgrestClient, db: asyncpg.Connection,
                                                    northside: asyncpg.Record) -> None:  # fmt: skip
    first = client.from_("students").insert(
        {"student_number": number("PYI"), "first_name": "Kept", "last_name": "Ignore",
         "school_id": str(northside["id"])}
    ).execute().data[0]  # fmt: skip
    response = (
        client.from_("students")
        .upsert({"id": first["id"], "student_number": first["student_number"], "first_name": "Overwritten",
                 "last_name": "Ignore", "school_id": str(northside["id"])},
                on_conflict="id", ignore_duplicates=True)
        .execute()
    )  # fmt: skip
    assert response.data == []  # nothing inserted, nothing returned
    assert await db.fetchval("select first_name from data.students where id = $1", uuid.UUID(first["id"])) == "Kept"


async def test_upsert_on_a_composite_key(client: SyncPostgrestClient, db: asyncpg.Connection,
                                         northside: asyncpg.Record) -> None:  # fmt: skip
    """on_conflict names the enrollments' primary key (school, student, class):
    an existing enrollment is updated, a new one inserted, in one request."""
    school = northside["id"]
    existing = await db.fetchrow(
        "select student_id, class_id from data.enrollments where school_id = $1 and completion_date is null"
        " order by id limit 1",
        school,
    )
    fresh = await db.fetchrow(
        "select s.id as student_id, c.id as class_id from data.students s cross join data.classes c"
        " where s.school_id = $1 and c.school_id = $1 and not s.is_deleted and not c.is_deleted"
        " and not exists (select from data.enrollments e where e.student_id = s.id and e.class_id = c.id)"
        " order by s.student_number, c.name limit 1",
        school,
    )
    rows = [
        {"school_id": str(school), "student_id": str(existing["student_id"]), "class_id": str(existing["class_id"]),
         "enrollment_date": "2026-09-01", "completion_date": "2027-06-30"},
        {"school_id": str(school), "student_id": str(fresh["student_id"]), "class_id": str(fresh["class_id"]),
         "enrollment_date": "2027-01-25", "completion_date": None},
    ]  # fmt: skip
    response = client.from_("enrollments").upsert(rows, on_conflict="school_id,student_id,class_id").execute()
    stored = await db.fetch(
        "select student_id, class_id, enrollment_date, completion_date from data.enrollments"
        " where (student_id, class_id) in (($1::uuid, $2::uuid), ($3::uuid, $4::uuid)) order by enrollment_date",
        existing["student_id"], existing["class_id"], fresh["student_id"], fresh["class_id"],
    )  # fmt: skip
    assert [(r["student_id"], r["class_id"], r["completion_date"]) for r in stored] == [
        (existing["student_id"], existing["class_id"], date(2027, 6, 30)),
        (fresh["student_id"], fresh["class_id"], None),
    ]
    assert len(response.data) == 2


async def test_update(client: SyncPostgrestClient, db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    created = client.from_("students").insert(
        {"student_number": number("PYE"), "first_name": "Old", "last_name": "Name", "school_id": str(northside["id"])}
    ).execute().data[0]  # fmt: skip
    response = (
        client.from_("students").update({"first_name": "New", "enrollment_status": "SUSPENDED"})
        .eq("id", created["id"]).execute()
    )  # fmt: skip
    row = await db.fetchrow("select first_name, enrollment_status, updated_at, created_at from data.students"
                            " where id = $1", uuid.UUID(created["id"]))  # fmt: skip
    assert (row["first_name"], row["enrollment_status"]) == ("New", "SUSPENDED")
    assert row["updated_at"] > row["created_at"]  # the trigger kept it
    assert [(r["id"], r["first_name"]) for r in response.data] == [(created["id"], "New")]


async def test_update_count_exact_many_rows(client: SyncPostgrestClient, db: asyncpg.Connection,
                                            northside: asyncpg.Record) -> None:  # fmt: skip
    last_name = number("Bulk")
    client.from_("students").insert(
        [{"student_number": number("PYB"), "first_name": f"B{i}", "last_name": last_name,
          "school_id": str(northside["id"])} for i in range(4)]
    ).execute()  # fmt: skip
    response = (
        client.from_("students").update({"enrollment_status": "GRADUATED"}, count=CountMethod.exact)
        .eq("last_name", last_name).execute()
    )  # fmt: skip
    assert response.count == 4
    statuses = await db.fetch("select enrollment_status from data.students where last_name = $1", last_name)
    assert [r["enrollment_status"] for r in statuses] == ["GRADUATED"] * 4


async def test_delete_is_a_soft_delete(client: SyncPostgrestClient, db: asyncpg.Connection,
                                       northside: asyncpg.Record) -> None:  # fmt: skip
    created = client.from_("students").insert(
        {"student_number": number("PYD"), "first_name": "Gone", "last_name": "Soon", "school_id": str(northside["id"])}
    ).execute().data[0]  # fmt: skip
    response = client.from_("students").delete().eq("id", created["id"]).execute()
    assert [r["id"] for r in response.data] == [created["id"]]
    assert await db.fetchval("select is_deleted from data.students where id = $1", uuid.UUID(created["id"])) is True
    assert client.from_("students").select("id").eq("id", created["id"]).execute().data == []


async def test_rows_of_another_school_are_invisible(gateway: Gateway, db: asyncpg.Connection,
                                                    northside: asyncpg.Record) -> None:  # fmt: skip
    other = "admin@riverside.demo"
    with client_for(gateway, other) as riverside:
        rows = riverside.from_("students").select("school_id").execute().data
        updated = riverside.from_("students").update({"first_name": "Hijacked"}).eq("school_id", str(northside["id"]))
        assert updated.execute().data == []
    assert rows and northside["id"] not in {uuid.UUID(r["school_id"]) for r in rows}
    assert await db.fetchval("select count(*) from data.students where first_name = 'Hijacked'") == 0


# ---------------------------------------------------------------- rpc


async def test_rpc_set_current_term(client: SyncPostgrestClient, db: asyncpg.Connection,
                                    northside: asyncpg.Record) -> None:  # fmt: skip
    terms = await db.fetch(
        "select id, name, is_current from data.academic_terms where school_id = $1 and not is_deleted order by name",
        northside["id"],
    )
    target = next(t for t in terms if not t["is_current"])
    response = client.rpc("set_current_term", {"p_term_id": str(target["id"])}).execute()
    assert response.data["id"] == str(target["id"]) and response.data["is_current"] is True
    current = await db.fetch("select id from data.academic_terms where school_id = $1 and is_current", northside["id"])
    assert [r["id"] for r in current] == [target["id"]]
    settings = await db.fetchval(
        "select current_academic_term_id from data.school_settings where school_id = $1", northside["id"]
    )
    assert settings == target["id"]


async def test_rpc_record_payment(client: SyncPostgrestClient, db: asyncpg.Connection,
                                  northside: asyncpg.Record) -> None:  # fmt: skip
    invoice = await db.fetchrow(
        "select id, balance_due, total_amount from data.invoices where school_id = $1 and not is_deleted"
        " and status in ('SENT', 'PARTIALLY_PAID') and balance_due >= 20 order by invoice_number limit 1",
        northside["id"],
    )
    assert invoice is not None
    transaction_id = f"PY-{uuid.uuid4().hex[:10]}"
    response = client.rpc(
        "record_payment",
        {"p_invoice_id": str(invoice["id"]), "p_amount": 12.5, "p_method": "CARD", "p_transaction_id": transaction_id},
    ).execute()
    after = await db.fetchrow("select balance_due, status from data.invoices where id = $1", invoice["id"])
    payment = await db.fetchrow(
        "select id, amount, method, invoice_id from data.payments where transaction_id = $1", transaction_id
    )
    assert payment is not None and payment["amount"] == Decimal("12.50") and payment["method"] == "CARD"
    assert after["balance_due"] == invoice["balance_due"] - Decimal("12.50")
    assert after["status"] == "PARTIALLY_PAID"
    assert response.data["payment"]["id"] == str(payment["id"])
    assert Decimal(str(response.data["invoice"]["balance_due"])) == after["balance_due"]


async def test_rpc_record_payment_overpayment_refused(client: SyncPostgrestClient, db: asyncpg.Connection,
                                                      northside: asyncpg.Record) -> None:  # fmt: skip
    invoice = await db.fetchrow(
        "select id, balance_due from data.invoices where school_id = $1 and not is_deleted"
        " and status in ('SENT', 'PARTIALLY_PAID') order by invoice_number desc limit 1",
        northside["id"],
    )
    with pytest.raises(APIError) as refused:
        client.rpc("record_payment", {"p_invoice_id": str(invoice["id"]),
                                      "p_amount": float(invoice["balance_due"]) + 1}).execute()  # fmt: skip
    assert refused.value.code and refused.value.message
    assert (
        await db.fetchval("select balance_due from data.invoices where id = $1", invoice["id"])
        == invoice["balance_due"]
    )


async def test_rpc_mark_class_attendance_as_teacher(gateway: Gateway, db: asyncpg.Connection,
                                                    northside: asyncpg.Record) -> None:  # fmt: skip
    klass = await db.fetchrow(
        "select c.id from data.classes c join data.teachers t on t.school_id = c.school_id and t.id = c.teacher_id"
        " join data.users u on u.id = t.user_id where u.email = $1 and not c.is_deleted order by c.name limit 1",
        TEACHER_EMAIL,
    )
    students = await db.fetch(
        "select student_id from data.enrollments where school_id = $1 and class_id = $2 order by student_id limit 4",
        northside["id"], klass["id"],
    )  # fmt: skip
    day = date(2027, 3, 3)
    statuses = ["PRESENT", "ABSENT", "LATE", "EXCUSED"]
    records = [{"student_id": str(s["student_id"]), "status": st} for s, st in zip(students, statuses, strict=True)]
    with client_for(gateway, TEACHER_EMAIL) as teacher:
        response = teacher.rpc(
            "mark_class_attendance",
            {"p_class_id": str(klass["id"]), "p_date": day.isoformat(), "p_records": records, "p_session": "PY"},
        ).execute()
        assert response.data == 4
        # Re-marking replaces, not duplicates.
        records[1]["status"] = "PRESENT"
        again = teacher.rpc(
            "mark_class_attendance",
            {"p_class_id": str(klass["id"]), "p_date": day.isoformat(), "p_records": records, "p_session": "PY"},
        ).execute()
        assert again.data == 4
    stored = await db.fetch(
        "select student_id::text, status, recorded_by_id from data.attendance_records"
        " where class_id = $1 and date = $2 and session = 'PY' order by student_id",
        klass["id"], day,
    )  # fmt: skip
    assert [(r["student_id"], r["status"]) for r in stored] == [(r["student_id"], r["status"]) for r in records]
    teacher_user = await db.fetchval("select id from data.users where email = $1", TEACHER_EMAIL)
    assert {r["recorded_by_id"] for r in stored} == {teacher_user}


async def test_rpc_result_with_select(client: SyncPostgrestClient, db: asyncpg.Connection,
                                        northside: asyncpg.Record) -> None:  # fmt: skip
    """A function's composite result is a relation: `select` picks its columns (PostgREST)."""
    term = await db.fetchrow(
        "select id, name from data.academic_terms where school_id = $1 and is_current", northside["id"]
    )
    response = client.rpc("set_current_term", {"p_term_id": str(term["id"])}).select("id,name").execute()
    assert response.data == {"id": str(term["id"]), "name": term["name"]}
