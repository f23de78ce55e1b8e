"""The "Column privileges" table of db/tenancy/ACCESS_MATRIX.md, checked against
the database (issue 13, F2: demographics only with a demographics scope).

Each (role, column) cell becomes a test that connects as `authenticator`,
switches role and claims as the gateway does and selects the column through the
api view: `yes` reads it on exactly the rows of the role's select cell, `no` is
42501 while the view's other columns stay readable. A catalog check pins that
no other column of any api view is readable in part by any role, and that
partner_demographics is partner_sync plus these columns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from gateway.identity.auth import DATABASE_ROLES, PARTNER_DEMOGRAPHICS, database_role
from tests.db.test_rls_matrix import (  # noqa: F401  (world: a fixture)
    MATRIX,
    MATRIX_FILE,
    PARTNER_CLIENT,
    ROLES,
    Cell,
    World,
    become,
    rows_in_scope,
    world,
)
from tests.support import expect_sqlstate

SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
CORE, DEMOGRAPHICS, ROSTER = SCOPE + "roster-core.readonly", SCOPE + "roster-demographics.readonly", SCOPE + "roster.readonly"


@dataclass(frozen=True)
class ColumnCell:
    role: str
    table: str
    column: str
    allowed: bool

    def __str__(self) -> str:
        return f"{self.role}-{self.table}.{self.column}"


def read_column_matrix(path: Path = MATRIX_FILE) -> list[ColumnCell]:
    cells: list[ColumnCell] = []
    inside, header = False, [""]
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Column privileges"
            continue
        if not inside or not line.startswith("|") or line.startswith("|---"):
            continue
        columns = [c.strip() for c in line.strip().strip("|").split("|")]
        if columns[0] == "column":
            header = columns[1:]
            continue
        table, column = columns[0].split(".")
        for role, verdict in zip(header, columns[1:], strict=True):
            assert verdict in ("yes", "no"), f"{role}/{columns[0]}: {verdict!r} is neither yes nor no"
            cells.append(ColumnCell(role, table, column, verdict == "yes"))
    return cells


COLUMNS = read_column_matrix()


def table_cell(role: str, table: str) -> Cell:
    """The role's select cell of the table; partner_demographics has partner_sync's."""
    api_role = "partner_sync" if role == PARTNER_DEMOGRAPHICS else role
    return next(c for c in MATRIX if (c.role, c.table, c.operation) == (api_role, table, "select"))


async def act(connection: asyncpg.Connection, role: str, w: World, scope: str | None = ROSTER) -> None:
    """As the gateway does: partner_demographics is a partner_sync token's database role."""
    if role != PARTNER_DEMOGRAPHICS:
        await become(connection, role, w)
        return
    claims: dict[str, Any] = {"role": "partner_sync", "school_id": str(w.a.id), "sub": PARTNER_CLIENT}
    if scope is not None:
        claims["scope"] = scope
    await connection.execute(
        "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", role, json.dumps(claims)
    )


def test_the_column_matrix_names_every_database_role() -> None:
    assert {c.role for c in COLUMNS} == set(DATABASE_ROLES) | {"reporting"} == set(ROLES) | {PARTNER_DEMOGRAPHICS}
    assert {(c.table, c.column) for c in COLUMNS} == {("students", "date_of_birth"), ("students", "gender")}
    for c in COLUMNS:
        if not table_cell(c.role, c.table).allowed:
            assert not c.allowed, f"{c}: a column of a table the role cannot read is no"


@pytest.mark.parametrize("cell", COLUMNS, ids=str)
async def test_column_select(
    cell: ColumnCell, world: World, authenticator: asyncpg.Connection, committer: asyncpg.Connection
) -> None:
    table = table_cell(cell.role, cell.table)
    await act(authenticator, cell.role, world)
    if not cell.allowed:
        await expect_sqlstate(authenticator, "42501", f"select id, {cell.column} from api.{cell.table}")
        if table.allowed:  # readable in part: every other column still is
            seen = {r["id"] for r in await authenticator.fetch(f"select id from api.{cell.table}")}
            assert seen == await rows_in_scope(committer, table, world), "the rest of the row is read as before"
        return
    expected = await rows_in_scope(committer, table, world)
    rows = await authenticator.fetch(f"select id, {cell.column} from api.{cell.table}")
    assert {r["id"] for r in rows} == expected, f"{cell.role} reads {cell.column} on exactly its rows"


async def test_no_other_column_of_an_api_view_is_readable_in_part(admin: asyncpg.Connection) -> None:
    """What the gateway's schema cache loads (http/schema_loader.py): exactly the `no` cells."""
    partial = await admin.fetch(
        """select r.role, c.relname, a.attname
           from pg_class c cross join unnest($1::text[]) r(role)
           join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           where c.relnamespace = 'api'::regnamespace and c.relkind = 'v'
             and has_any_column_privilege(r.role, c.oid, 'SELECT')
             and not has_column_privilege(r.role, c.oid, a.attnum, 'SELECT')""",
        sorted(set(ROLES) | {PARTNER_DEMOGRAPHICS}),
    )
    found = {(r["role"], r["relname"], r["attname"]) for r in partial}
    expected = {(c.role, c.table, c.column) for c in COLUMNS if not c.allowed and table_cell(c.role, c.table).allowed}
    assert found == expected


async def test_partner_demographics_is_partner_sync_with_the_demographics_columns(admin: asyncpg.Connection) -> None:
    differ = await admin.fetch(
        """select c.oid::regclass::text as name, p.privilege
           from pg_class c cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p(privilege)
           where c.relnamespace in ('api'::regnamespace, 'oneroster'::regnamespace)
             and case p.privilege  -- DELETE is a table privilege only
                     when 'DELETE' then has_table_privilege('partner_sync', c.oid, p.privilege)
                                        is distinct from has_table_privilege('partner_demographics', c.oid, p.privilege)
                     else has_any_column_privilege('partner_sync', c.oid, p.privilege)
                          is distinct from has_any_column_privilege('partner_demographics', c.oid, p.privilege)
                 end"""
    )
    assert [(r["name"], r["privilege"]) for r in differ] == [("oneroster.demographics", "SELECT")]
    member = await admin.fetchval(
        """select m.inherit_option from pg_auth_members m
           where m.member = 'partner_demographics'::regrole and m.roleid = 'partner_sync'::regrole"""
    )
    assert member is True, "it inherits partner_sync's privileges and policies"
    assert await admin.fetchval("select pg_has_role('authenticator', 'partner_demographics', 'member')")


async def test_a_partner_demographics_session_whose_claims_disagree_sees_no_student(
    world: World, authenticator: asyncpg.Connection, committer: asyncpg.Connection
) -> None:
    """The restrictive policy: the role and the token's scopes must agree."""
    await act(authenticator, PARTNER_DEMOGRAPHICS, world, scope=CORE)
    assert await authenticator.fetchval("select count(*) from api.students") == 0
    await expect_sqlstate(
        authenticator, "42501",
        "insert into api.students (school_id, student_number, first_name, last_name) values ($1, 'X-1', 'A', 'B')",
        world.a.id,
    )  # fmt: skip


@pytest.mark.parametrize(
    "scope",
    [None, CORE, DEMOGRAPHICS, ROSTER, f"{CORE} {DEMOGRAPHICS}", f" {CORE}\t{ROSTER} ", "", [CORE], [CORE, ROSTER],
     [], 7, {"a": DEMOGRAPHICS}],
    ids=repr,
)  # fmt: skip
async def test_the_gateway_sets_the_role_the_database_reads_from_the_scopes(
    scope: Any, world: World, authenticator: asyncpg.Connection
) -> None:
    """gateway/identity/auth.py `database_role` and auth.may_read_demographics() agree."""
    claims: dict[str, Any] = {"role": "partner_sync", "school_id": str(world.a.id), "sub": PARTNER_CLIENT}
    if scope is not None:
        claims["scope"] = scope
    await authenticator.execute(
        "select set_config('role', 'partner_sync', true), set_config('request.jwt.claims', $1, true)",
        json.dumps(claims),
    )
    may = await authenticator.fetchval("select auth.may_read_demographics()")
    assert (database_role("partner_sync", claims) == PARTNER_DEMOGRAPHICS) is may
