-- Undo 0004_grants_up.sql. Before it the API roles held nothing on these
-- schemas' tables (0003 granted only USAGE on `auth`, which stays); revoking a
-- table's privileges revokes its column privileges too.
revoke all on all tables in schema data from anon, school_admin, teacher, parent, student, partner_sync, reporting;
revoke all on all tables in schema audit from anon, school_admin, teacher, parent, student, partner_sync, reporting;
revoke all on all tables in schema api from anon, school_admin, teacher, parent, student, partner_sync, reporting;
revoke usage on schema reporting from school_admin, reporting;
revoke usage on schema api from anon, school_admin, teacher, parent, student, partner_sync, reporting;

-- The integrity trigger functions back to SECURITY INVOKER, as 0002 made them.
do $$
declare
    f regprocedure;
begin
    foreach f in array array[
        to_regprocedure('data.grades_check_score_within_max()'),
        to_regprocedure('data.communication_logs_check_party()'),
        to_regprocedure('data.communication_logs_check_party_kept()')]
    loop
        if f is not null then
            execute format('alter function %s security invoker reset search_path', f);
        end if;
    end loop;
end
$$;
