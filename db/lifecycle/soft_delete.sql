-- Soft delete: DELETE on a table with is_deleted marks the row; DELETE on its
-- api view does the same.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Marks the row deleted. Trigger arguments name extra boolean columns to clear
-- with it (data.users: is_active, so a deleted login can no longer sign in).
-- SECURITY DEFINER: the DELETE has already passed the caller's privilege and
-- row-level DELETE policy when this runs; marking the row is the database's
-- doing and must not depend on the caller also holding UPDATE rights.
-- A purge (api.purge_student) removes personal data for real: its DELETEs pass.
create or replace function data.soft_delete_row() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $_$
declare
    also_clear text := '';
begin
    if audit.purge_in_progress() then
        return old;
    end if;
    for i in 0 .. tg_nargs - 1 loop
        also_clear := also_clear || format(', %I = false', tg_argv[i]);
    end loop;
    execute format('update %I.%I set is_deleted = true%s where id = $1 and not is_deleted',
                   tg_table_schema, tg_table_name, also_clear)
        using old.id;
    -- Tells data.soft_delete_through_view (same statement, same transaction) that
    -- this row was marked. Transaction-local; forging it gains nothing, the view
    -- trigger resets it before each row.
    perform set_config('lifecycle.soft_deleted_id', old.id::text, true);
    return null;
end
$_$;

-- INSTEAD OF DELETE on api.<table>: removes (and so marks) the base row, and
-- returns OLD when it was marked, so the API reports the deleted row.
-- SECURITY DEFINER because API roles have no USAGE on schema `data` (tenancy:
-- tables are reached only through the views), so an invoker function could
-- not name the table. What the caller may delete is still the caller's:
--   * PostgreSQL checked its DELETE privilege on the view before calling this
--     (view and table grants are made from one list), and it is checked again
--     here against the table for the role the session acts as;
--   * OLD is a row the caller sees through the security_invoker view, i.e. one
--     its SELECT policies allow. Every DELETE policy in tenancy/policies.sql has the same
--     scope as that role's SELECT policy (school for admins and partners, own
--     class for teachers); a future DELETE policy narrower than SELECT would
--     have to be repeated here. tests/db/test_soft_delete.py pins the cases.
create or replace function data.soft_delete_through_view() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $_$
declare
    base regclass := format('data.%I', tg_table_name)::regclass;
    acting_role text := coalesce(nullif(current_setting('role'), 'none'), session_user::text);
begin
    if not pg_catalog.has_table_privilege(acting_role, base, 'DELETE') then
        raise exception 'permission denied to delete from %', tg_table_name
            using errcode = '42501';
    end if;
    perform set_config('lifecycle.soft_deleted_id', '', true);
    execute format('delete from %s where id = $1', base) using old.id;
    if current_setting('lifecycle.soft_deleted_id', true) = old.id::text then
        return old;
    end if;
    return null;
end
$_$;

revoke all on function data.soft_delete_row() from public;

revoke all on function data.soft_delete_through_view() from public;

-- PostgreSQL database dump complete

-- Every data table with is_deleted: DELETE marks the row (users also lose
-- is_active), on the table and through its api view.
do $$
declare
    t record;
begin
    for t in
        select c.relname
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'data' and c.relkind in ('r', 'p') and not c.relispartition
          and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'is_deleted' and not a.attisdropped)
        order by c.relname
    loop
        execute format(
            'create or replace trigger soft_delete_before_delete before delete on data.%I
             for each row execute function data.soft_delete_row(%s)',
            t.relname, case when t.relname = 'users' then quote_literal('is_active') else '' end);
        if (select relkind from pg_class where oid = to_regclass(format('api.%I', t.relname))) = 'v' then
            execute format(
                'create or replace trigger soft_delete_instead_of_delete instead of delete on api.%I
                 for each row execute function data.soft_delete_through_view()', t.relname);
        end if;
    end loop;
end
$$;
