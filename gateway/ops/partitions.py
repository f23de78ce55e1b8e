"""`school-gateway partitions ensure|detach`: the monthly partitions of
data.attendance_records and audit.audit_log (db/partitions/partitions.sql).

ensure: this month's partitions and PARTITION_MONTHS_AHEAD (default 3) more,
as `migrate` does; from cron, so that no month starts in the default partition.

detach: the retention path. Every monthly partition of one table that ends on
or before `--before` is exported first (COPY ... CSV HEADER into DIR, one file
per partition plus a manifest with row counts and sha256), the count read back
from the file, then detached and dropped in one transaction. PostgreSQL
refuses DETACH ... CONCURRENTLY on a table with a default partition, so the
detach is the plain one: a catalog change under an ACCESS EXCLUSIVE lock on the
parent, held for milliseconds, and bounded by PARTITION_LOCK_TIMEOUT (default
5s) so that it gives up rather than queue every reader behind a long query.
The default partition is never dropped; rows of old months in it stay.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from db.database import OWNER_ROLE
from gateway.ops.pgtools import OpsError

TABLES = {"attendance_records": "data.attendance_records", "audit_log": "audit.audit_log"}
LOCK_TIMEOUT_DEFAULT = "5s"

# Monthly partitions (not the default) whose upper bound is on or before $2.
_OLD_PARTITIONS = """
select i.inhrelid::regclass::text as name, c.relname,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1] as upper_bound
from pg_inherits i join pg_class c on c.oid = i.inhrelid
where i.inhparent = $1::regclass and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
order by 1
"""


@dataclass(frozen=True)
class Detached:
    partition: str
    rows: int
    file: Path


def lock_timeout() -> str:
    return os.environ.get("PARTITION_LOCK_TIMEOUT", "").strip() or LOCK_TIMEOUT_DEFAULT


async def _owner(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        url, server_settings={"role": OWNER_ROLE, "lock_timeout": lock_timeout(), "timezone": "UTC"}
    )  # UTC: the log's partition bounds are UTC months, printed in the session's zone


async def ensure(url: str, months_ahead: int | None = None) -> list[str]:
    from db.migrate import ensure_partitions

    connection = await _owner(url)
    try:
        return await ensure_partitions(connection, months_ahead)
    except asyncpg.PostgresError as error:
        raise OpsError(f"partitions ensure: {error}") from None
    finally:
        await connection.close()


async def old_partitions(connection: asyncpg.Connection, table: str, before: date) -> list[str]:
    rows = await connection.fetch(_OLD_PARTITIONS, TABLES[table])
    return [r["name"] for r in rows if r["upper_bound"] and date.fromisoformat(r["upper_bound"][:10]) <= before]


async def detach(url: str, table: str, before: date, export_dir: Path, *, dry_run: bool = False) -> list[Detached]:
    """Export, then detach and drop every monthly partition of `table` ending by `before`."""
    if table not in TABLES:
        raise OpsError(f"unknown table {table!r}: one of {', '.join(TABLES)}")
    connection = await _owner(url)
    try:
        names = await old_partitions(connection, table, before)
        if dry_run or not names:
            return [Detached(name, -1, export_dir / f"{name}.csv") for name in names]
        export_dir.mkdir(parents=True, exist_ok=True)
        done = []
        for name in names:
            done.append(await _export(connection, name, export_dir))
        _write_manifest(export_dir, table, before, done)
        async with connection.transaction():
            for item in done:
                quoted = await connection.fetchval("select $1::regclass::text", item.partition)  # quoted by the catalog
                await connection.execute(f"alter table {TABLES[table]} detach partition {quoted}")
                await connection.execute(f"drop table {quoted}")
        return done
    except asyncpg.PostgresError as error:
        raise OpsError(f"partitions detach: {error}") from None
    finally:
        await connection.close()


async def _export(connection: asyncpg.Connection, partition: str, export_dir: Path) -> Detached:
    path = export_dir / f"{partition}.csv"
    quoted = await connection.fetchval("select $1::regclass::text", partition)
    async with connection.transaction(isolation="repeatable_read"):
        expected = await connection.fetchval(f"select count(*) from {quoted}")
        await connection.copy_from_query(f"select * from {quoted}", output=str(path), format="csv", header=True)
    with path.open("rb") as f:
        written = sum(1 for _ in f) - 1
    if written != expected:  # a CSV value with a newline would count twice: compare parsed rows then
        import csv

        with path.open(newline="") as f:
            written = sum(1 for _ in csv.reader(f)) - 1
    if written != expected:
        raise OpsError(f"export of {partition} has {written} rows, the partition {expected}: nothing detached")
    return Detached(partition, expected, path)


def _write_manifest(export_dir: Path, table: str, before: date, done: list[Detached]) -> None:
    manifest = {
        "table": TABLES[table],
        "before": before.isoformat(),
        "exported_at": datetime.now(UTC).isoformat(),
        "format": "CSV with header (COPY ... CSV HEADER); load back with COPY ... FROM ... CSV HEADER",
        "partitions": [
            {"partition": d.partition, "rows": d.rows, "file": d.file.name,
             "sha256": hashlib.sha256(d.file.read_bytes()).hexdigest()}
            for d in done
        ],
    }  # fmt: skip
    (export_dir / f"manifest-{table}-{before.isoformat()}.json").write_text(json.dumps(manifest, indent=2) + "\n")
