-- Undo 0014_run_lease_up.sql: start_run as 0011_partners_up.sql made it.
revoke execute on function roster.fail_interrupted_runs() from authenticator;
revoke usage on schema roster from authenticator;
create or replace function roster.start_run(p_source text, p_file_sha256 text, p_dry_run boolean) returns uuid
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
drop function roster.fail_run_if_dead(uuid);
drop function roster.fail_interrupted_runs();
drop function roster.fail_dead_runs(uuid);
drop function roster.run_is_alive(uuid);
drop function roster.run_lock_key(uuid);
