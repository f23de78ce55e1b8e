-- Partner clients (OAuth client credentials) and their api views.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

create or replace function roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text) returns table(client_id text, scopes text[])
    language plpgsql security definer
    set search_path to ''
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

-- Client management for admins (POST /partners/clients...). SECURITY DEFINER
-- because the secret hash is written here and no API role may touch that column;
-- each function checks the caller is a school_admin and writes only rows of
-- (select auth.school_id()). Gateway-side they run in the admin's own
-- transaction (role + claims), so the audit log names the admin.
create or replace function roster.require_role(p_roles text[]) returns uuid
    language plpgsql stable security definer
    set search_path to ''
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

create or replace function roster.revoke_partner_client(p_client_id text) returns table(client_id text, revoked_at timestamp with time zone)
    language plpgsql security definer
    set search_path to ''
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

create or replace function roster.rotate_partner_secret(p_client_id text, p_secret_hash text) returns table(client_id text, scopes text[])
    language plpgsql security definer
    set search_path to ''
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

create or replace view api.partner_clients with (security_invoker='true') as
 select id,
    school_id,
    name,
    client_id,
    scopes,
    created_at,
    updated_at,
    revoked_at
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

create or replace view api.sync_runs with (security_invoker='true') as
 select id,
    school_id,
    actor_role,
    actor_sub,
    source,
    file_sha256,
    dry_run,
    status,
    counts,
    report,
    duration_ms,
    finished_at,
    created_at,
    updated_at
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

alter table only api.partner_clients alter column school_id set default auth.school_id();

alter table only api.sync_runs alter column school_id set default auth.school_id();

revoke all on function roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text) from public;
grant all on function roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text) to school_admin;

revoke all on function roster.require_role(p_roles text[]) from public;
grant all on function roster.require_role(p_roles text[]) to school_admin;
grant all on function roster.require_role(p_roles text[]) to partner_sync;

revoke all on function roster.revoke_partner_client(p_client_id text) from public;
grant all on function roster.revoke_partner_client(p_client_id text) to school_admin;

revoke all on function roster.rotate_partner_secret(p_client_id text, p_secret_hash text) from public;
grant all on function roster.rotate_partner_secret(p_client_id text, p_secret_hash text) to school_admin;

-- PostgreSQL database dump complete
