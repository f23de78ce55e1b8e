"""Rules about the shape of the migrated schema, read from the catalogs: they hold
for every table, including the ones added after this file was written.

Each test collects every offender and asserts the list is empty, so a failure names
all of them at once. The Piccolo tables (db/tables) are the declared side; the
catalogs are what the migrations built.
"""

from __future__ import annotations

import re

import asyncpg
import pytest

from db.tables import ALL_TABLES

PICCOLO = {f"{t._meta.schema}.{t._meta.tablename}": t for t in ALL_TABLES}
DECLARED_COLUMNS = {name: {c._meta.db_column_name for c in t._meta.columns} for name, t in PICCOLO.items()}

# The tables of the data plan: every table of `data`, and the audit log. (Other
# tables of `audit` are the audit trigger's bookkeeping, not tenant records.)
PLAN_TABLES_SQL = """
    select c.oid::regclass::text as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition and (n.nspname = 'data' or c.oid = 'audit.audit_log'::regclass)
    order by 1
"""
COLUMNS_SQL = """
    select c.oid::regclass::text as tbl, a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
           a.atttypid::regtype::text as base, a.attnotnull as not_null, pg_get_expr(d.adbin, d.adrelid) as default
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
    where c.relkind in ('r', 'p') and not c.relispartition and n.nspname in ('data', 'audit')
"""
# A closed set as PostgreSQL prints `col in ('A', 'B')` on a varchar column.
CLOSED_SET = re.compile(r"CHECK \(\(\((?P<column>\w+)\)::text = ANY \(\(ARRAY\[(?P<values>.*)\]\)::text\[\]\)\)\)")
LITERAL = re.compile(r"'((?:[^']|'')*)'::character varying")

MONEY = {"amount", "total_amount", "balance_due", "unit_price", "line_total"}
SCORES = {"score", "max_score", "min_score", "weight"}
OTHER_NUMERIC = {"quantity": "numeric(5,2)"}  # item quantities such as 2.5 hours


@pytest.fixture
async def columns(admin: asyncpg.Connection) -> dict[tuple[str, str], asyncpg.Record]:
    return {(r["tbl"], r["col"]): r for r in await admin.fetch(COLUMNS_SQL)}


@pytest.fixture
async def plan_tables(admin: asyncpg.Connection) -> list[str]:
    return [r["name"] for r in await admin.fetch(PLAN_TABLES_SQL)]


async def test_every_table_of_the_plan_is_declared_in_db_tables(plan_tables: list[str]) -> None:
    assert set(plan_tables) == set(PICCOLO), "tables are declared once, as Piccolo tables (DESIGN.md)"


async def test_every_foreign_key_has_an_index_led_by_its_columns(admin: asyncpg.Connection) -> None:
    foreign_keys = await admin.fetch(
        """select con.conrelid, con.conrelid::regclass::text as tbl, con.conname, con.conkey
           from pg_constraint con join pg_namespace n on n.oid = con.connamespace
           where con.contype = 'f' and n.nspname in ('data', 'audit')"""
    )
    # Key columns only (not INCLUDE ones) of valid indexes; 0 is an expression. A
    # partial index counts only when its predicate is `<key column> IS NOT NULL`:
    # a foreign key never looks up a NULL (audit_log_user_id_idx, db/audit/audit.sql).
    indexes = await admin.fetch(
        """select i.indrelid, (string_to_array(i.indkey::text, ' ')::int2[])[1:i.indnkeyatts] as keys,
                  i.indpred is not null as partial,
                  (select a.attnum from pg_attribute a
                   where a.attrelid = i.indrelid and a.attnum > 0
                     and pg_get_expr(i.indpred, i.indrelid) = format('(%I IS NOT NULL)', a.attname)) as not_null_key
           from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
           where n.nspname in ('data', 'audit') and i.indisvalid"""
    )

    def covered(fk: asyncpg.Record) -> bool:
        width = len(fk["conkey"])
        return any(
            i["indrelid"] == fk["conrelid"]
            and set(i["keys"][:width]) == set(fk["conkey"])
            and (not i["partial"] or i["not_null_key"] in fk["conkey"])
            for i in indexes
        )

    assert len(foreign_keys) > 50, "the tenant keys are there to be checked"
    assert [f"{fk['tbl']}.{fk['conname']}" for fk in foreign_keys if not covered(fk)] == []


def shape(columns: dict, table: str, column: str) -> tuple[str, bool] | None:
    """(type, not null) of a column, None when the table has no such column."""
    found = columns.get((table, column))
    return None if found is None else (found["type"], found["not_null"])


async def test_every_tenant_table_carries_a_school_id(plan_tables: list[str], columns: dict) -> None:
    tenant_tables = [table for table in plan_tables if table != "data.schools"]
    assert [t for t in tenant_tables if shape(columns, t, "school_id") != ("uuid", True)] == [], "uuid not null"


def closed_sets_declared() -> list[tuple[str, str, set[str]]]:
    """(table, column, values) of every column declared with `choices=` in db/tables."""
    return [
        (table, column._meta.db_column_name, {member.value for member in column._meta.choices})
        for table, piccolo in PICCOLO.items()
        for column in piccolo._meta.columns
        if column._meta.choices
    ]


CLOSED_SET_CASES = [pytest.param(t, c, values, id=f"{t}.{c}") for t, c, values in closed_sets_declared()]


async def closed_set_checks(admin: asyncpg.Connection) -> dict[tuple[str, str], list[set[str]]]:
    """Every CHECK of the form `column in (...)`, as {(table, column): [allowed values, ...]}."""
    found: dict[tuple[str, str], list[set[str]]] = {}
    for check in await admin.fetch(
        """select con.conrelid::regclass::text as tbl, pg_get_constraintdef(con.oid) as definition
           from pg_constraint con join pg_namespace n on n.oid = con.connamespace
           where con.contype = 'c' and n.nspname in ('data', 'audit') and cardinality(con.conkey) = 1
             and con.conislocal  -- a partition's CHECK is its parent's"""
    ):
        if closed_set := CLOSED_SET.fullmatch(check["definition"]):
            values = {v.replace("''", "'") for v in LITERAL.findall(closed_set["values"])}
            found.setdefault((check["tbl"], closed_set["column"]), []).append(values)
    return found


@pytest.mark.parametrize(("table", "column", "allowed"), CLOSED_SET_CASES)
async def test_a_closed_set_in_db_tables_is_the_set_its_check_allows(
    admin: asyncpg.Connection, table: str, column: str, allowed: set[str]
) -> None:
    assert (await closed_set_checks(admin)).get((table, column)) == [allowed], "one CHECK, the same values"


async def test_every_closed_set_check_is_declared_in_db_tables(admin: asyncpg.Connection) -> None:
    declared = {(table, column) for table, column, _ in closed_sets_declared()}
    assert set(await closed_set_checks(admin)) - declared == set(), "a set only SQL knows drifts unseen"


def creation_column(table: str) -> str:
    # The log's rows are events: when the change occurred is their creation time.
    return "occurred_at" if table == "audit.audit_log" else "created_at"


async def test_every_table_records_when_a_row_was_created(plan_tables: list[str], columns: dict) -> None:
    wrong = [t for t in plan_tables if shape(columns, t, creation_column(t)) != ("timestamp with time zone", True)]
    assert wrong == [], "created_at timestamptz not null"


async def test_updated_at_is_where_db_tables_declares_it(plan_tables: list[str], columns: dict) -> None:
    built = {table for table in plan_tables if (table, "updated_at") in columns}
    declared = {table for table, names in DECLARED_COLUMNS.items() if "updated_at" in names}
    assert built == declared
    wrong = [t for t in built if shape(columns, t, "updated_at") != ("timestamp with time zone", True)]
    assert wrong == [], "updated_at timestamptz not null"


async def test_the_database_keeps_the_timestamps_of_every_table(admin: asyncpg.Connection, columns: dict) -> None:
    # Every UPDATE runs the stamp; an INSERT only when the client sent a timestamp
    # (WHEN ...): otherwise the columns' default, now(), is already the stamp's value.
    triggers = await admin.fetch(
        """select t.tgrelid::regclass::text as tbl, t.tgfoid::regproc::text as function,
                  case t.tgtype when 1 | 2 | 16 then 'update' when 1 | 2 | 4 then 'insert' end as event,
                  pg_get_triggerdef(t.oid) like '% WHEN (%' as conditional
           from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'data' and not t.tgisinternal and t.tgenabled = 'O'
             and t.tgparentid = 0  -- a partition's clone of its parent's trigger"""
    )
    built = {(t["tbl"], t["function"], t["event"], t["conditional"]) for t in triggers}
    expected = {
        (table, f"data.{name}", event, event == "insert")
        for (table, column) in columns
        if column == "created_at" and table.startswith("data.")
        for name in ["stamp_timestamps" if (table, "updated_at") in columns else "stamp_created_at"]
        for event in ["insert", "update"]
    }
    assert expected - built == set(), "before insert (when a timestamp was sent) and before update, for each row"
    assert {
        (t["tbl"], t["event"]) for t in triggers if t["function"] == "data.stamp_timestamps" and t["conditional"]
    } == {(table, "insert") for (table, column) in columns if column == "updated_at" and table.startswith("data.")}


async def test_every_id_defaults_to_uuidv7(columns: dict) -> None:
    ids = {table: column for (table, name), column in columns.items() if name == "id"}
    assert len(ids) >= len(PICCOLO) - 1, "every table but school_settings has an id"
    assert [t for t, c in ids.items() if (c["type"], c["default"]) != ("uuid", "uuidv7()")] == []


async def test_money_is_numeric_10_2_and_scores_numeric_5_2(columns: dict) -> None:
    def expected(name: str) -> str | None:
        return "numeric(10,2)" if name in MONEY else "numeric(5,2)" if name in SCORES else OTHER_NUMERIC.get(name)

    numeric = {key: c["type"] for key, c in columns.items() if c["base"] == "numeric"}
    assert {key for key in numeric if expected(key[1]) is None} == set(), "a new numeric is money, a score, or named"
    assert {key: t for key, t in numeric.items() if t != expected(key[1])} == {}


async def test_every_varchar_has_a_length(columns: dict) -> None:
    assert [key for key, c in columns.items() if c["type"] == "character varying"] == []


async def test_text_is_compared_by_postgres_own_c_utf8(admin: asyncpg.Connection) -> None:
    # db/database.py CREATE_OPTIONS: code-point order without a C library call per comparison.
    row = await admin.fetchrow(
        "select datlocprovider::text, datlocale from pg_database where datname = current_database()"
    )
    assert (row["datlocprovider"], row["datlocale"]) == ("b", "C.UTF-8")
    assert await admin.fetchval("select array_agg(x order by x) from unnest(array['b', 'B', 'é', 'a']) x") == [
        "B",
        "a",
        "b",
        "é",
    ]
