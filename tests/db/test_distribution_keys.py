"""Ready for distribution by school (db/SCALE_OUT.md): on Citus, with
`school_id` as the distribution column, a primary key or unique constraint
must include it and a foreign key between distributed tables must join on it.
This reads every key of every tenant table (any table with a `school_id`
column) from the catalogs and compares the ones without `school_id` with the
list of known exceptions below, each with its reason and what changes on
Citus. A new key without `school_id` fails here until it is either made
tenant-leading or listed; a fixed exception fails until it is removed.
"""

from __future__ import annotations

import asyncpg

# Every tenant table's primary key is its uuidv7 `id` alone. On Citus it
# becomes (school_id, id) (SCALE_OUT.md, step 2); the tables other tables
# reference already have that as a unique key, which their foreign keys target.
ID_PRIMARY_KEYS = (
    "audit.audit_log", "data.academic_terms", "data.announcements", "data.assessments", "data.assignments",
    "data.attendance_records", "data.classes", "data.communication_logs", "data.discipline_incidents",
    "data.fee_types", "data.grades", "data.health_records", "data.invoice_items", "data.invoices", "data.parents",
    "data.payments", "data.rooms", "data.students", "data.subjects", "data.sync_runs", "data.teachers", "data.users",
)  # fmt: skip
ID_REASON = "uuidv7 primary key: (school_id, id) on Citus; `id` stays unique by construction"

EXCEPTIONS: dict[str, str] = {f"{table} primary key (id)": ID_REASON for table in ID_PRIMARY_KEYS} | {
    "data.enrollments unique (id)": "one-column key for clients that need one (react-admin); uuidv7, dropped on Citus",
    "data.student_parents unique (id)": "one-column key for clients that need one (react-admin); uuidv7, dropped on Citus",
    "data.students unique (user_id) WHERE (NOT is_deleted)": "one profile per login; a login belongs to one school, so (school_id, user_id) says the same on Citus",
    "data.parents unique (user_id) WHERE (NOT is_deleted)": "one profile per login; a login belongs to one school, so (school_id, user_id) says the same on Citus",
    "data.teachers unique (user_id) WHERE (NOT is_deleted)": "one profile per login; a login belongs to one school, so (school_id, user_id) says the same on Citus",
    "data.partner_clients primary key (id)": "OAuth client lookup happens before the school is known; a small reference table on Citus",
    "data.partner_clients unique (client_id)": "OAuth client_id names the school at /oauth/token: global; reference table on Citus",
    "auth.reporting_logins primary key (role_name)": "login roles are cluster-wide; a reference table on Citus",
    "audit.purges_in_progress primary key (transaction_id)": "one row per purging transaction, deleted at its end; (school_id, transaction_id) on Citus",
}  # fmt: skip

TENANT_TABLES = """
    select c.oid, c.oid::regclass::text as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition
      and n.nspname not in ('pg_catalog', 'information_schema')
      and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'school_id' and not a.attisdropped)
"""
# Primary keys, unique constraints and unique indexes (partial ones included),
# each with whether school_id is one of its columns.
KEYS = f"""
    with tenant as ({TENANT_TABLES})
    select t.name,
           case when x.indisprimary then 'primary key' else 'unique' end as kind,
           regexp_replace(pg_get_indexdef(x.indexrelid), '^.*USING \\w+ ', '') as columns,
           exists (select from unnest(x.indkey) k join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k
                   where a.attname = 'school_id') as has_school
    from tenant t join pg_index x on x.indrelid = t.oid
    where x.indisunique
"""
FOREIGN_KEYS = f"""
    with tenant as ({TENANT_TABLES})
    select t.name, con.conname, pg_get_constraintdef(con.oid) as definition,
           con.confrelid = 'data.schools'::regclass as to_schools,
           exists (select from unnest(con.conkey) k join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k
                   where a.attname = 'school_id') as local_school,
           exists (select from unnest(con.confkey) k join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k
                   where a.attname = 'school_id') as remote_school
    from tenant t join pg_constraint con on con.conrelid = t.oid and con.contype = 'f'
"""


async def test_every_key_without_school_id_is_a_listed_exception(admin: asyncpg.Connection) -> None:
    offenders = {f"{r['name']} {r['kind']} {r['columns']}" for r in await admin.fetch(KEYS) if not r["has_school"]}
    assert offenders - set(EXCEPTIONS) == set(), "make the key include school_id, or list it with its reason"
    assert set(EXCEPTIONS) - offenders == set(), "fixed: remove it from EXCEPTIONS (and SCALE_OUT.md)"


async def test_every_tenant_foreign_key_joins_on_school_id(admin: asyncpg.Connection) -> None:
    """Co-located joins on Citus: both sides carry school_id, or the key is the school itself."""
    offenders = [
        f"{r['name']}.{r['conname']}: {r['definition']}"
        for r in await admin.fetch(FOREIGN_KEYS)
        if not (r["local_school"] and (r["remote_school"] or r["to_schools"]))
    ]
    assert offenders == []


async def test_the_only_table_without_school_id_is_the_school_itself(admin: asyncpg.Connection) -> None:
    """Every other table of data, audit and auth is a tenant table (or listed above)."""
    names = await admin.fetch(
        """select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p') and not c.relispartition and n.nspname in ('data', 'audit', 'auth')
             and not exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'school_id')"""
    )
    assert [r["name"] for r in names] == ["data.schools"]
