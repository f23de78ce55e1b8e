"""Load a generated data set with COPY, in dependency order, in one transaction.

One COPY per table and school: COPY is the fast path, and splitting by school
bounds the per-statement queue of foreign-key checks (PostgreSQL queues one
after-trigger event per row and constraint until the statement ends; a single
18-million-row COPY would queue ~50 million).

Triggers fire as for any insert: timestamps, cross-row checks, the audit log
(one entry per seeded row), the current-term mirror and the finance rules,
which derive every invoice total, balance and paid status. Nothing is switched
off for speed. The connection must be a superuser's: row-level security is
forced on tenant tables, and only superusers bypass it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from time import perf_counter
from uuid import UUID

import asyncpg

from db.seed.context import Size
from db.seed.logins import Login
from db.seed.model import TABLES, TableSpec, password_book, worlds

# Two seeds racing on one database (several workers starting `serve --demo`)
# would both see it empty; the lock makes the second one wait and then see data.
LOCK_KEY = "school-data-api seed"
PRIMER_ROWS = 500


class DatabaseNotEmpty(RuntimeError):
    pass


@dataclass
class TableLoad:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Report:
    size: Size
    shared_hash: bool
    tables: dict[str, TableLoad] = field(default_factory=lambda: {spec.name: TableLoad() for spec in TABLES})
    steps: dict[str, TableLoad] = field(default_factory=dict)  # statements between COPYs (rows = rows changed)
    logins: list[Login] = field(default_factory=list)
    school_ids: list[UUID] = field(default_factory=list)
    generate_seconds: float = 0.0  # building each school's rows, argon2 hashing included
    analyze_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


async def load(connection: asyncpg.Connection, size: Size, *, only_if_empty: bool = False) -> Report | None:
    """Load `size` into an empty database. Returns None (loading nothing) when
    `only_if_empty` and data.schools has rows; raises DatabaseNotEmpty otherwise."""
    started = perf_counter()
    passwords = password_book(size)
    report = Report(size=size, shared_hash=not passwords.individual)
    async with connection.transaction():
        await connection.execute("select pg_advisory_xact_lock(hashtext($1))", LOCK_KEY)
        schools = await connection.fetchval("select count(*) from data.schools")
        if schools:
            if only_if_empty:
                return None
            # Seeded ids are fixed by the seed: a second load would collide anyway.
            raise DatabaseNotEmpty(
                f"data.schools is not empty ({schools} schools); seed loads into an empty database only"
            )
        building = perf_counter()
        for world in worlds(size, passwords):
            report.generate_seconds += perf_counter() - building
            report.school_ids.append(world.ctx.id)
            report.logins += world.people.logins
            for spec in TABLES:
                began = perf_counter()
                rows = iter(spec.rows(world))
                if len(report.school_ids) == 1:
                    # The triggers' lookups (an invoice's items and payments, a grade's
                    # assignment) are cached plans. Planned on an empty, never analyzed
                    # table every index looks alike, and the plan kept while the table
                    # grows can walk a whole school per row (2,000 students: payments
                    # 42 s). A first slice and ANALYZE give them statistics; ANALYZE
                    # also invalidates the plans already cached.
                    copied = await _copy(connection, spec, itertools.islice(rows, PRIMER_ROWS))
                    await connection.execute(f'analyze "{spec.schema}"."{spec.name}"')
                    copied += await _copy(connection, spec, rows)
                else:
                    copied = await _copy(connection, spec, rows)
                table = report.tables[spec.name]
                table.rows += copied
                table.seconds += perf_counter() - began
                if spec.then is not None:
                    began = perf_counter()
                    # plpgsql keeps its plans for the session: the audit trigger's
                    # plan pairing old and new rows was made for the one-row updates
                    # the item triggers just did (a nested loop, quadratic on a bulk
                    # UPDATE; plan_cache_mode = force_custom_plan does not change it).
                    # Re-plan for the set-based step (1,900 rows: 100 s before, 0.5 s after).
                    await connection.execute("discard plans")
                    status = await connection.execute(spec.then.sql, *spec.then.args(world))
                    step = report.steps.setdefault(spec.then.label, TableLoad())
                    step.rows += int(status.split()[-1])  # "UPDATE <n>"
                    step.seconds += perf_counter() - began
            building = perf_counter()
    # Fresh statistics, so the first queries after a big load get good plans
    # (autovacuum would take a while to notice millions of new rows).
    began = perf_counter()
    for spec in TABLES:
        await connection.execute(f'analyze "{spec.schema}"."{spec.name}"')
    report.analyze_seconds = perf_counter() - began
    report.seconds = perf_counter() - started
    return report


async def _copy(connection: asyncpg.Connection, spec: TableSpec, rows: Iterable[tuple]) -> int:
    status = await connection.copy_records_to_table(
        spec.name, schema_name=spec.schema, columns=list(spec.columns), records=rows
    )
    return int(status.split()[-1])  # "COPY <n>": what the server stored


async def load_url(url: str, size: Size, *, only_if_empty: bool = False) -> Report | None:
    connection = await asyncpg.connect(url)
    try:
        return await load(connection, size, only_if_empty=only_if_empty)
    finally:
        await connection.close()
