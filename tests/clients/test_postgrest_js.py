"""The supabase JS client (@supabase/postgrest-js, pinned in js/package-lock.json)
against the real gateway: js/postgrest_scenario.mjs runs the scenario once per
module under Node and prints every step's answer as JSON; each test here
checks one step against the database.

Needs `node` (and `npm ci` in tests/clients/js, done here when node_modules is
missing); skipped with a message where node is not installed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.clients.conftest import ADMIN_EMAIL, TEACHER_EMAIL, Gateway, npm_ci, run

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None, reason="node is not installed: the postgrest-js scenario needs Node >= 20"
)

Step = dict[str, Any]


@pytest.fixture(scope="module")
async def scenario(gateway: Gateway, db: asyncpg.Connection, northside: asyncpg.Record) -> dict[str, Any]:
    """Run the scenario once; return the config it was given, the database's state before, and its results."""
    await npm_ci(JS)
    school = northside["id"]
    term = await db.fetchrow(
        "select id from data.academic_terms where school_id = $1 and not is_deleted and not is_current"
        " order by name desc limit 1",
        school,
    )
    invoice = await db.fetchrow(
        "select id, balance_due from data.invoices where school_id = $1 and not is_deleted"
        " and status in ('SENT', 'PARTIALLY_PAID') and balance_due >= 10 order by invoice_number desc offset 2 limit 1",
        school,
    )
    klass = await db.fetchrow(
        "select c.id from data.classes c join data.teachers t on t.school_id = c.school_id and t.id = c.teacher_id"
        " join data.users u on u.id = t.user_id where u.email = $1 and not c.is_deleted order by c.name desc limit 1",
        TEACHER_EMAIL,
    )
    enrolled = await db.fetch(
        "select student_id from data.enrollments where class_id = $1 order by student_id limit 3", klass["id"]
    )
    config = {
        "url": gateway.url,
        "adminToken": gateway.login(ADMIN_EMAIL),
        "teacherToken": gateway.login(TEACHER_EMAIL),
        "prefix": f"JS{uuid.uuid4().hex[:6]}-",
        "newId": str(uuid.uuid4()),
        "termId": str(term["id"]),
        "invoiceId": str(invoice["id"]),
        "classId": str(klass["id"]),
        "day": "2027-03-04",
        "attendance": [
            {"student_id": str(s["student_id"]), "status": status}
            for s, status in zip(enrolled, ["PRESENT", "LATE", "ABSENT"], strict=True)
        ],
    }
    assert NODE is not None
    output = await run([NODE, "postgrest_scenario.mjs"], JS, os.environ | {"SCENARIO": json.dumps(config)}, 120)
    return {"config": config, "balance_before": invoice["balance_due"], "results": json.loads(output)}


def ok(scenario: dict[str, Any], name: str) -> Step:
    result: Step = scenario["results"][name]
    assert result["error"] is None, f"{name}: {result['error']}"
    return result


async def not_ours(db: asyncpg.Connection, school: uuid.UUID, prefix: str, where: str, *args: Any) -> set[str]:
    """Ids of the school's live students matching `where`, not written by this scenario."""
    rows = await db.fetch(
        "select id::text from data.students where school_id = $1 and not is_deleted"
        f" and student_number not like $2 and ({where})",
        school, prefix + "%", *args,
    )  # fmt: skip
    return {r["id"] for r in rows}


# ---------------------------------------------------------------- reading


async def test_select(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    expected = await db.fetch(
        "select id::text, student_number, first_name, last_name from data.students where school_id = $1"
        " and not is_deleted and student_number not like $2 order by student_number limit 5",
        northside["id"], scenario["config"]["prefix"] + "%",
    )  # fmt: skip
    assert ok(scenario, "select")["data"] == [dict(r) for r in expected]


async def test_embed_one_to_many(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    classes = await db.fetch(
        "select e.class_id::text from data.enrollments e join data.students s on s.id = e.student_id"
        " where s.school_id = $1 and s.student_number = 'S00001' order by 1",
        northside["id"],
    )
    [row] = ok(scenario, "embed_one_to_many")["data"]
    assert sorted(e["class_id"] for e in row["enrollments"]) == [c["class_id"] for c in classes]


async def test_embed_many_to_one(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    expected = await db.fetch(
        "select c.id::text, c.name, t.first_name, t.last_name from data.classes c join data.teachers t"
        " on t.id = c.teacher_id where c.school_id = $1 and not c.is_deleted order by c.id limit 3",
        northside["id"],
    )
    assert ok(scenario, "embed_many_to_one")["data"] == [
        {"id": r["id"], "name": r["name"], "teachers": {"first_name": r["first_name"], "last_name": r["last_name"]}}
        for r in expected
    ]


FILTERS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "eq": ("last_name = $3", ("Kim",)),
    "neq": ("gender <> $3", ("FEMALE",)),
    "gt": ("date_of_birth > $3", (date(2014, 6, 30),)),
    "gte": ("date_of_birth >= $3", (date(2014, 6, 30),)),
    "lt": ("student_number < $3", ("S00010",)),
    "lte": ("student_number <= $3", ("S00010",)),
    "like": ("last_name like $3", ("K%",)),
    "ilike": ("last_name ilike $3", ("%SEN%",)),
    "in": ("student_number = any($3)", (["S00001", "S00002", "S00003"],)),
    "is": ("user_id is null", ()),
    "not_is": ("user_id is not null", ()),
    "not_in": ("gender <> all($3)", (["MALE", "FEMALE"],)),
    "or": ("last_name = $3 or first_name = $4", ("Kim", "Hana")),
    "match": ("last_name = $3 and enrollment_status = $4", ("Kim", "ACTIVE")),
    "filter": ("first_name like $3", ("%a%",)),
}


@pytest.mark.parametrize("family", list(FILTERS))
async def test_filter(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record, family: str) -> None:
    where, args = FILTERS[family]
    got = [r["id"] for r in ok(scenario, f"filter_{family}")["data"]]
    expected = await not_ours(db, northside["id"], scenario["config"]["prefix"], where, *args)
    assert expected, f"no demo row for {family}: the check would prove nothing"
    assert len(got) == len(set(got)) and set(got) == expected


async def test_order_and_range(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    expected = await db.fetch(
        "select id::text from data.students where school_id = $1 and not is_deleted and student_number not like $2"
        " order by user_id desc nulls first, last_name, id desc offset 10 limit 10",
        northside["id"], scenario["config"]["prefix"] + "%",
    )  # fmt: skip
    assert [r["id"] for r in ok(scenario, "order_range")["data"]] == [r["id"] for r in expected]


async def test_count_exact(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    result = ok(scenario, "count_exact")
    total = await db.fetchval(
        "select count(*) from data.students where school_id = $1 and not is_deleted and enrollment_status = 'ACTIVE'"
        " and student_number not like $2",
        northside["id"], scenario["config"]["prefix"] + "%",
    )  # fmt: skip
    assert result["count"] == total and len(result["data"]) == 3
    assert result["status"] in (200, 206)


async def test_count_head(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    result = ok(scenario, "count_head")
    total = await db.fetchval(
        "select count(*) from data.invoices where school_id = $1 and not is_deleted", northside["id"]
    )
    assert result["count"] == total and result["data"] is None


async def test_single_and_maybe_single(
    scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record
) -> None:
    row = await db.fetchrow(
        "select id::text, first_name from data.students where school_id = $1 and student_number = 'S00002'",
        northside["id"],
    )
    assert ok(scenario, "single")["data"] == dict(row)
    assert ok(scenario, "maybe_single_none")["data"] is None
    many = scenario["results"]["single_many"]
    assert many["data"] is None and many["error"]["code"] == "PGRST116" and many["status"] == 406


async def test_csv(scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record) -> None:
    expected = await db.fetch(
        "select student_number, last_name, user_id from data.students where school_id = $1 and not is_deleted"
        " and student_number not like $2 order by student_number limit 4",
        northside["id"], scenario["config"]["prefix"] + "%",
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(ok(scenario, "csv")["data"])))
    assert rows == [["student_number", "last_name", "user_id"]] + [
        [r["student_number"], r["last_name"], str(r["user_id"] or "")] for r in expected
    ]


async def test_bad_value_is_a_client_error(scenario: dict[str, Any]) -> None:
    result = scenario["results"]["bad_value"]
    assert result["status"] == 400 and result["error"]["code"] == "22P02"
    assert set(result["error"]) >= {"code", "message", "details", "hint"}


# ---------------------------------------------------------------- writing


async def test_insert_one_defaults_the_school(
    scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record
) -> None:
    [returned] = ok(scenario, "insert_one")["data"]
    row = await db.fetchrow("select * from data.students where id = $1", uuid.UUID(returned["id"]))
    assert row["school_id"] == northside["id"]  # not sent: the caller's school
    assert row["date_of_birth"] == date(2015, 12, 9) and row["enrollment_status"] == "ACTIVE"
    assert returned["school_id"] == str(northside["id"]) and returned["student_number"] == row["student_number"]


async def test_insert_many(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    returned = ok(scenario, "insert_many")["data"]
    prefix = scenario["config"]["prefix"]
    stored = await db.fetch(
        "select id::text, student_number, date_of_birth from data.students where student_number like $1"
        " order by student_number",
        prefix + "many%",
    )
    assert [r["student_number"] for r in stored] == [f"{prefix}many{i}" for i in (1, 2, 3)]
    assert [r["date_of_birth"] for r in stored] == [date(2014, 2, i) for i in (1, 2, 3)]
    assert sorted(r["id"] for r in returned) == [r["id"] for r in sorted(stored, key=lambda r: r["id"])]


async def test_insert_many_missing_keys_take_defaults(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    ok(scenario, "insert_many_missing_default")
    stored = await db.fetch(
        "select enrollment_status from data.students where student_number like $1 order by student_number",
        scenario["config"]["prefix"] + "md%",
    )
    assert [r["enrollment_status"] for r in stored] == ["ACTIVE", "INACTIVE"]


async def test_upsert_merges_and_inserts(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    returned = ok(scenario, "upsert")["data"]
    existing = scenario["results"]["insert_one"]["data"][0]["id"]
    stored = await db.fetch(
        "select id::text, first_name from data.students where id = any($1::uuid[]) order by first_name",
        [existing, scenario["config"]["newId"]],
    )
    assert [tuple(r) for r in stored] == [(scenario["config"]["newId"], "Fresh"), (existing, "Grace B.")]
    assert sorted(r["first_name"] for r in returned) == ["Fresh", "Grace B."]


async def test_upsert_ignore_duplicates(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    assert ok(scenario, "upsert_ignore")["data"] == []
    first_name = await db.fetchval(
        "select first_name from data.students where id = $1", uuid.UUID(scenario["config"]["newId"])
    )
    assert first_name == "Fresh"


async def test_update(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    result = ok(scenario, "update")
    prefix = scenario["config"]["prefix"]
    stored = await db.fetch(
        "select id::text, student_number, last_name, enrollment_status from data.students"
        " where student_number like $1 order by student_number",
        prefix + "many%",
    )
    assert {(r["last_name"], r["enrollment_status"]) for r in stored} == {("Updated", "SUSPENDED")}
    assert result["count"] == 3
    assert sorted(result["data"], key=lambda r: r["student_number"]) == [dict(r) for r in stored]


async def test_delete_is_soft(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    [deleted] = ok(scenario, "delete")["data"]
    assert await db.fetchval("select is_deleted from data.students where id = $1", uuid.UUID(deleted["id"])) is True
    assert ok(scenario, "after_delete")["data"] == []


# ---------------------------------------------------------------- rpc


async def test_rpc_set_current_term(
    scenario: dict[str, Any], db: asyncpg.Connection, northside: asyncpg.Record
) -> None:
    term_id = scenario["config"]["termId"]
    returned = ok(scenario, "rpc_set_current_term")["data"]
    assert returned["id"] == term_id and returned["is_current"] is True
    # A later test may switch again: check the switch by its audit trail too.
    switched = await db.fetchval(
        "select count(*) from audit.audit_log where table_name = 'academic_terms' and record_id = $1::uuid"
        " and action = 'UPDATE' and (new_data ->> 'is_current')::boolean",
        term_id,
    )
    assert switched >= 1
    current = await db.fetch("select id::text from data.academic_terms where school_id = $1 and is_current",
                             northside["id"])  # fmt: skip
    assert len(current) == 1


async def test_rpc_record_payment(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    returned = ok(scenario, "rpc_record_payment")["data"]
    payment = await db.fetchrow(
        "select id::text, amount, method, invoice_id::text from data.payments where transaction_id = $1",
        scenario["config"]["prefix"] + "pay",
    )
    assert payment is not None and payment["amount"] == Decimal("7.25") and payment["method"] == "CASH"
    assert payment["invoice_id"] == scenario["config"]["invoiceId"]
    balance = await db.fetchval(
        "select balance_due from data.invoices where id = $1", uuid.UUID(scenario["config"]["invoiceId"])
    )
    assert balance == scenario["balance_before"] - Decimal("7.25")
    assert returned["payment"]["id"] == payment["id"]
    assert Decimal(str(returned["invoice"]["balance_due"])) == balance


async def test_rpc_mark_class_attendance(scenario: dict[str, Any], db: asyncpg.Connection) -> None:
    config = scenario["config"]
    assert ok(scenario, "rpc_mark_class_attendance")["data"] == len(config["attendance"])
    stored = await db.fetch(
        "select student_id::text, status from data.attendance_records where class_id = $1 and date = $2"
        " and session = 'JS' order by student_id",
        uuid.UUID(config["classId"]), date.fromisoformat(config["day"]),
    )  # fmt: skip
    assert [dict(r) for r in stored] == sorted(config["attendance"], key=lambda r: r["student_id"])
