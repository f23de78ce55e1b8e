-- Import runs: one per school at a time, held by an advisory lock; runs whose
-- lock is free are failed as interrupted.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Mark the RUNNING runs whose lock is free as FAILED (of one school, or of all
-- when p_school is null); returns how many. A run that finishes meanwhile is
-- left alone: its finish_run locks the row first and sets its status, and this
-- UPDATE re-checks `status = 'RUNNING'` on the row it waited for.
create or replace function roster.fail_dead_runs(p_school uuid) returns integer
    language plpgsql security definer
    set search_path to ''
    as $$
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

-- At gateway start-up, as authenticator (no role, no claims): every school.
create or replace function roster.fail_interrupted_runs() returns integer
    language sql security definer
    set search_path to ''
    as $$
    select roster.fail_dead_runs(null)
$$;

comment on function roster.fail_interrupted_runs() is 'Marks import runs whose session is gone (gateway stopped mid-run) FAILED. Gateway start-up only.';

-- GET /ims/oneroster/import/{id} of a RUNNING run, as its reader (an admin of
-- the school or the partner that started it): the run is failed now if it is
-- dead, so no reader sees RUNNING for ever even where no gateway restarts (N
-- gateways, one of which died). True when it was.
create or replace function roster.fail_run_if_dead(p_id uuid) returns boolean
    language plpgsql security definer
    set search_path to ''
    as $$
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

create or replace function roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) returns void
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
begin
    update data.sync_runs
    set status = p_status, counts = p_counts, report = p_report, duration_ms = p_duration_ms, finished_at = now()
    where id = p_id and school_id = v_school and status = 'RUNNING';
end
$$;

-- Whether some session (this one included) holds the run's lock.
create or replace function roster.run_is_alive(p_id uuid) returns boolean
    language sql stable strict
    set search_path to ''
    as $$
    select exists (
        select from pg_catalog.pg_locks l
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
          and l.classid = ((roster.run_lock_key(p_id) >> 32) & 4294967295)::oid
          and l.objid = (roster.run_lock_key(p_id) & 4294967295)::oid)
$$;

-- The run's lock key: the last 64 bits of its id. Ids are uuidv7: the first
-- 64 bits are mostly the creation time (two runs started in the same
-- millisecond would share 52 of them), the last 64 are the variant and 62
-- random bits. pg_advisory_lock(bigint) keeps the key in pg_locks as classid
-- (high 32 bits), objid (low 32 bits), objsubid 1.
create or replace function roster.run_lock_key(p_id uuid) returns bigint
    language sql immutable strict
    set search_path to ''
    as $$
    select ('x' || right(replace(p_id::text, '-', ''), 16))::bit(64)::bigint
$$;

-- Start a run: serialise starts per school, fail the school's dead
-- runs, refuse while one is alive, and take the new run's lock before the row
-- is committed (a session lock taken in a transaction outlives its commit), so
-- no one can see the row RUNNING without its lock.
create or replace function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) returns uuid
    language plpgsql security definer
    set search_path to ''
    as $$
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

revoke all on function roster.fail_dead_runs(p_school uuid) from public;

revoke all on function roster.fail_interrupted_runs() from public;
grant all on function roster.fail_interrupted_runs() to authenticator;

revoke all on function roster.fail_run_if_dead(p_id uuid) from public;
grant all on function roster.fail_run_if_dead(p_id uuid) to school_admin;
grant all on function roster.fail_run_if_dead(p_id uuid) to partner_sync;

revoke all on function roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) from public;
grant all on function roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) to school_admin;
grant all on function roster.finish_run(p_id uuid, p_status text, p_counts jsonb, p_report jsonb, p_duration_ms integer) to partner_sync;

revoke all on function roster.run_is_alive(p_id uuid) from public;

revoke all on function roster.run_lock_key(p_id uuid) from public;

revoke all on function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) from public;
grant all on function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) to school_admin;
grant all on function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) to partner_sync;

-- PostgreSQL database dump complete
