-- Import runs that can no longer finish, and one run at a time per school.
--
-- A run executes in a gateway process (gateway/roster_import) or the CLI; a
-- process that stops mid-run used to leave its data.sync_runs row RUNNING for
-- ever. Now the session that runs an import holds a session-level advisory
-- lock keyed by the run's id for the run's whole life (taken by
-- roster.start_run before the row is committed, released by the gateway after
-- roster.finish_run). Postgres drops a session's locks when the session ends,
-- however it ends (crash, kill, network), so a RUNNING row whose lock nobody
-- holds belongs to a run that can no longer finish. Such rows are marked
-- FAILED, with the reason, when a gateway starts
-- (roster.fail_interrupted_runs(), as authenticator), before a new run of
-- the same school starts (roster.start_run), and when someone reads it
-- (roster.fail_run_if_dead()). A second run of a school while
-- one is alive is refused (SQLSTATE 55006 object_in_use; the gateway answers
-- 409): two merges of one school would race.
-- https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS

-- The run's lock key: the last 64 bits of its id. Ids are uuidv7: the first
-- 64 bits are mostly the creation time (two runs started in the same
-- millisecond would share 52 of them), the last 64 are the variant and 62
-- random bits. pg_advisory_lock(bigint) keeps the key in pg_locks as classid
-- (high 32 bits), objid (low 32 bits), objsubid 1.
create function roster.run_lock_key(p_id uuid) returns bigint
language sql immutable strict
set search_path = ''
as $$
    select ('x' || right(replace(p_id::text, '-', ''), 16))::bit(64)::bigint
$$;

-- Whether some session (this one included) holds the run's lock.
create function roster.run_is_alive(p_id uuid) returns boolean
language sql stable strict
set search_path = ''
as $$
    select exists (
        select from pg_catalog.pg_locks l
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
          and l.classid = ((roster.run_lock_key(p_id) >> 32) & 4294967295)::oid
          and l.objid = (roster.run_lock_key(p_id) & 4294967295)::oid)
$$;

-- Mark the RUNNING runs whose lock is free as FAILED (of one school, or of all
-- when p_school is null); returns how many. A run that finishes meanwhile is
-- left alone: its finish_run locks the row first and sets its status, and this
-- UPDATE re-checks `status = 'RUNNING'` on the row it waited for.
create function roster.fail_dead_runs(p_school uuid) returns integer
language plpgsql volatile security definer
set search_path = ''
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
create function roster.fail_interrupted_runs() returns integer
language sql volatile security definer
set search_path = ''
as $$
    select roster.fail_dead_runs(null)
$$;
comment on function roster.fail_interrupted_runs() is
    'Marks import runs whose session is gone (gateway stopped mid-run) FAILED. Gateway start-up only.';

-- GET /ims/oneroster/import/{id} of a RUNNING run, as its reader (an admin of
-- the school or the partner that started it): the run is failed now if it is
-- dead, so no reader sees RUNNING for ever even where no gateway restarts (N
-- gateways, one of which died). True when it was.
create function roster.fail_run_if_dead(p_id uuid) returns boolean
language plpgsql volatile security definer
set search_path = ''
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

-- 0011's start_run, plus: serialise starts per school, fail the school's dead
-- runs, refuse while one is alive, and take the new run's lock before the row
-- is committed (a session lock taken in a transaction outlives its commit), so
-- no one can see the row RUNNING without its lock.
create or replace function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) returns uuid
language plpgsql security definer
set search_path = ''
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

revoke execute on function roster.run_lock_key(uuid), roster.run_is_alive(uuid), roster.fail_dead_runs(uuid),
    roster.fail_interrupted_runs(), roster.fail_run_if_dead(uuid) from public;
grant execute on function roster.fail_run_if_dead(uuid) to school_admin, partner_sync;
grant usage on schema roster to authenticator;
grant execute on function roster.fail_interrupted_runs() to authenticator;
