"""A react-admin page (react_admin/: Vite, react-admin, @raphiniert/ra-data-postgrest)
over the real gateway, driven in headless Chromium by react_admin/e2e.mjs
(playwright-core with the system's /usr/bin/chromium).

The page is built once per session (`npm ci` from the lock file, then
`vite build` into a temporary directory). e2e.mjs serves it on 127.0.0.1,
proxies /api to the gateway, and reports what the page shows after each step
(sign in and list, sort, page, filter, show, edit, create); this test checks
each step against the database before letting the browser go on. Screenshots
go to tests/artifacts/ (gitignored).

Skipped with a message where /usr/bin/chromium or node is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.seed.logins import DEMO_PASSWORD
from tests.clients.conftest import ADMIN_EMAIL, Gateway, npm_ci, run

APP = Path(__file__).parent / "react_admin"
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
PER_PAGE = 10
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing: apt-get install -y chromium"),
    pytest.mark.skipif(NODE is None, reason="node is not installed: the react-admin page needs Node >= 20"),
]

Check = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture(scope="session")
async def react_admin_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page, built once per session."""
    await npm_ci(APP)
    out = tmp_path_factory.mktemp("react-admin-dist")
    npx = shutil.which("npx")
    assert npx, "npx is missing beside node"
    await run([npx, "--no-install", "vite", "build", "--outDir", str(out), "--emptyOutDir"], APP, timeout=300)
    assert (out / "index.html").is_file()
    return out


async def drive(config: dict[str, Any], checks: dict[str, Check]) -> list[str]:
    """Run e2e.mjs; after each step it reports, run that step's check, then let it go on."""
    assert NODE is not None
    process = await asyncio.create_subprocess_exec(
        NODE, "e2e.mjs", cwd=APP, env=os.environ | {"E2E": json.dumps(config)},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin and process.stdout and process.stderr
    done: list[str] = []
    try:
        while True:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
            if not line:
                break
            report = json.loads(line)
            step = report.pop("step")
            assert step != "error", f"the browser failed after {done}: {report['message']}\n{report['problems']}"
            await checks[step](report)
            done.append(step)
            process.stdin.write(b"next\n")
            await process.stdin.drain()
        await asyncio.wait_for(process.wait(), timeout=60)
        stderr = (await process.stderr.read()).decode()
        assert process.returncode == 0, f"e2e.mjs exited with {process.returncode}:\n{stderr}"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return done


async def test_students_in_react_admin(
    gateway: Gateway, react_admin_dist: Path, db: asyncpg.Connection, northside: asyncpg.Record, artifacts: Path
) -> None:
    school = northside["id"]
    tag = uuid.uuid4().hex[:6]
    new_student = {"student_number": f"RA-{tag}", "first_name": "Rosalind", "last_name": f"Franklin{tag}",
                   "date_of_birth": "2015-07-25"}  # fmt: skip
    config = {
        "dist": str(react_admin_dist),
        "gateway": gateway.url,
        "email": ADMIN_EMAIL,
        "password": DEMO_PASSWORD,
        "artifacts": str(artifacts),
        "newStudent": new_student,
        "editedFirstName": f"Edited{tag}",
    }
    live = "from data.students where school_id = $1 and not is_deleted"
    total = await db.fetchval(f"select count(*) {live}", school)

    def shown_range(first: int, count: int, of: int) -> str:
        return f"{first}-{first + count - 1} of {of}"

    async def check_list(report: dict[str, Any]) -> None:
        assert report["role"] == "school_admin" and report["schoolId"] == str(school)
        expected = await db.fetch(f"select student_number, first_name, last_name {live} order by student_number"
                                  f" limit {PER_PAGE}", school)  # fmt: skip
        assert [(r["student_number"], r["first_name"], r["last_name"]) for r in report["rows"]] == [
            tuple(r) for r in expected
        ]
        assert "order=student_number.asc" in report["url"] and "limit=10" in report["url"]
        assert report["contentRange"].endswith(f"/{total}")
        assert report["shown"] == shown_range(1, PER_PAGE, total)

    async def check_sort(report: dict[str, Any]) -> None:
        expected = await db.fetch(f"select last_name {live} order by last_name limit {PER_PAGE}", school)
        assert [r["last_name"] for r in report["rows"]] == [r["last_name"] for r in expected]

    async def check_page(report: dict[str, Any]) -> None:
        expected = await db.fetch(f"select last_name {live} order by last_name offset 10 limit {PER_PAGE}", school)
        assert [r["last_name"] for r in report["rows"]] == [r["last_name"] for r in expected]
        assert report["shown"] == shown_range(11, PER_PAGE, total)

    async def check_filter(report: dict[str, Any]) -> None:
        expected = await db.fetch(
            f"select student_number, last_name {live} and last_name ilike '%sen%' order by last_name", school
        )
        assert 0 < len(expected), "no demo student matches: the check would prove nothing"
        assert [r["last_name"] for r in report["rows"]] == [r["last_name"] for r in expected][:PER_PAGE]
        assert {r["student_number"] for r in report["rows"]} <= {r["student_number"] for r in expected}
        assert report["contentRange"].endswith(f"/{len(expected)}")
        assert report["shown"] == shown_range(1, min(PER_PAGE, len(expected)), len(expected))

    async def check_show(report: dict[str, Any]) -> None:
        row = await db.fetchrow(
            "select id::text, student_number, first_name, last_name, enrollment_status, gender"
            " from data.students where id = $1::uuid",
            report["id"],
        )
        assert row is not None and row["student_number"] == report["number"]
        assert report["record"] == {k: v or "" for k, v in dict(row).items()}

    async def check_edit(report: dict[str, Any]) -> None:
        row = await db.fetchrow(
            "select first_name, updated_at, created_at from data.students where id = $1::uuid", report["id"]
        )
        assert report["status"] == 200
        assert row["first_name"] == config["editedFirstName"] == report["shownFirstName"]
        assert row["updated_at"] > row["created_at"]
        edits = await db.fetchval(
            "select count(*) from audit.audit_log where table_name = 'students' and record_id = $1::uuid"
            " and action = 'UPDATE' and new_data ->> 'first_name' = $2",
            report["id"], config["editedFirstName"],
        )  # fmt: skip
        assert edits == 1

    async def check_create(report: dict[str, Any]) -> None:
        row = await db.fetchrow(
            "select id::text, school_id, first_name, last_name, date_of_birth, enrollment_status"
            " from data.students where student_number = $1",
            new_student["student_number"],
        )
        assert report["status"] == 201
        assert row is not None and row["id"] == report["id"] and row["school_id"] == school
        assert (row["first_name"], row["last_name"]) == (new_student["first_name"], new_student["last_name"])
        assert row["date_of_birth"] == date(2015, 7, 25) and row["enrollment_status"] == "ACTIVE"
        assert report["shownNumber"] == new_student["student_number"]

    checks: dict[str, Check] = {
        "list": check_list, "sort": check_sort, "page": check_page, "filter": check_filter,
        "show": check_show, "edit": check_edit, "create": check_create,
    }  # fmt: skip
    assert await drive(config, checks) == list(checks)
    assert (artifacts / "react-admin-6-created.png").is_file()
