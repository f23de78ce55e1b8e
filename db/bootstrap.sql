-- Cluster-wide roles, and what the owner needs in this database.
--
-- Roles belong to the PostgreSQL cluster, not to one database, so they are not
-- created by the migration history (migrating one database back to empty must
-- not drop roles that another database of the same cluster uses). This file is
-- idempotent and runs, with the admin URL, before every `school-gateway migrate`.
--
-- school_owner   owns every object; not a superuser, no BYPASSRLS; CREATEROLE
--                only so that SECURITY DEFINER functions can manage per-school
--                reporting logins (PostgreSQL 16+: only roles it created).
-- authenticator  the gateway's login: NOINHERIT, may only SET ROLE to an API role.
-- API roles      NOLOGIN; what each may do is granted by the migrations.

do $$
declare
    api_role text;
begin
    if not exists (select from pg_roles where rolname = 'school_owner') then
        create role school_owner nologin createrole;
    end if;
    if not exists (select from pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
    foreach api_role in array array['anon', 'school_admin', 'teacher', 'parent', 'student', 'partner_sync', 'reporting']
    loop
        if not exists (select from pg_roles where rolname = api_role) then
            execute format('create role %I nologin', api_role);
        end if;
        execute format('grant %I to authenticator', api_role);
    end loop;
    -- Lets the owner's SECURITY DEFINER functions add per-school reporting logins.
    grant reporting to school_owner with admin option;
    -- ...and give each a temp_file_limit (a superuser-only setting; PostgreSQL 15+).
    grant set on parameter temp_file_limit to school_owner;
    -- ...and the gateway sets each API role's temp_file_limit per request, before
    -- it switches role (gateway/identity/setup.py); the API roles get no such
    -- right, so nothing running as one can raise it.
    grant set on parameter temp_file_limit to authenticator;
    execute format('grant connect, create on database %I to school_owner', current_database());
    -- ...with grant option, so the owner can let per-school reporting logins connect
    -- even where CONNECT has been revoked from PUBLIC.
    execute format('grant connect on database %I to school_owner with grant option', current_database());
    execute format('grant connect on database %I to authenticator', current_database());
    -- Piccolo keeps its `migration` table in `public`.
    grant usage, create on schema public to school_owner;
end
$$;
