"""The demo/benchmark generator (db/seed): each check runs on its own fresh
database, copied from one migrated with `python -m gateway migrate`."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

import asyncpg
import pytest

from db.database import scratch_database
from db.passwords import needs_rehash, verify_password
from db.seed.cli import seed_demo_if_empty, size_from
from db.seed.context import BENCHMARK, DEMO, Size
from db.seed.load import Report, load_url
from db.seed.logins import DEMO_PASSWORD
from db.seed.model import TABLES, password_book
from gateway.cli import build_parser

SMALL = Size(schools=1, students_per_school=50, days=5, seed=7)
# Worked out by hand from the rules in db/seed (counts never depend on the seed):
SMALL_COUNTS = {
    "schools": 1,
    "users": 16,  # admin + 4 teachers + every 10th of 50 students (5) and of 56 parents (6)
    "students": 50,
    "teachers": 4,  # max(4, 12 classes / 5)
    "parents": 56,  # 37 families (sizes 2,1,1,...): even-numbered ones have two parents
    "student_parents": 76,
    "academic_terms": 3,  # the year and its two semesters
    "school_settings": 1,
    "subjects": 8,
    "rooms": 5,  # a room per group of 25, a lab, a gym, a library
    "classes": 12,  # 2 groups x 6 subjects
    "enrollments": 300,  # 50 students x 6 classes
    "attendance_records": 250,  # 50 students x 5 days
    "assignments": 24,  # 2 per class
    "assessments": 3,
    "grades": 675,  # 24 assignments x 25 students + 3 midterms x 25
    "announcements": 4,
    "discipline_incidents": 3,
    "health_records": 3,
    "communication_logs": 3,
    "fee_types": 5,
    "invoices": 50,  # one per student
    "invoice_items": 142,  # tuition + books each, lunch for 25, field trip for 17
    "payments": 45,  # 12 partial payments, 23 paid invoices of which 10 in two instalments
}

INVOICE_MISMATCHES = """
select count(*) from data.invoices i
left join lateral (select sum(line_total) as total from data.invoice_items where school_id = i.school_id and invoice_id = i.id) it on true
left join lateral (select coalesce(sum(amount), 0) as paid from data.payments where school_id = i.school_id and invoice_id = i.id) p on true
where i.total_amount <> coalesce(it.total, 0)
   or i.balance_due <> i.total_amount - p.paid
   or i.status <> case when i.status = 'DRAFT' then 'DRAFT'
                       when i.balance_due = 0 then 'PAID'
                       when p.paid > 0 then 'PARTIALLY_PAID'
                       else 'SENT' end
"""


def gateway(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    # Not check=True: a test reads the exit code and stderr itself.
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
async def template(server_url: str) -> AsyncIterator[str]:
    """A database migrated through the CLI; tests copy it (CREATE DATABASE ... TEMPLATE)."""
    async with scratch_database(server_url, "school_seed_template") as url:
        done = gateway("migrate", database_url=url)
        assert done.returncode == 0, done.stderr
        yield urlsplit(url).path.lstrip("/")


@pytest.fixture(scope="module")
async def fresh(server_url: str, template: str) -> AsyncIterator:
    """A factory of fresh migrated databases, dropped at the end of the module."""
    async with AsyncExitStack() as made:

        async def make() -> str:
            return await made.enter_async_context(scratch_database(server_url, "school_seed", template=template))

        yield make


@pytest.fixture(scope="module")
async def demo(fresh) -> tuple[str, str]:
    """The demo, seeded through `python -m gateway seed`: (database URL, its output)."""
    url = await fresh()
    done = gateway("seed", database_url=url)
    assert done.returncode == 0, done.stderr
    return url, done.stdout


@pytest.fixture(scope="module")
async def small(fresh) -> tuple[str, Report]:
    url = await fresh()
    report = await load_url(url, SMALL)
    assert report is not None
    return url, report


async def counts(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        return {spec.name: await connection.fetchval(f'select count(*) from data."{spec.name}"') for spec in TABLES}
    finally:
        await connection.close()


async def digest(url: str) -> str:
    """One md5 over every seeded row, minus the timestamps the database stamps at load time."""
    connection = await asyncpg.connect(url)
    try:
        parts = []
        for spec in TABLES:
            row = "(to_jsonb(t) - 'created_at' - 'updated_at')::text"
            parts.append(await connection.fetchval(
                f'select md5(coalesce(string_agg({row}, \'|\' order by {row}), \'\')) from data."{spec.name}" t'
            ))  # fmt: skip
        return "".join(parts)
    finally:
        await connection.close()


async def test_the_demo_loads_what_the_cli_reports(demo: tuple[str, str]) -> None:
    url, output = demo
    reported = {
        m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"^(\w+)\s+([\d,]+)\s+[\d.]+\s", output, re.MULTILINE)
    }
    reported.pop("total")
    stored = await counts(url)
    assert reported == stored, "every table holds exactly the rows the seed command reports"
    assert all(stored.values()), f"every table gets rows: {[t for t, n in stored.items() if not n]} are empty"
    assert stored["schools"] == DEMO.schools and stored["students"] == DEMO.schools * DEMO.students_per_school


async def test_the_demo_prints_logins_that_verify(demo: tuple[str, str]) -> None:
    url, output = demo
    assert re.search(r"admin@northside\.demo\s+ADMIN\s+Northside School", output), "the admin login is printed"
    assert f"password for every one: {DEMO_PASSWORD!r}" in output
    printed = re.findall(r"^\s+(\S+@\S+\.demo)\s+(ADMIN|TEACHER|PARENT|STUDENT)\s", output, re.MULTILINE)
    assert {role for _, role in printed} == {"ADMIN", "TEACHER", "PARENT", "STUDENT"}, "a login for every role"
    connection = await asyncpg.connect(url)
    try:
        users = await connection.fetch("select email, password_hash from data.users where email = any($1::text[])",
                                        [email for email, _ in printed])  # fmt: skip
    finally:
        await connection.close()
    assert len(users) == len(printed), "every printed login exists"
    hashes = {u["email"]: u["password_hash"] for u in users}
    assert verify_password(hashes["admin@northside.demo"], DEMO_PASSWORD), "the demo password logs the admin in"
    assert not verify_password(hashes["admin@northside.demo"], "wrong-password")
    assert not needs_rehash(hashes["teacher1@riverside.demo"]), "seeded hashes use the current parameters"
    assert len(set(hashes.values())) == len(hashes), "in the demo every login has its own salt"


async def test_the_demo_has_a_current_term_in_its_settings(demo: tuple[str, str]) -> None:
    connection = await asyncpg.connect(demo[0])
    try:
        rows = await connection.fetch(
            """select s.id, count(t.id) filter (where t.is_current) as current,
                      bool_and(st.current_academic_term_id = (select id from data.academic_terms
                               where school_id = s.id and is_current)) as settings_point_at_it
               from data.schools s
               join data.academic_terms t on t.school_id = s.id
               join data.school_settings st on st.school_id = s.id
               group by s.id"""
        )
    finally:
        await connection.close()
    assert len(rows) == DEMO.schools
    assert all(r["current"] == 1 and r["settings_point_at_it"] for r in rows), "one current term, named in settings"


async def test_seeding_again_refuses_and_serve_skips(demo: tuple[str, str]) -> None:
    url, _ = demo
    before = await digest(url)
    again = gateway("seed", database_url=url)
    assert again.returncode == 1 and "not empty" in again.stderr, "seed loads into an empty database only"
    # seed_demo_if_empty is synchronous (serve calls it before uvicorn starts): run it off this loop.
    assert await asyncio.to_thread(seed_demo_if_empty, url) is None, "serve --demo leaves existing data alone"
    assert await digest(url) == before, "nothing was added"


async def test_a_small_custom_size_has_exact_counts(small: tuple[str, Report]) -> None:
    url, report = small
    assert {name: t.rows for name, t in report.tables.items()} == SMALL_COUNTS, "the generator reports the formulas"
    assert await counts(url) == SMALL_COUNTS, "the database holds them"


@pytest.mark.parametrize("which", ["small", "demo"])
async def test_invoice_totals_balances_and_status_agree(which: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(which)[0]
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval(INVOICE_MISMATCHES) == 0, (
            "total = sum(line_total), balance = total - payments, status follows the balance"
        )
        overpaid = await connection.fetchval(
            "select count(*) from data.invoices where balance_due < 0 or balance_due > total_amount"
        )
        assert overpaid == 0
        statuses = dict(await connection.fetch("select status, count(*) from data.invoices group by status"))
    finally:
        await connection.close()
    if which == "small":
        assert statuses == {"DRAFT": 3, "SENT": 12, "PARTIALLY_PAID": 12, "PAID": 23}


async def test_the_same_seed_gives_the_same_rows(small: tuple[str, Report], fresh) -> None:
    url, _ = small
    same = await fresh()
    await load_url(same, SMALL)
    other = await fresh()
    await load_url(other, Size(schools=1, students_per_school=50, days=5, seed=8))
    assert await digest(same) == await digest(url), "ids and values repeat exactly for one seed"
    assert await digest(other) != await digest(url), "another seed gives other values"
    assert await counts(other) == SMALL_COUNTS, "but the same counts"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["seed"], DEMO),
        (["seed", "--benchmark"], BENCHMARK),
        (["seed", "--benchmark", "--schools", "2"], dataclasses.replace(BENCHMARK, schools=2)),
        (["seed", "--schools", "1", "--students-per-school", "50", "--days", "5", "--seed", "7"], SMALL),
    ],
)
def test_flags_choose_the_size(argv: list[str], expected: Size) -> None:
    assert size_from(build_parser().parse_args(argv)) == expected


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(SystemExit):
        size_from(build_parser().parse_args(["seed", "--days", "0"]))


def test_large_sizes_share_one_hash_small_ones_do_not() -> None:
    assert password_book(DEMO).individual, "the demo hashes each login"
    shared = password_book(dataclasses.replace(DEMO, students_per_school=600))
    assert not shared.individual, "a few hundred logins would take minutes to hash one by one"
    first, second = shared.hashes(["a@x.demo", "b@x.demo"])
    assert first == second and verify_password(first, DEMO_PASSWORD), "one hash of the demo password, reused"
