"""The restore drill (issue 14): writes through the gateway, each acknowledged
write recorded with its time; a base backup; more writes; a point-in-time
restore to a time T between them; the gateway started on the restored server.
Every write acknowledged before T is there, none after, and the roles, row
security, the append-only audit log and the migrations table came back whole.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from db.database import DATABASE_NAME
from gateway.app import create_app
from gateway.ops.backup import create, wait_archived
from gateway.ops.cluster import Cluster
from gateway.ops.repository import Repository
from gateway.ops.restore import restore
from tests.factories import make_school
from tests.gateway.http_support import as_role, settings_for
from tests.ops.drill import numbers_seen, write
from tests.ops.servers import own_server
from tests.support import expect_sqlstate

# What must be equal on the live and the restored server, beyond the rows.
CATALOG_CHECKS = {
    "roles": """select rolname, rolsuper, rolinherit, rolcanlogin, rolbypassrls from pg_roles
                where rolname !~ '^pg_' order by rolname""",
    "row security": """select n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
                       from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where c.relrowsecurity order by 1, 2""",
    "policies": "select schemaname, tablename, policyname, roles::text, qual from pg_policies order by 1, 2, 3",
    "migrations": "select name from migration order by id",
}


@pytest.fixture(scope="module")
def drill_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="school-drill-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)  # the repository and the restored copy: hundreds of MB


@pytest.fixture(scope="module")
def live(drill_root: Path) -> Iterator[Cluster]:
    with own_server(drill_root / "live") as cluster:
        yield cluster


@pytest.fixture(scope="module")
async def drill(live: Cluster, drill_root: Path) -> AsyncIterator[dict[str, object]]:
    url = live.url(DATABASE_NAME)
    admin = await asyncpg.connect(url)
    a, b = await make_school(admin), await make_school(admin)
    acked: dict[str, datetime] = {}
    repo = Repository(drill_root / "repo")
    async with AsyncTestClient(create_app(settings_for(url))) as api:
        await write(api, a, [f"A-{i}" for i in range(5)], acked)
        await asyncio.to_thread(create, repo, url)
        await write(api, a, [f"A-{i}" for i in range(5, 10)], acked)
        await write(api, b, [f"B-{i}" for i in range(3)], acked)
        await asyncio.sleep(0.3)
        target = datetime.now(UTC)
        await asyncio.sleep(0.3)
        await write(api, a, [f"A-{i}" for i in range(10, 15)], acked)
        await write(api, b, [f"B-{i}" for i in range(3, 6)], acked)
    await asyncio.to_thread(wait_archived, repo, url)
    live_catalog = {name: await admin.fetch(query) for name, query in CATALOG_CHECKS.items()}
    await admin.close()
    restored = await asyncio.to_thread(restore, repo, drill_root / "restored", target_time=target)
    cluster = Cluster(restored.pgdata)
    cluster.start()
    try:
        yield {"a": a, "b": b, "acked": acked, "target": target, "cluster": cluster, "live_catalog": live_catalog,
               "restored": restored}  # fmt: skip
    finally:
        cluster.stop("immediate")


async def test_every_write_acknowledged_before_the_target_is_back_and_none_after(drill: dict) -> None:
    acked, target = drill["acked"], drill["target"]
    before = {n for n, at in acked.items() if at < target}
    after = {n for n, at in acked.items() if at > target}
    assert len(before) == 13 and len(after) == 8, "the drill wrote on both sides of the target"
    url = drill["cluster"].url(DATABASE_NAME)
    async with AsyncTestClient(create_app(settings_for(url))) as api:
        seen = await numbers_seen(api, drill["a"]) | await numbers_seen(api, drill["b"])
    assert before <= seen, f"acknowledged before T but lost: {sorted(before - seen)}"
    assert not (after & seen), f"written after T but restored: {sorted(after & seen)}"


async def test_the_restored_gateway_keeps_schools_apart(drill: dict) -> None:
    a, b = drill["a"], drill["b"]
    url = drill["cluster"].url(DATABASE_NAME)
    async with AsyncTestClient(create_app(settings_for(url))) as api:
        assert {n[0] for n in await numbers_seen(api, a)} == {"A"}, "school A's admin sees only A's rows"
        assert {n[0] for n in await numbers_seen(api, b)} == {"B"}, "school B's admin sees only B's rows"
        probe = await api.get(f"/students?school_id=eq.{a.id}", headers=as_role("school_admin", b))
        assert probe.status_code == 200 and probe.json() == [], "asking for A's rows as B returns nothing"


async def test_roles_row_security_and_migrations_are_as_they_were(drill: dict) -> None:
    restored = await asyncpg.connect(drill["cluster"].url(DATABASE_NAME))
    try:
        for name, query in CATALOG_CHECKS.items():
            assert await restored.fetch(query) == drill["live_catalog"][name], f"{name} differ after the restore"
    finally:
        await restored.close()


async def test_the_audit_log_came_back_and_is_still_append_only(drill: dict) -> None:
    restored = await asyncpg.connect(drill["cluster"].url(DATABASE_NAME))
    try:
        audited = await restored.fetchval(
            """select count(*) from audit.audit_log l join data.students s on s.id = l.record_id
               where s.first_name = 'Drill' and l.action = 'CREATE'""")  # fmt: skip
        assert audited == 13, "one audit row per restored insert, written in the same transaction"
        async with restored.transaction():
            error = await expect_sqlstate(restored, "42501", "delete from audit.audit_log")
            assert "append-only" in str(error), "the refusing trigger came back"
    finally:
        await restored.close()
