"""What the restore drills do through the gateway: write students, each
acknowledged write recorded with the time the gateway answered, and read back
which came through a restore (test_restore_drill.py, test_incremental.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.testing import AsyncTestClient

from tests.factories import School
from tests.gateway.http_support import as_role


async def write(api: AsyncTestClient, school: School, numbers: list[str], acked: dict[str, datetime]) -> None:
    for number in numbers:
        body = {"school_id": str(school.id), "student_number": number, "first_name": "Drill", "last_name": "Row"}
        response = await api.post("/students", json=body, headers=as_role("school_admin", school))
        assert response.status_code == 201, response.text
        acked[number] = datetime.now(UTC)


async def numbers_seen(api: AsyncTestClient, school: School) -> set[str]:
    response = await api.get("/students?select=student_number&first_name=eq.Drill",
                             headers=as_role("school_admin", school))  # fmt: skip
    assert response.status_code == 200, response.text
    return {row["student_number"] for row in response.json()}
