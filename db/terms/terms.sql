-- Academic terms: at most one current term per school, switched atomically by
-- api.set_current_term.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Switch the school's current term: unset the previous one, set this one, and
-- (through the triggers) point the settings at it, in one transaction.
-- Concurrent switches in one school are serialised by a transaction-scoped
-- advisory lock keyed on the school: without it, two switches could each unset
-- the old term and the second would then collide with the first on the unique
-- index. After the lock, each statement's fresh snapshot (READ COMMITTED) sees
-- the previous switch committed.
-- SECURITY INVOKER, through the api view (API roles have no USAGE on `data`):
-- the caller's row-level policies apply to the terms it changes. Only admins
-- may call it, checked here as well as by the grant.
create or replace function api.set_current_term(p_term_id uuid) returns api.academic_terms
    language plpgsql
    set search_path to ''
    as $$
declare
    caller_school uuid := auth.school_id();
    term api.academic_terms;
begin
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school admin may change the current term'
            using errcode = '42501';
    end if;
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('data.academic_terms.is_current'),
                                             pg_catalog.hashtext(caller_school::text));
    perform from api.academic_terms t where t.school_id = caller_school and t.id = p_term_id;
    if not found then
        raise exception 'academic term % not found', p_term_id
            using errcode = 'P0002', hint = 'Only a term of your school that is not deleted can be made current.';
    end if;

    update api.academic_terms t set is_current = false
    where t.school_id = caller_school and t.is_current and t.id <> p_term_id;
    update api.academic_terms t set is_current = true
    where t.school_id = caller_school and t.id = p_term_id and not t.is_current;

    select * into term from api.academic_terms t where t.school_id = caller_school and t.id = p_term_id;
    return term;
end
$$;

-- After a term becomes or stops being current (or current and deleted), the
-- school's settings row is written (created when missing); its trigger above
-- fills in the term.
create or replace function data.academic_term_after_write_sync_settings() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    insert into data.school_settings as s (school_id) values (new.school_id)
    on conflict (school_id) do update set current_academic_term_id = s.current_academic_term_id;
    return null;
end
$$;

-- The school's current term, or null.
create or replace function data.current_term_id(p_school_id uuid) returns uuid
    language sql stable security definer
    set search_path to ''
    as $$
    select t.id from data.academic_terms t
    where t.school_id = p_school_id and t.is_current and not t.is_deleted
$$;

-- Settings mirror the terms. SECURITY DEFINER: the mirror must not depend on
-- which terms the writer may see.
create or replace function data.school_settings_before_write_current_term() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    new.current_academic_term_id := data.current_term_id(new.school_id);
    return new;
end
$$;

create or replace trigger academic_term_after_insert_sync_settings after insert on data.academic_terms for each row when ((new.is_current and (not new.is_deleted))) execute function data.academic_term_after_write_sync_settings();

create or replace trigger academic_term_after_update_sync_settings after update of is_current, is_deleted on data.academic_terms for each row when (((old.is_current and (not old.is_deleted)) is distinct from (new.is_current and (not new.is_deleted)))) execute function data.academic_term_after_write_sync_settings();

create or replace trigger school_settings_before_write_current_term before insert or update on data.school_settings for each row execute function data.school_settings_before_write_current_term();

revoke all on function api.set_current_term(p_term_id uuid) from public;
grant all on function api.set_current_term(p_term_id uuid) to school_admin;

revoke all on function data.academic_term_after_write_sync_settings() from public;

revoke all on function data.current_term_id(p_school_id uuid) from public;

revoke all on function data.school_settings_before_write_current_term() from public;

-- PostgreSQL database dump complete
