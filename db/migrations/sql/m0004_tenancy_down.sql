-- Table state of m0004_tenancy (down), as it ran from tenancy/0004_login_down.sql, tenancy/0004_reporting_down.sql, tenancy/0004_grants_down.sql, tenancy/0004_api_views_down.sql, tenancy/0004_policies_down.sql, tenancy/0004_scopes_down.sql.
comment on column data.users.password_hash is null;

alter table data.users alter column password_hash set default null;

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
