-- Undo 0004_reporting_up.sql. Reporting logins are cluster roles that outlive a
-- database; the ones this database registered go with it, so that migrating to
-- zero leaves no login behind that nothing maps to a school any more.
do $$
declare
    login_name name;
begin
    for login_name in select r.role_name from auth.reporting_logins r
    loop
        if exists (select from pg_roles where rolname = login_name) then
            execute format('revoke connect on database %I from %I', current_database(), login_name);
            execute format('drop role %I', login_name);
        end if;
    end loop;
    delete from auth.reporting_logins;
end
$$;
drop function api.drop_reporting_login();
drop function api.create_reporting_login(text);
drop view reporting.enrollment_counts;
drop view reporting.invoice_balances;
drop view reporting.attendance_daily;
drop view reporting.students;
