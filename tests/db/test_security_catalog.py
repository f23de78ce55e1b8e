"""The security posture, read from the catalogs: whatever any API role can reach
is under row-level security, nobody but the owner owns anything, nobody bypasses
RLS, nobody can touch a password hash, and the gateway's login holds nothing.

These tests look at every object, so they also catch a later migration that
adds a table, view or function without its policies or grants in order."""

from __future__ import annotations

import asyncpg

API_ROLES = ["anon", "school_admin", "teacher", "parent", "student", "partner_sync", "reporting"]
OUR_SCHEMAS = ["data", "audit", "auth", "api", "reporting"]


async def reachable_relations(admin: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every relation outside the system schemas on which an API role holds any
    privilege, on the whole table or on a column (PUBLIC grants count)."""
    return await admin.fetch(
        """select c.oid, c.oid::regclass::text as name, c.relkind::text, c.reloptions,
                  c.relrowsecurity, c.relforcerowsecurity,
                  (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
                  array_agg(distinct r.role order by r.role) as roles
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           cross join unnest($1::text[]) as r(role)
           where c.relkind in ('r', 'p', 'v', 'm', 'f')
             and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
             and (has_table_privilege(r.role, c.oid, 'select, insert, update, delete, truncate, references, trigger')
                  or has_any_column_privilege(r.role, c.oid, 'select, insert, update, references'))
           group by c.oid""",
        API_ROLES,
    )


async def view_base_relations(admin: asyncpg.Connection, view: int) -> list[asyncpg.Record]:
    """The relations a view's query reads (its rewrite rule's dependencies)."""
    return await admin.fetch(
        """select distinct d.refobjid as oid, d.refobjid::regclass::text as name, c.relkind::text, c.reloptions,
                  c.relrowsecurity, c.relforcerowsecurity,
                  (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
           from pg_rewrite rw
           join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = rw.oid
           join pg_class c on c.oid = d.refobjid
           where rw.ev_class = $1 and d.refobjid <> $1 and d.deptype = 'n'""",
        view,
    )


def is_security_invoker(reloptions: list[str] | None) -> bool:
    return any(o in ("security_invoker=true", "security_invoker=on", "security_invoker=1") for o in reloptions or [])


async def assert_under_rls(admin: asyncpg.Connection, relation: asyncpg.Record, path: str = "") -> None:
    where = f"{path}{relation['name']}"
    if relation["relkind"] in ("r", "p"):
        assert relation["relrowsecurity"], f"{where}: row-level security is not enabled"
        assert relation["relforcerowsecurity"], f"{where}: row-level security is not forced"
        assert relation["policies"] > 0, f"{where}: no policy"
    elif relation["relkind"] == "v":
        assert is_security_invoker(relation["reloptions"]), f"{where}: a view that is not security_invoker runs as its owner"
        bases = await view_base_relations(admin, relation["oid"])
        assert bases, f"{where}: reads no table?"
        for base in bases:
            await assert_under_rls(admin, base, f"{where} -> ")
    else:
        raise AssertionError(f"{where}: relkind {relation['relkind']} cannot carry row-level security")


async def test_everything_an_api_role_can_reach_is_under_row_level_security(admin: asyncpg.Connection) -> None:
    relations = await reachable_relations(admin)
    names = {r["name"] for r in relations}
    assert {"api.students", "data.students", "reporting.attendance_daily", "audit.audit_log"} <= names, (
        "the check sees the api views, the tables behind them and the reporting views"
    )
    for relation in relations:
        await assert_under_rls(admin, relation)


async def test_every_table_of_data_and_the_audit_log_has_forced_rls_and_an_owner_policy(admin: asyncpg.Connection) -> None:
    tables = await admin.fetch(
        """select c.oid::regclass::text as name, c.relname, c.relrowsecurity, c.relforcerowsecurity
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p')
             and (n.nspname = 'data' or (n.nspname, c.relname) in (('audit', 'audit_log'), ('auth', 'reporting_logins')))"""
    )
    assert len(tables) >= 26, "24 tables in data (or more), the audit log, the reporting-login registry"
    for t in tables:
        assert t["relrowsecurity"] and t["relforcerowsecurity"], f"{t['name']}: RLS enabled and forced"
        owner_policy = await admin.fetchrow(
            """select pg_get_expr(polqual, polrelid) as using_, pg_get_expr(polwithcheck, polrelid) as check_,
                      polroles::regrole[]::text[] as roles, polcmd::text
               from pg_policy where polrelid = $1::regclass and polname = $2""",
            t["name"], f"{t['relname']}_owner_all",
        )  # fmt: skip
        assert owner_policy is not None, f"{t['name']}: the owner's policy for SECURITY DEFINER functions"
        assert (owner_policy["roles"], owner_policy["polcmd"]) == (["school_owner"], "*")
        assert (owner_policy["using_"], owner_policy["check_"]) == ("true", "true")


async def test_policies_are_scoped_to_roles_and_keyed_on_the_school(admin: asyncpg.Connection) -> None:
    policies = await admin.fetch(
        """select p.polrelid::regclass::text as tbl, p.polname, p.polcmd::text, p.polroles,
                  pg_get_expr(p.polqual, p.polrelid) as using_, pg_get_expr(p.polwithcheck, p.polrelid) as check_,
                  p.polroles::regrole[]::text[] as roles
           from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = any($1::text[])""",
        OUR_SCHEMAS,
    )
    assert len(policies) > 100
    for p in policies:
        where = f"{p['tbl']} {p['polname']}"
        assert 0 not in p["polroles"], f"{where}: a policy for PUBLIC is OR-ed into every role's"
        assert len(p["roles"]) == 1, f"{where}: one role per policy, named in the policy"
        role = p["roles"][0]
        table = p["tbl"].split(".")[1]
        if role == "school_owner":
            assert p["polname"] == f"{table}_owner_all", f"{where}: the owner's policy is <table>_owner_all"
            continue
        assert p["polname"].startswith(f"{table}_{role}_"), f"{where}: named <table>_<role>_<action>"
        assert role in API_ROLES, f"{where}: a policy for {role}, which is not an API role"
        for expression in (p["using_"], p["check_"]):
            if expression is not None:
                assert "( SELECT auth.school_id() AS school_id)" in expression, (
                    f"{where}: keyed on (select auth.school_id()), evaluated once per statement: {expression}"
                )
        if p["polcmd"] in ("a", "w", "*"):
            assert p["check_"] is not None, f"{where}: a policy that lets rows be written has a WITH CHECK"


async def test_no_api_role_owns_anything_or_bypasses_rls(admin: asyncpg.Connection) -> None:
    logins = await admin.fetch(
        """select r.rolname from pg_roles r
           where r.rolname = any($1::text[]) or r.rolname = 'authenticator'
              or (r.rolname <> 'school_owner' and exists (
                      select from pg_auth_members m where m.member = r.oid and m.roleid = 'reporting'::regrole))""",
        API_ROLES,
    )
    names = [r["rolname"] for r in logins]
    assert set(API_ROLES) | {"authenticator"} <= set(names)
    attributes = await admin.fetch(
        "select rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication from pg_roles where rolname = any($1)",
        names,
    )
    for r in attributes:
        assert not any([r["rolsuper"], r["rolbypassrls"], r["rolcreaterole"], r["rolcreatedb"], r["rolreplication"]]), (
            f"{r['rolname']} holds no superuser, BYPASSRLS, CREATEROLE, CREATEDB or REPLICATION"
        )
    owned = await admin.fetch(
        """select 'relation' as kind, c.oid::regclass::text as name, pg_get_userbyid(c.relowner) as owner
           from pg_class c where pg_get_userbyid(c.relowner) = any($1::text[])
           union all
           select 'function', p.oid::regprocedure::text, pg_get_userbyid(p.proowner) from pg_proc p
           where pg_get_userbyid(p.proowner) = any($1::text[])
           union all
           select 'schema', n.nspname, pg_get_userbyid(n.nspowner) from pg_namespace n
           where pg_get_userbyid(n.nspowner) = any($1::text[])
           union all
           select 'type', t.oid::regtype::text, pg_get_userbyid(t.typowner) from pg_type t
           where pg_get_userbyid(t.typowner) = any($1::text[])""",
        names,
    )
    assert owned == [], "API roles and the gateway's login own nothing"


async def test_no_api_role_can_touch_a_password_hash(admin: asyncpg.Connection) -> None:
    for role in [*API_ROLES, "authenticator"]:
        for privilege in ("select", "insert", "update", "references"):
            assert not await admin.fetchval(
                "select has_column_privilege($1, 'data.users', 'password_hash', $2)", role, privilege
            ), f"{role} has no {privilege} on data.users.password_hash"
    exposed = await admin.fetch(
        "select table_schema, table_name from information_schema.columns where column_name = 'password_hash'"
    )
    assert [(r["table_schema"], r["table_name"]) for r in exposed] == [("data", "users")], "no view shows the hash"


async def test_authenticator_holds_no_table_privilege_of_its_own(admin: asyncpg.Connection) -> None:
    held = await admin.fetch(
        """select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = any($1::text[])
             and (has_table_privilege('authenticator', c.oid, 'select, insert, update, delete, truncate, references, trigger')
                  or (c.relkind in ('r', 'v', 'p') and has_any_column_privilege('authenticator', c.oid, 'select, insert, update')))""",
        OUR_SCHEMAS,
    )
    assert held == [], "authenticator can only switch to an API role"
    functions = await admin.fetch(
        """select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = any($1::text[]) and has_function_privilege('authenticator', p.oid, 'execute')
             and p.prosecdef and p.prorettype <> 'trigger'::regtype""",
        OUR_SCHEMAS,
    )
    assert sorted(f["name"] for f in functions) == [
        "auth.login_lookup(text,uuid)",
        "auth.login_lookup_by_id(uuid)",
        "auth.partner_lookup(text)",  # POST /oauth/token (db/roster/partners.sql)
        "auth.reporting_login_school()",  # under auth.claims(); answers about the session only
        "auth.set_password_hash(uuid,text)",
    ], "the SECURITY DEFINER functions the gateway's login may call are the login path and the claims guard"


async def test_login_functions_are_executable_by_authenticator_only(admin: asyncpg.Connection) -> None:
    for function in ("auth.login_lookup(text, uuid)", "auth.login_lookup_by_id(uuid)", "auth.set_password_hash(uuid, text)"):
        for role in [*API_ROLES, "public"]:
            assert not await admin.fetchval("select has_function_privilege($1, $2, 'execute')", role, function), (
                f"{role} cannot call {function}"
            )


async def test_api_roles_reach_only_the_exposed_schemas(admin: asyncpg.Connection) -> None:
    for role in API_ROLES:
        usable = await admin.fetch(
            """select nspname from pg_namespace
               where nspname = any($2::text[]) and has_schema_privilege($1, oid, 'usage') order by 1""",
            role, [*OUR_SCHEMAS, "public"],
        )  # fmt: skip
        expected = {"api", "auth", "reporting"} if role in ("school_admin", "reporting") else {"api", "auth"}
        # `public` is usable by PUBLIC by default; it holds only Piccolo's migration table, which no API role may read.
        assert {r["nspname"] for r in usable} - {"public"} == expected, f"{role} uses only the exposed schemas"
        creatable = await admin.fetch(
            "select nspname from pg_namespace where has_schema_privilege($1, oid, 'create') and nspname !~ '^pg_'", role
        )
        assert creatable == [], f"{role} can create objects in no schema"


async def test_security_definer_functions_pin_their_search_path(admin: asyncpg.Connection) -> None:
    loose = await admin.fetch(
        """select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = any($1::text[]) and p.prosecdef
             and not exists (select from unnest(p.proconfig) c where c like 'search_path=%')""",
        OUR_SCHEMAS,
    )
    assert loose == [], "a SECURITY DEFINER function must not resolve names through the caller's search_path"
    owners = await admin.fetch(
        """select distinct pg_get_userbyid(p.proowner) as owner from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = any($1::text[]) and p.prosecdef""",
        OUR_SCHEMAS,
    )
    assert [o["owner"] for o in owners] == ["school_owner"], "they run as the non-superuser owner"
