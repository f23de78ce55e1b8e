-- Partner credentials (OAuth 2.0 client credentials) and the record of each
-- roster sync run. Who may do what:
--   * school_admin: lists its school's clients (api.partner_clients, no hash),
--     creates, rotates and revokes them through roster.* functions (the secret
--     is hashed in Python, argon2id, db/passwords.py); reads its sync runs.
--   * authenticator: auth.partner_lookup(client_id) at POST /oauth/token, the
--     only path by which a secret_hash leaves the table.
--   * partner_sync: reads its own sync runs; a revoked client sees and writes
--     nothing, whatever token it still holds (auth.partner_client_active()).

create schema roster;
comment on schema roster is 'Roster sync: partner client management and the OneRoster import (not exposed over HTTP).';
grant usage on schema roster to school_admin, partner_sync;

-- The tables are Piccolo's (db/tables/roster.py, m0010); here what Piccolo
-- cannot say.
alter table data.partner_clients
    add constraint partner_clients_client_id_key unique (client_id),
    add constraint partner_clients_school_id_id_key unique (school_id, id),
    add constraint partner_clients_scopes_check check (scopes <@ array[
        'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
        'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
        'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
        'urn:school-data-api:scope:roster.import']::text[]),
    add constraint partner_clients_scopes_no_nulls check (array_position(scopes, null) is null);
create index partner_clients_school_id_idx on data.partner_clients (school_id);
comment on column data.partner_clients.secret_hash is 'argon2id PHC string of the client secret; readable only through auth.partner_lookup.';

alter table data.sync_runs
    add constraint sync_runs_source_check check (source in ('HTTP', 'CLI')),
    add constraint sync_runs_status_check check (status in ('RUNNING', 'APPLIED', 'DRY_RUN', 'REJECTED', 'FAILED'));
create index sync_runs_school_id_idx on data.sync_runs (school_id);

do $$
declare
    t text;
begin
    foreach t in array array['partner_clients', 'sync_runs']
    loop
        execute format('create trigger stamp_timestamps before insert or update on data.%I
                        for each row execute function data.stamp_timestamps()', t);
        execute format('create trigger audit_after_insert after insert on data.%I referencing new table as new_rows
                        for each statement execute function audit.record_changes(%L, %L)', t, 'id', 'school_id');
        execute format('create trigger audit_after_update after update on data.%I referencing old table as old_rows new table as new_rows
                        for each statement execute function audit.record_changes(%L, %L)', t, 'id', 'school_id');
        execute format('create trigger audit_after_delete after delete on data.%I referencing old table as old_rows
                        for each statement execute function audit.record_changes(%L, %L)', t, 'id', 'school_id');
        execute format('alter table data.%I enable row level security', t);
        execute format('alter table data.%I force row level security', t);
        execute format('create policy %I on data.%I for all to school_owner using (true) with check (true)', t || '_owner_all', t);
    end loop;
end
$$;

-- The audit trigger drops password_hash from what it logs (0005); a client's
-- secret_hash must never reach the log either. Same function, one more name.
do $$
declare
    definition text := pg_get_functiondef('audit.record_changes()'::regprocedure);
begin
    if position($q$array['password_hash']$q$ in definition) = 0 then
        raise exception 'audit.record_changes() no longer has the expected secrets list';
    end if;
    execute replace(definition, $q$array['password_hash']$q$, $q$array['password_hash', 'secret_hash']$q$);
end
$$;

-- POST /oauth/token: the gateway, as authenticator (no role switch), looks the
-- client up and checks the secret in Python (argon2id). EXECUTE for
-- authenticator only, like auth.login_lookup (0004_login_up.sql).
create function auth.partner_lookup(p_client_id text)
returns table (client_id text, school_id uuid, secret_hash text, scopes text[], revoked boolean)
language sql stable security definer
set search_path = ''
as $$
    select c.client_id::text, c.school_id, c.secret_hash::text, c.scopes, c.revoked_at is not null
    from data.partner_clients c
    where c.client_id = p_client_id
$$;
comment on function auth.partner_lookup(text) is
    'The partner client with this client_id: school, secret hash, scopes, revoked flag. Gateway only.';
revoke execute on function auth.partner_lookup(text) from public;
grant execute on function auth.partner_lookup(text) to authenticator;

-- False when the caller is a partner whose client has been revoked: every
-- partner_sync policy and the import functions check it, so a revoke takes
-- effect at once, for tokens already issued too (the gateway is stateless and
-- keeps no revocation list). A partner_sync token whose subject is no client of
-- this school (one minted with the JWT secret by another issuer) is judged by
-- its signature alone, as before this table existed. Called as
-- `(select auth.partner_client_active())`: once per statement.
create function auth.partner_client_active() returns boolean
language sql stable security definer
set search_path = ''
as $$
    select auth.role() is distinct from 'partner_sync'
        or not exists (
            select from data.partner_clients c
            where c.client_id = auth.claims() ->> 'sub'
              and (c.revoked_at is not null or c.school_id is distinct from auth.school_id())
        )
$$;
revoke execute on function auth.partner_client_active() from public;
grant execute on function auth.partner_client_active()
    to anon, school_admin, teacher, parent, student, partner_sync, reporting;

-- The partner_sync policies of 0004 (and schools'/users'), now also requiring
-- an active client.
alter policy students_partner_sync_all on data.students
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy teachers_partner_sync_all on data.teachers
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy parents_partner_sync_all on data.parents
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy student_parents_partner_sync_all on data.student_parents
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy academic_terms_partner_sync_all on data.academic_terms
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy subjects_partner_sync_all on data.subjects
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy rooms_partner_sync_all on data.rooms
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy classes_partner_sync_all on data.classes
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy enrollments_partner_sync_all on data.enrollments
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy schools_partner_sync_select on data.schools
    using (id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy users_partner_sync_select on data.users
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy users_partner_sync_insert on data.users
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active()));
alter policy users_partner_sync_update on data.users
    using (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active()));

-- Admins read their school's clients (never the hash: column grants) and runs.
create policy partner_clients_school_admin_select on data.partner_clients for select to school_admin
    using (school_id = (select auth.school_id()));
create policy sync_runs_school_admin_select on data.sync_runs for select to school_admin
    using (school_id = (select auth.school_id()));
-- A partner reads the runs it started (GET /ims/oneroster/import/{id}).
create policy sync_runs_partner_sync_select on data.sync_runs for select to partner_sync
    using (school_id = (select auth.school_id()) and actor_sub = (select auth.claims() ->> 'sub')
           and (select auth.partner_client_active()));

grant select (id, school_id, name, client_id, scopes, created_at, updated_at, revoked_at)
    on table data.partner_clients to school_admin;
grant select on table data.sync_runs to school_admin, partner_sync;

create view api.partner_clients with (security_invoker = true) as
    select id, school_id, name, client_id, scopes, created_at, updated_at, revoked_at
    from data.partner_clients;
comment on view api.partner_clients is 'Partner systems allowed to sync the roster (OAuth 2.0 client credentials). Secrets are never shown; create, rotate and revoke at /partners/clients.';
comment on column api.partner_clients.id is 'Unique identifier (uuid).';
comment on column api.partner_clients.school_id is 'The school this row belongs to.';
comment on column api.partner_clients.name is 'Name of the partner system.';
comment on column api.partner_clients.client_id is 'OAuth 2.0 client_id.';
comment on column api.partner_clients.scopes is 'OAuth scopes the client may ask for.';
comment on column api.partner_clients.created_at is 'When the row was created (set by the database).';
comment on column api.partner_clients.updated_at is 'When the row was last changed (set by the database).';
comment on column api.partner_clients.revoked_at is 'When the client was revoked; its tokens stop working at once.';
grant select on table api.partner_clients to school_admin;

create view api.sync_runs with (security_invoker = true) as
    select id, school_id, actor_role, actor_sub, source, file_sha256, dry_run, status, counts, report,
           duration_ms, finished_at, created_at, updated_at
    from data.sync_runs;
comment on view api.sync_runs is 'OneRoster imports: who, when, which file (sha256), dry run or not, counts and the report.';
comment on column api.sync_runs.id is 'Unique identifier (uuid).';
comment on column api.sync_runs.school_id is 'The school this row belongs to.';
comment on column api.sync_runs.actor_role is 'The API role that started the run.';
comment on column api.sync_runs.actor_sub is 'The token subject that started the run (a partner client id or a user id).';
comment on column api.sync_runs.source is 'HTTP or CLI.';
comment on column api.sync_runs.file_sha256 is 'sha256 of the uploaded zip.';
comment on column api.sync_runs.dry_run is 'True when the run was rolled back on purpose.';
comment on column api.sync_runs.status is 'RUNNING, APPLIED, DRY_RUN, REJECTED or FAILED.';
comment on column api.sync_runs.counts is 'Totals: inserted, updated, unchanged, deactivated, rejected, skipped.';
comment on column api.sync_runs.report is 'Per file counts and every rejected or skipped row with its reason.';
comment on column api.sync_runs.duration_ms is 'How long the run took.';
comment on column api.sync_runs.finished_at is 'When the run finished.';
comment on column api.sync_runs.created_at is 'When the run started.';
comment on column api.sync_runs.updated_at is 'When the row was last changed (set by the database).';
grant select on table api.sync_runs to school_admin, partner_sync;

-- Client management for admins (POST /partners/clients...). SECURITY DEFINER
-- because the secret hash is written here and no API role may touch that column;
-- each function checks the caller is a school_admin and writes only rows of
-- (select auth.school_id()). Gateway-side they run in the admin's own
-- transaction (role + claims), so the audit log names the admin.
create function roster.require_role(p_roles text[]) returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
    if auth.role() is null or not auth.role() = any (p_roles) or auth.school_id() is null then
        raise exception 'permission denied: this needs the role %', array_to_string(p_roles, ' or ')
            using errcode = '42501';
    end if;
    if not auth.partner_client_active() then
        raise exception 'permission denied: this partner client has been revoked' using errcode = '42501';
    end if;
    return auth.school_id();
end
$$;

create function roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text)
returns table (client_id text, scopes text[])
language plpgsql security definer
set search_path = ''
as $$
declare
    v_school uuid := roster.require_role(array['school_admin']);
begin
    return query
    insert into data.partner_clients as c (school_id, name, client_id, secret_hash, scopes)
    values (v_school, p_name, p_client_id, p_secret_hash, p_scopes)
    returning c.client_id::text, c.scopes;
end
$$;

create function roster.rotate_partner_secret(p_client_id text, p_secret_hash text)
returns table (client_id text, scopes text[])
language plpgsql security definer
set search_path = ''
as $$
declare
    v_school uuid := roster.require_role(array['school_admin']);
begin
    return query
    update data.partner_clients c set secret_hash = p_secret_hash
    where c.client_id = p_client_id and c.school_id = v_school and c.revoked_at is null
    returning c.client_id::text, c.scopes;
end
$$;

create function roster.revoke_partner_client(p_client_id text)
returns table (client_id text, revoked_at timestamptz)
language plpgsql security definer
set search_path = ''
as $$
declare
    v_school uuid := roster.require_role(array['school_admin']);
begin
    return query
    update data.partner_clients c set revoked_at = coalesce(c.revoked_at, now())
    where c.client_id = p_client_id and c.school_id = v_school
    returning c.client_id::text, c.revoked_at;
end
$$;

-- Sync runs are written only here: a run's row outlives the import's own
-- transaction (a dry run or a rejected file rolls that one back).
create function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
    v_id uuid;
begin
    insert into data.sync_runs (school_id, actor_role, actor_sub, source, file_sha256, dry_run)
    values (v_school, auth.role(), auth.claims() ->> 'sub', p_source, p_file_sha256, p_dry_run)
    returning id into v_id;
    return v_id;
end
$$;

create function roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
begin
    update data.sync_runs
    set status = p_status, counts = p_counts, report = p_report, duration_ms = p_duration_ms, finished_at = now()
    where id = p_id and school_id = v_school and status = 'RUNNING';
end
$$;

do $$
declare
    f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'roster'::regnamespace
    loop
        execute format('revoke execute on function %s from public', f);
    end loop;
end
$$;
grant execute on function roster.require_role(text[]), roster.start_run(text, text, boolean),
    roster.finish_run(uuid, text, jsonb, jsonb, integer) to school_admin, partner_sync;
grant execute on function roster.create_partner_client(text, text[], text, text),
    roster.rotate_partner_secret(text, text), roster.revoke_partner_client(text) to school_admin;
