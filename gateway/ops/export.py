"""One school's data, out and back in: `school-gateway school export|import`.

A school that leaves the service is owed its records. The export is a
.tar.gz of
    manifest.json          format, school, time, the migrations applied, per table: columns, rows, file
    <schema>.<table>.csv   the school's rows (COPY ... CSV HEADER)
taken in one REPEATABLE READ snapshot, so the files agree with each other.
Every table of `data` and `audit` with a `school_id` is included, and the
school's own row, except what belongs to the service rather than the school:
login password hashes (`data.users.password_hash`: imported logins must set a
new password), partner client secrets (`data.partner_clients`), reporting
logins (`auth.*`), and generated columns (recomputed on import).

Import goes into a database migrated to the same migrations (checked), where
the school does not exist yet, in one transaction with triggers off
(session_replication_role = replica): the rows, the audit log included, land
as they were exported, without new audit rows or fresh timestamps.
"""

from __future__ import annotations

import json
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from gateway.ops.pgtools import OpsError

FORMAT = "school-data-api school export 1"
SCHEMAS = ("data", "audit")
LEFT_OUT_TABLES = {"data.partner_clients", "audit.purges_in_progress"}
LEFT_OUT_COLUMNS = {"data.users": {"password_hash"}}

_TABLES = """
select n.nspname || '.' || c.relname as name,
       array_agg(a.attname order by a.attnum) filter (where a.attgenerated = '') as columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any($1::text[])  -- a partition's rows are its parent's
  and (c.relname = 'schools' and n.nspname = 'data'
       or exists (select from pg_attribute s where s.attrelid = c.oid and s.attname = 'school_id' and not s.attisdropped))
group by 1 order by 1
"""


def _quoted(qualified: str) -> str:
    schema, table = qualified.split(".", 1)
    return '"' + schema.replace('"', '""') + '"."' + table.replace('"', '""') + '"'


def _column_list(columns: list[str]) -> str:
    return ", ".join('"' + c.replace('"', '""') + '"' for c in columns)


async def _tables(connection: asyncpg.Connection) -> dict[str, list[str]]:
    found = {}
    for row in await connection.fetch(_TABLES, list(SCHEMAS)):
        if row["name"] in LEFT_OUT_TABLES:
            continue
        found[row["name"]] = [c for c in row["columns"] if c not in LEFT_OUT_COLUMNS.get(row["name"], set())]
    return found


async def export_school(url: str, school: UUID, file: Path) -> dict[str, int]:
    """Write the export; rows per table. The CSV files are spooled to a
    temporary directory, not memory: a school's attendance runs to millions of rows."""
    with tempfile.TemporaryDirectory(prefix="school-export-") as spool:
        manifest = await _spool(url, school, Path(spool))
        _write_archive(file, manifest, Path(spool))
    return {name: entry["rows"] for name, entry in manifest["tables"].items()}


async def _spool(url: str, school: UUID, spool: Path) -> dict[str, Any]:
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            if not await connection.fetchval("select exists (select from data.schools where id = $1)", school):
                raise OpsError(f"no school {school}")
            tables = await _tables(connection)
            migrations = [r[0] for r in await connection.fetch("select name from migration order by id")]
            manifest: dict[str, Any] = {"format": FORMAT, "school_id": str(school), "migrations": migrations,
                                        "exported_at": datetime.now(UTC).isoformat(), "tables": {}}  # fmt: skip
            for name, columns in tables.items():
                key = "id" if name == "data.schools" else "school_id"
                query = f"select {_column_list(columns)} from {_quoted(name)} where {key} = $1"
                status = await connection.copy_from_query(query, school, output=spool / f"{name}.csv", format="csv",
                                                          header=True)  # fmt: skip
                manifest["tables"][name] = {"columns": columns, "file": f"{name}.csv", "rows": int(status.split()[-1])}
    finally:
        await connection.close()
    return manifest


def _write_archive(file: Path, manifest: dict[str, Any], spool: Path) -> None:
    part = file.with_name(file.name + ".part")
    (spool / "manifest.json").write_text(json.dumps(manifest, indent=2))
    with tarfile.open(part, "w:gz") as archive:
        archive.add(spool / "manifest.json", "manifest.json")
        for entry in manifest["tables"].values():
            archive.add(spool / entry["file"], entry["file"])
    part.replace(file)


def read_archive(file: Path) -> tuple[dict[str, Any], tarfile.TarFile]:
    archive = tarfile.open(file, "r:gz")
    member = archive.extractfile("manifest.json")
    if member is None:
        raise OpsError(f"{file}: no manifest.json")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise OpsError(f"{file}: not a school export ({manifest.get('format')!r})")
    return manifest, archive


async def import_school(url: str, file: Path) -> dict[str, int]:
    manifest, archive = read_archive(file)
    school = UUID(manifest["school_id"])
    connection = await asyncpg.connect(url)
    try:
        migrations = [r[0] for r in await connection.fetch("select name from migration order by id")]
        if migrations != manifest["migrations"]:
            raise OpsError("this database is not at the export's migrations: migrate both to the same version first")
        if await connection.fetchval("select exists (select from data.schools where id = $1)", school):
            raise OpsError(f"school {school} exists here already")
        tables = await _tables(connection)
        counts = {}
        async with connection.transaction():
            await connection.execute("set local session_replication_role = replica")
            for name, entry in manifest["tables"].items():
                if name not in tables:
                    raise OpsError(f"{name}: no such table here")
                member = archive.extractfile(entry["file"])
                assert member is not None
                schema, table = name.split(".", 1)
                result = await connection.copy_to_table(table, schema_name=schema, source=member,
                                                        columns=entry["columns"], format="csv", header=True)  # fmt: skip
                counts[name] = int(result.split()[-1])
    finally:
        await connection.close()
        archive.close()
    return counts
