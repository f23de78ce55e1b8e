"""Incremental backups (issue 14), on a PostgreSQL of its own: a full backup,
writes through the gateway, an incremental backup (a fraction of the full
one's size), more writes, a point-in-time restore from the incremental (the
chain combined by pg_combinebackup, then WAL replay) to a time between: every
write acknowledged before it is back and none after. Then what is refused: an
incremental whose server has no WAL summaries reaching back to the parent, and
a corrupted INCREMENTAL file at verification.

The tests after the restore damage the repository and the live server's
summaries on purpose; they run in file order, after the restore checks.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from db.database import DATABASE_NAME
from gateway.app import create_app
from gateway.ops.backup import create, prepare_repository, verify, wait_archived
from gateway.ops.cluster import Cluster
from gateway.ops.incremental import read_label
from gateway.ops.pgtools import OpsError
from gateway.ops.repository import Repository
from gateway.ops.restore import restore
from tests.factories import make_school
from tests.gateway.http_support import settings_for
from tests.ops.drill import numbers_seen, write
from tests.ops.servers import own_server


def data_bytes(backup: Path) -> int:
    """A backup's size without pg_wal: every backup carries at least one whole
    16 MB WAL segment (-X stream), whatever it holds."""
    return sum(f.stat().st_size for f in backup.rglob("*") if f.is_file() and "pg_wal" not in f.parts)


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="school-incremental-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def live(root: Path) -> Iterator[Cluster]:
    with own_server(root / "live") as cluster:
        yield cluster


@pytest.fixture(scope="module")
async def drill(live: Cluster, root: Path) -> AsyncIterator[dict[str, object]]:
    url = live.url(DATABASE_NAME)
    admin = await asyncpg.connect(url)
    school = await make_school(admin)
    await admin.close()
    acked: dict[str, datetime] = {}
    repo = Repository(root / "repo")
    async with AsyncTestClient(create_app(settings_for(url))) as api:
        await write(api, school, [f"F-{i}" for i in range(5)], acked)
        started = time.perf_counter()
        full = await asyncio.to_thread(create, repo, url)
        full_s = time.perf_counter() - started
        await write(api, school, [f"I-{i}" for i in range(5)], acked)
        started = time.perf_counter()
        incremental = await asyncio.to_thread(create, repo, url, incremental=True)
        incremental_s = time.perf_counter() - started
        await write(api, school, [f"J-{i}" for i in range(5)], acked)
        await asyncio.sleep(0.3)
        target = datetime.now(UTC)
        await asyncio.sleep(0.3)
        await write(api, school, [f"K-{i}" for i in range(5)], acked)
    await asyncio.to_thread(wait_archived, repo, url)
    restored = await asyncio.to_thread(restore, repo, root / "restored", target_time=target)
    cluster = Cluster(restored.pgdata)
    cluster.start()
    full_data, incremental_data = data_bytes(repo.backup_dir(full.label)), data_bytes(repo.backup_dir(incremental.label))
    print(f"\nincremental drill (times with verification): full {full.bytes / 1e6:.1f} MB "
          f"({full_data / 1e6:.1f} MB without WAL, {full_s:.1f} s), incremental {incremental.bytes / 1e6:.1f} MB "
          f"({incremental_data / 1e6:.1f} MB without WAL, {incremental_s:.1f} s)")  # fmt: skip
    try:
        yield {"school": school, "acked": acked, "target": target, "repo": repo, "full": full,
               "incremental": incremental, "restored": restored, "cluster": cluster, "live": live, "url": url}  # fmt: skip
    finally:
        cluster.stop("immediate")


def test_the_repository_records_the_chain(drill: dict) -> None:
    full, incremental = drill["full"], drill["incremental"]
    assert (full.kind, full.parent) == ("full", None)
    assert (incremental.kind, incremental.parent) == ("incremental", full.label), "built on the newest backup"
    assert incremental.verified is not None, "verified after it was taken: its files and its chain"
    assert any(drill["repo"].backup_dir(incremental.label).rglob("INCREMENTAL.*")), "relation files as changed blocks"


def test_the_incremental_is_a_fraction_of_the_full_backup(drill: dict) -> None:
    full, incremental, repo = drill["full"], drill["incremental"], drill["repo"]
    assert incremental.bytes < full.bytes / 2, "with its 16 MB of WAL"
    full_data, incremental_data = data_bytes(repo.backup_dir(full.label)), data_bytes(repo.backup_dir(incremental.label))
    # Not less: free space maps are not WAL-logged, so every relation's is copied whole.
    assert incremental_data < full_data / 5, f"data files: {incremental_data} of {full_data} bytes"


async def test_a_restore_from_the_incremental_gives_back_exactly_the_writes_before_the_target(drill: dict) -> None:
    restored, acked, target = drill["restored"], drill["acked"], drill["target"]
    assert restored.chain == [drill["full"].label, drill["incremental"].label], "the chain, combined"
    before = {n for n, at in acked.items() if at < target}
    after = {n for n, at in acked.items() if at > target}
    assert len(before) == 15 and len(after) == 5, "writes on both sides of the incremental and of the target"
    async with AsyncTestClient(create_app(settings_for(drill["cluster"].url(DATABASE_NAME)))) as api:
        seen = await numbers_seen(api, drill["school"])
    assert seen == before, f"lost: {sorted(before - seen)}, restored though after T: {sorted(seen & after)}"


def test_verify_finds_a_corrupted_incremental_file(drill: dict) -> None:
    repo, label = drill["repo"], drill["incremental"].label
    file = max(repo.backup_dir(label).rglob("INCREMENTAL.*"), key=lambda f: f.stat().st_size)
    content = file.read_bytes()
    assert len(content) > 8192, "a file holding changed blocks, not just a header"
    middle = len(content) // 2
    file.write_bytes(content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1 :])
    try:
        with pytest.raises(OpsError, match=f"{file.name}: checksum mismatch"):
            verify(repo, label)
    finally:
        file.write_bytes(content)
    assert verify(repo, label).verified is not None, "the repaired file verifies again"


def test_an_incremental_is_refused_while_summaries_are_off_and_a_backup_turns_them_on(drill: dict) -> None:
    live: Cluster = drill["live"]
    live.sql("alter system set summarize_wal = off")
    live.sql("select pg_reload_conf()")
    try:
        _wait_setting(live, "summarize_wal", "off")
        with pytest.raises(OpsError, match="summarize_wal is off on this server.*take a full backup"):
            create(drill["repo"], drill["url"], incremental=True)
        # What `backup create` does first on any server (DATABASE_URL's too).
        prepare_repository(drill["repo"], drill["url"])
        _wait_setting(live, "summarize_wal", "on")
    finally:
        live.sql("alter system reset summarize_wal")
        live.sql("select pg_reload_conf()")
        _wait_setting(live, "summarize_wal", "on")


def test_an_incremental_is_refused_when_summaries_do_not_reach_back_to_the_parent(drill: dict) -> None:
    repo, live = drill["repo"], drill["live"]
    before = [b.label for b in repo.backups()]
    parent_start = read_label(repo.backup_dir(before[-1])).start_lsn
    # The summariser past the parent's start first (it ends a summary at a
    # checkpoint): while it is behind, the server waits for it and summarises
    # again what is gone.
    live.sql("select pg_logical_emit_message(true, 'drill', 'past the parent')")
    live.sql("checkpoint")
    deadline = time.monotonic() + 30
    while live.sql(f"select summarized_lsn > '{parent_start}' from pg_get_wal_summarizer_state()") != "t":
        assert time.monotonic() < deadline, "the summariser did not pass the parent's start"
        time.sleep(0.1)
    # What wal_summary_keep_time (10 days) does to an old parent: its summaries are gone.
    for summary in (live.pgdata / "pg_wal" / "summaries").glob("*.summary"):
        summary.unlink()
    with pytest.raises(OpsError, match="do not reach back to .*take a full backup"):
        create(repo, drill["url"], incremental=True)
    assert [b.label for b in repo.backups()] == before, "nothing was added to the repository"


def test_the_command_refuses_an_incremental_without_a_backup_to_build_on(tmp_path: Path) -> None:
    env = {**os.environ, "BACKUP_REPO": str(tmp_path / "empty"), "DATABASE_URL": "postgresql://nobody@/none"}
    done = subprocess.run([sys.executable, "-m", "gateway", "backup", "create", "--incremental"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no backup in" in done.stderr and "take a full backup" in done.stderr


def _wait_setting(cluster: Cluster, name: str, value: str) -> None:
    deadline = time.monotonic() + 10
    while cluster.sql(f"show {name}") != value:
        assert time.monotonic() < deadline, f"{name} did not become {value} after a reload"
        time.sleep(0.05)


def test_wal_summaries_without_archiving_hold_no_wal_back(drill: dict) -> None:
    """summarize_wal is on for every embedded server, archiving or not: the
    summariser keeps up and a checkpoint still recycles the WAL behind it.
    (The live server of the drill, its archiving switched off: the last test.)"""
    cluster: Cluster = drill["live"]
    cluster.sql("alter system set archive_mode = off")
    cluster.stop()
    cluster.start()
    assert (cluster.sql("show archive_mode"), cluster.sql("show summarize_wal")) == ("off", "on")
    first = cluster.sql("select pg_walfile_name(pg_current_wal_lsn())")
    for _ in range(3):
        cluster.sql("select pg_logical_emit_message(true, 'drill', repeat('x', 100000)), pg_switch_wal()")
    cluster.sql("checkpoint")
    deadline = time.monotonic() + 30
    # A summary ends at a checkpoint's redo point.
    while cluster.sql("select summarized_lsn >= (select redo_lsn from pg_control_checkpoint()) "
                      "from pg_get_wal_summarizer_state()") != "t":  # fmt: skip
        assert time.monotonic() < deadline, "the summariser keeps up without archiving"
        time.sleep(0.1)
    cluster.sql("checkpoint")
    kept = cluster.sql("select string_agg(name, ' ') from pg_ls_waldir()").split()
    assert first not in kept, f"the segments before the checkpoint were recycled: {kept}"
