-- Undo 0011_partners_up.sql.
drop function roster.finish_run(uuid, text, jsonb, jsonb, integer);
drop function roster.start_run(text, text, boolean);
drop function roster.revoke_partner_client(text);
drop function roster.rotate_partner_secret(text, text);
drop function roster.create_partner_client(text, text[], text, text);
drop function roster.require_role(text[]);
drop view api.sync_runs;
drop view api.partner_clients;

-- The partner_sync policies as 0004_policies_up.sql made them.
do $$
declare
    t text;
begin
    foreach t in array array['students', 'teachers', 'parents', 'student_parents', 'academic_terms', 'subjects',
                             'rooms', 'classes', 'enrollments']
    loop
        execute format('alter policy %I on data.%I using (school_id = (select auth.school_id()))
                        with check (school_id = (select auth.school_id()))', t || '_partner_sync_all', t);
    end loop;
end
$$;
alter policy schools_partner_sync_select on data.schools using (id = (select auth.school_id()));
alter policy users_partner_sync_select on data.users using (school_id = (select auth.school_id()));
alter policy users_partner_sync_insert on data.users
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN');
alter policy users_partner_sync_update on data.users
    using (school_id = (select auth.school_id()) and role <> 'ADMIN')
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN');

do $$
declare
    t text;
begin
    foreach t in array array['partner_clients', 'sync_runs']
    loop
        execute format('drop policy %I on data.%I', t || '_owner_all', t);
        execute format('alter table data.%I no force row level security', t);
        execute format('alter table data.%I disable row level security', t);
        execute format('drop trigger stamp_timestamps on data.%I', t);
        execute format('drop trigger audit_after_insert on data.%I', t);
        execute format('drop trigger audit_after_update on data.%I', t);
        execute format('drop trigger audit_after_delete on data.%I', t);
    end loop;
end
$$;
drop policy partner_clients_school_admin_select on data.partner_clients;
drop policy sync_runs_school_admin_select on data.sync_runs;
drop policy sync_runs_partner_sync_select on data.sync_runs;
revoke select on table data.partner_clients from school_admin;
revoke select on table data.sync_runs from school_admin, partner_sync;
drop index data.sync_runs_school_id_idx;
alter table data.sync_runs drop constraint sync_runs_status_check, drop constraint sync_runs_source_check;
drop index data.partner_clients_school_id_idx;
alter table data.partner_clients
    drop constraint partner_clients_scopes_no_nulls, drop constraint partner_clients_scopes_check,
    drop constraint partner_clients_school_id_id_key, drop constraint partner_clients_client_id_key;
comment on column data.partner_clients.secret_hash is null;
drop function auth.partner_client_active();
drop function auth.partner_lookup(text);

do $$
declare
    definition text := pg_get_functiondef('audit.record_changes()'::regprocedure);
begin
    execute replace(definition, $q$array['password_hash', 'secret_hash']$q$, $q$array['password_hash']$q$);
end
$$;
drop schema roster;
