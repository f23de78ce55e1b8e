-- Import runs: one per school at a time, held by an advisory lock; runs whose
-- lock is free are failed as interrupted.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION roster.fail_dead_runs(p_school uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    n integer;
begin
    update data.sync_runs r
    set status = 'FAILED', finished_at = now(),
        report = jsonb_build_object(
            'status', 'FAILED', 'files', '{}'::jsonb, 'rejected', '[]'::jsonb, 'skipped', '[]'::jsonb,
            'dry_run', r.dry_run,
            'error', jsonb_build_object(
                'code', null,
                'message', 'interrupted: the gateway stopped before the run finished',
                'detail', 'the session running the import ended; nothing of this run was applied'))
    where r.status = 'RUNNING' and (p_school is null or r.school_id = p_school) and not roster.run_is_alive(r.id);
    get diagnostics n = row_count;
    return n;
end
$$;

CREATE OR REPLACE FUNCTION roster.fail_interrupted_runs() RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select roster.fail_dead_runs(null)
$$;

COMMENT ON FUNCTION roster.fail_interrupted_runs() IS 'Marks import runs whose session is gone (gateway stopped mid-run) FAILED. Gateway start-up only.';

CREATE OR REPLACE FUNCTION roster.fail_run_if_dead(p_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
begin
    if not exists (select from data.sync_runs r
                   where r.id = p_id and r.school_id = v_school and r.status = 'RUNNING')
       or roster.run_is_alive(p_id) then
        return false;
    end if;
    return roster.fail_dead_runs(v_school) > 0;
end
$$;

CREATE OR REPLACE FUNCTION roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
begin
    update data.sync_runs
    set status = p_status, counts = p_counts, report = p_report, duration_ms = p_duration_ms, finished_at = now()
    where id = p_id and school_id = v_school and status = 'RUNNING';
end
$$;

CREATE OR REPLACE FUNCTION roster.run_is_alive(p_id uuid) RETURNS boolean
    LANGUAGE sql STABLE STRICT
    SET search_path TO ''
    AS $$
    select exists (
        select from pg_catalog.pg_locks l
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
          and l.classid = ((roster.run_lock_key(p_id) >> 32) & 4294967295)::oid
          and l.objid = (roster.run_lock_key(p_id) & 4294967295)::oid)
$$;

CREATE OR REPLACE FUNCTION roster.run_lock_key(p_id uuid) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path TO ''
    AS $$
    select ('x' || right(replace(p_id::text, '-', ''), 16))::bit(64)::bigint
$$;

CREATE OR REPLACE FUNCTION roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
    v_id uuid;
    v_running record;
begin
    -- Two starts at once would each find no live run; the second waits here
    -- until the first commits, then sees its row and its lock.
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('data.sync_runs start'), pg_catalog.hashtext(v_school::text));
    perform roster.fail_dead_runs(v_school);
    select r.id, r.created_at into v_running
    from data.sync_runs r where r.school_id = v_school and r.status = 'RUNNING'
    order by r.created_at limit 1;
    if found then
        raise exception 'another roster import of this school is running'
            using errcode = '55006',
                  detail = format('run %s, started %s', v_running.id, v_running.created_at),
                  hint = 'wait until it finishes: GET /ims/oneroster/import/' || v_running.id;
    end if;
    insert into data.sync_runs (school_id, actor_role, actor_sub, source, file_sha256, dry_run)
    values (v_school, auth.role(), auth.claims() ->> 'sub', p_source, p_file_sha256, p_dry_run)
    returning id into v_id;
    if not pg_catalog.pg_try_advisory_lock(roster.run_lock_key(v_id)) then
        -- 62 random bits shared with a live run: practically never; refuse rather than wait.
        raise exception 'the lock of the new run % is taken', v_id using errcode = '55006';
    end if;
    return v_id;
end
$$;

REVOKE ALL ON FUNCTION roster.fail_dead_runs(p_school uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION roster.fail_interrupted_runs() FROM PUBLIC;
GRANT ALL ON FUNCTION roster.fail_interrupted_runs() TO authenticator;

REVOKE ALL ON FUNCTION roster.fail_run_if_dead(p_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.fail_run_if_dead(p_id uuid) TO school_admin;
GRANT ALL ON FUNCTION roster.fail_run_if_dead(p_id uuid) TO partner_sync;

REVOKE ALL ON FUNCTION roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) TO school_admin;
GRANT ALL ON FUNCTION roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) TO partner_sync;

REVOKE ALL ON FUNCTION roster.run_is_alive(p_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION roster.run_lock_key(p_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) TO school_admin;
GRANT ALL ON FUNCTION roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) TO partner_sync;

-- PostgreSQL database dump complete
