"""OneRoster pages walked by key (render.py `_keys`, issue 17) are the pages of
the view, and X-Total-Count is counted once and then reused (counts.py)."""

from __future__ import annotations

import secrets

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from gateway.oneroster.counts import CountCache, count_key, school_changed
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app, settings_for  # noqa: F401  (fixtures)

OR = "/ims/oneroster/rostering/v1p2"


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    """The factory school plus students with and without partner sourcedIds
    (upper and lower case: the key walk must order as the view does), one of
    them deleted, classes and enrollments, one enrollment of the deleted one."""
    c = committer_session
    school = await make_school(c)
    tag = secrets.token_hex(3)
    for n in range(9):
        sourced = None if n % 3 == 0 else (f"S-{tag}-{n}" if n % 2 else f"s-{tag}-{n}")
        await c.execute(
            "insert into data.students (school_id, student_number, first_name, last_name, sourced_id, is_deleted) "
            "values ($1, $2, 'Kay', $3, $4, $5)",
            school.id, f"K{tag}{n}", f"Walk{n}", sourced, n == 4,
        )  # fmt: skip
    await c.execute(
        """insert into data.enrollments (school_id, student_id, class_id, enrollment_date, sourced_id)
           select s.school_id, s.id, $2, current_date, case when s.last_name in ('Walk1', 'Walk4') then 'E-' || s.last_name end
           from data.students s where s.school_id = $1 and s.last_name like 'Walk%'""",
        school.id, school.other_class,
    )  # fmt: skip
    return school


@pytest.mark.parametrize("name", ["users", "students", "teachers", "classes", "enrollments"])
async def test_a_page_by_key_is_the_same_page_as_sorted_by_the_view(
    api: AsyncTestClient[Litestar], school: School, name: str
) -> None:
    """`sort=sourcedId` takes the view's own ORDER BY; no sort walks the keys."""
    headers = as_role("school_admin", school)
    first = await api.get(f"{OR}/{name}?limit=1", headers=headers)
    assert first.status_code == 200, first.text
    total = int(first.headers["x-total-count"])
    assert total >= 1
    for order in ("asc", "desc"):
        for offset in range(0, total + 1, 2):
            page = f"{OR}/{name}?limit=3&offset={offset}&orderBy={order}"
            walked, sorted_ = (
                (await api.get(page, headers=headers)),
                (await api.get(page + "&sort=sourcedId", headers=headers)),
            )
            assert walked.status_code == sorted_.status_code == 200
            assert walked.json() == sorted_.json(), (page, walked.json(), sorted_.json())
    everything = (await api.get(f"{OR}/{name}?limit=1000", headers=headers)).json()
    assert len(next(iter(everything.values()))) == total, "the walk finds every counted row, and only those"


# (walked read, the same read through the view's own sort): a filter other
# than status, or sort=sourcedId, takes the view's ORDER BY (render.py `_walk`).
SHAPED = [
    ("students?sort=familyName", "students?sort=familyName&filter=familyName>''"),
    ("users?sort=familyName", "users?sort=familyName&filter=familyName>''"),
    ("teachers?sort=familyName", "teachers?sort=familyName&filter=familyName>''"),
    ("students?filter=status='active'", "students?filter=status='active'&sort=sourcedId"),
    ("schools/{school}/students?x=1", "schools/{school}/students?sort=sourcedId"),
    ("schools/{school}/enrollments?x=1", "schools/{school}/enrollments?sort=sourcedId"),
    ("schools/{school}/classes?x=1", "schools/{school}/classes?sort=sourcedId"),
]


@pytest.mark.parametrize(("walked_path", "sorted_path"), SHAPED)
async def test_a_sorted_filtered_or_nested_walk_is_the_page_of_the_view(
    api: AsyncTestClient[Litestar], school: School, walked_path: str, sorted_path: str
) -> None:
    """sort=familyName walks m0059's indexes, status='active' the live keys, a
    school's collections their own keys: every page as the view sorts it."""
    headers = as_role("school_admin", school)
    walked_path, sorted_path = (f"{OR}/" + p.format(school=school.id) for p in (walked_path, sorted_path))
    total = int((await api.get(f"{walked_path}&limit=1", headers=headers)).headers["x-total-count"])
    assert total >= 2
    for order in ("asc", "desc"):
        for offset in range(0, total + 1, 2):
            cut = f"&limit=3&offset={offset}&orderBy={order}"
            walked = await api.get(walked_path + cut, headers=headers)
            sorted_ = await api.get(sorted_path + cut, headers=headers)
            assert walked.status_code == sorted_.status_code == 200, walked.text
            assert walked.json() == sorted_.json(), (walked_path, cut, walked.json(), sorted_.json())


async def test_a_class_lists_its_live_students_and_a_student_its_classes(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    """classes/{id}/students reads the class's enrollments by id, not a hash of
    every enrollment: the live students enrolled, the deleted one not."""
    headers = as_role("school_admin", school)
    page = await api.get(f"{OR}/classes/{school.other_class}/students?limit=100", headers=headers)
    assert page.status_code == 200, page.text
    names = sorted(u["familyName"] for u in page.json()["users"])
    assert [n for n in names if n.startswith("Walk")] == [f"Walk{n}" for n in range(9) if n != 4]
    assert len(names) == 9, "the eight live Walk students and the factory's other student"
    assert int(page.headers["x-total-count"]) == 9
    teachers = (await api.get(f"{OR}/classes/{school.other_class}/teachers", headers=headers)).json()["users"]
    assert len(teachers) == 1
    classes = (await api.get(f"{OR}/students/{school.other_student}/classes", headers=headers)).json()["classes"]
    assert [c["sourcedId"] for c in classes] == [str(school.other_class)]


async def test_a_deleted_student_and_its_enrollment_are_not_walked(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    headers = as_role("school_admin", school)
    users = (await api.get(f"{OR}/students?limit=1000", headers=headers)).json()["users"]
    assert "Walk4" not in [u["familyName"] for u in users] and "Walk3" in [u["familyName"] for u in users]
    enrollments = (await api.get(f"{OR}/enrollments?limit=1000", headers=headers)).json()["enrollments"]
    assert "E-Walk4" not in [e["sourcedId"] for e in enrollments] and "E-Walk1" in [e["sourcedId"] for e in enrollments]


async def test_the_total_is_reused_for_its_seconds_and_counted_afresh_without_them(
    database_url: str, school: School, committer_session: asyncpg.Connection
) -> None:
    headers = as_role("school_admin", school)
    reused, exact = (create_app(settings_for(database_url, oneroster_count_seconds=s)) for s in (3600.0, 0.0))
    async with AsyncTestClient(reused) as cached, AsyncTestClient(exact) as counting:
        before = [
            int((await c.get(f"{OR}/students", headers=headers)).headers["x-total-count"]) for c in (cached, counting)
        ]
        await committer_session.execute(
            "insert into data.students (school_id, student_number, first_name, last_name) values ($1, $2, 'New', 'Comer')",
            school.id, f"N{secrets.token_hex(3)}",
        )  # fmt: skip
        after = [
            int((await c.get(f"{OR}/students", headers=headers)).headers["x-total-count"]) for c in (cached, counting)
        ]
        assert before[0] == before[1] and after == [before[0], before[0] + 1], "reused within its seconds; 0 counts"
        filtered = await cached.get(f"{OR}/students?filter=familyName='Comer'", headers=headers)
        assert filtered.headers["x-total-count"] == "1", "another filter is another count"
        school_changed(str(school.id))
        again = await cached.get(f"{OR}/students", headers=headers)
        assert int(again.headers["x-total-count"]) == before[0] + 1, "an import of the school forgets its counts"
    await committer_session.execute("delete from data.students where school_id = $1 and last_name = 'Comer'", school.id)


def test_a_count_is_kept_per_caller_kind_school_and_scopes() -> None:
    cache = CountCache(60)
    query = ["students", None, None]
    keys = [
        count_key("school_admin", {"school_id": "a"}, query),
        count_key("partner_sync", {"school_id": "a", "scope": "x"}, query),
        count_key("partner_sync", {"school_id": "a", "scope": "y"}, query),
        count_key("school_admin", {"school_id": "b"}, query),
    ]
    for n, key in enumerate(keys):
        cache.put(key, n)
    assert [cache.get(k) for k in keys] == [0, 1, 2, 3]
    school_changed("a")
    assert [cache.get(k) for k in keys] == [None, None, None, 3]
    assert CountCache(0).get(keys[3]) is None


async def test_a_oneroster_read_asks_for_a_generic_plan(
    api: AsyncTestClient[Litestar], school: School, admin: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OneRoster reads run under plan_cache_mode force_generic_plan (identity/setup.py
    GENERIC_SETUP): planning the union views cost as much as running a page."""
    from gateway.http import execute as execute_module
    from gateway.identity.setup import GENERIC_SETUP, setup_args
    from gateway.oneroster import routes

    await admin.execute(GENERIC_SETUP, *setup_args("school_admin", "{}", "test"))
    assert await admin.fetchval("select current_setting('plan_cache_mode')") == "force_generic_plan"

    seen: list[bool] = []

    async def recording(pool: object, session: execute_module.Session, *args: object, **kwargs: object) -> object:
        seen.append(session.generic_plans)
        return await execute_module.execute(pool, session, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(routes, "execute", recording)
    page = await api.get(f"{OR}/students?limit=2", headers=as_role("school_admin", school))
    assert page.status_code == 200, page.text
    assert seen == [True], "the read asked for generic plans"
