-- Partner clients (OAuth client credentials) and their api views.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text) RETURNS TABLE(client_id text, scopes text[])
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_school uuid := roster.require_role(array['school_admin']);
begin
    return query
    insert into data.partner_clients as c (school_id, name, client_id, secret_hash, scopes)
    values (v_school, p_name, p_client_id, p_secret_hash, p_scopes)
    returning c.client_id::text, c.scopes;
end
$$;

CREATE OR REPLACE FUNCTION roster.require_role(p_roles text[]) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE OR REPLACE FUNCTION roster.revoke_partner_client(p_client_id text) RETURNS TABLE(client_id text, revoked_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_school uuid := roster.require_role(array['school_admin']);
begin
    return query
    update data.partner_clients c set revoked_at = coalesce(c.revoked_at, now())
    where c.client_id = p_client_id and c.school_id = v_school
    returning c.client_id::text, c.revoked_at;
end
$$;

CREATE OR REPLACE FUNCTION roster.rotate_partner_secret(p_client_id text, p_secret_hash text) RETURNS TABLE(client_id text, scopes text[])
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_school uuid := roster.require_role(array['school_admin']);
begin
    return query
    update data.partner_clients c set secret_hash = p_secret_hash
    where c.client_id = p_client_id and c.school_id = v_school and c.revoked_at is null
    returning c.client_id::text, c.scopes;
end
$$;

CREATE OR REPLACE VIEW api.partner_clients WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    name,
    client_id,
    scopes,
    created_at,
    updated_at,
    revoked_at
   FROM data.partner_clients;

COMMENT ON VIEW api.partner_clients IS 'Partner systems allowed to sync the roster (OAuth 2.0 client credentials). Secrets are never shown; create, rotate and revoke at /partners/clients.';

COMMENT ON COLUMN api.partner_clients.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.partner_clients.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.partner_clients.name IS 'Name of the partner system.';

COMMENT ON COLUMN api.partner_clients.client_id IS 'OAuth 2.0 client_id.';

COMMENT ON COLUMN api.partner_clients.scopes IS 'OAuth scopes the client may ask for.';

COMMENT ON COLUMN api.partner_clients.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.partner_clients.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.partner_clients.revoked_at IS 'When the client was revoked; its tokens stop working at once.';

CREATE OR REPLACE VIEW api.sync_runs WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.sync_runs;

COMMENT ON VIEW api.sync_runs IS 'OneRoster imports: who, when, which file (sha256), dry run or not, counts and the report.';

COMMENT ON COLUMN api.sync_runs.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.sync_runs.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.sync_runs.actor_role IS 'The API role that started the run.';

COMMENT ON COLUMN api.sync_runs.actor_sub IS 'The token subject that started the run (a partner client id or a user id).';

COMMENT ON COLUMN api.sync_runs.source IS 'HTTP or CLI.';

COMMENT ON COLUMN api.sync_runs.file_sha256 IS 'sha256 of the uploaded zip.';

COMMENT ON COLUMN api.sync_runs.dry_run IS 'True when the run was rolled back on purpose.';

COMMENT ON COLUMN api.sync_runs.status IS 'RUNNING, APPLIED, DRY_RUN, REJECTED or FAILED.';

COMMENT ON COLUMN api.sync_runs.counts IS 'Totals: inserted, updated, unchanged, deactivated, rejected, skipped.';

COMMENT ON COLUMN api.sync_runs.report IS 'Per file counts and every rejected or skipped row with its reason.';

COMMENT ON COLUMN api.sync_runs.duration_ms IS 'How long the run took.';

COMMENT ON COLUMN api.sync_runs.finished_at IS 'When the run finished.';

COMMENT ON COLUMN api.sync_runs.created_at IS 'When the run started.';

COMMENT ON COLUMN api.sync_runs.updated_at IS 'When the row was last changed (set by the database).';

ALTER TABLE ONLY api.partner_clients ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.sync_runs ALTER COLUMN school_id SET DEFAULT auth.school_id();

REVOKE ALL ON FUNCTION roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.create_partner_client(p_name text, p_scopes text[], p_client_id text, p_secret_hash text) TO school_admin;

REVOKE ALL ON FUNCTION roster.require_role(p_roles text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.require_role(p_roles text[]) TO school_admin;
GRANT ALL ON FUNCTION roster.require_role(p_roles text[]) TO partner_sync;

REVOKE ALL ON FUNCTION roster.revoke_partner_client(p_client_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.revoke_partner_client(p_client_id text) TO school_admin;

REVOKE ALL ON FUNCTION roster.rotate_partner_secret(p_client_id text, p_secret_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.rotate_partner_secret(p_client_id text, p_secret_hash text) TO school_admin;

-- PostgreSQL database dump complete
