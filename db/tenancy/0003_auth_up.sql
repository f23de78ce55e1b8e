-- Who is asking: the claim helpers every policy, trigger and function uses.
--
-- The gateway connects as `authenticator` and, per transaction, runs
--   select set_config('role', <api role>, true),
--          set_config('request.jwt.claims', <claims json>, true),
--          set_config('request.id', <request id>, true)
-- so the helpers read the verified JWT's claims: role, school_id, sub (user id).
-- A per-school reporting login (a LOGIN role that is a member of `reporting`)
-- carries no JWT; its school comes from auth.reporting_logins instead, so the
-- same policies apply to BI tools connecting straight to Postgres.
--
-- Policies call these as `(select auth.school_id())`: the sub-select makes the
-- planner evaluate them once per statement, not once per row (DESIGN.md).

grant usage on schema auth to anon, school_admin, teacher, parent, student, partner_sync, reporting;

-- Per-school reporting logins (created by auth.create_reporting_login, db/tenancy).
create table auth.reporting_logins (
    role_name name primary key,
    school_id uuid not null references data.schools (id) on delete cascade,
    created_at timestamptz not null default now()
);
create index reporting_logins_school_id_idx on auth.reporting_logins (school_id);

create function auth.claims() returns jsonb
language sql stable
as $$
    select coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
$$;

-- The API role the claims name (school_admin, teacher, parent, student, partner_sync, anon).
create function auth.role() returns text
language sql stable
as $$
    select auth.claims() ->> 'role'
$$;

-- The user id (`sub`) when it is a user's uuid; partners' client ids are not.
create function auth.user_id() returns uuid
language sql stable
as $$
    select case
        when auth.claims() ->> 'sub' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then (auth.claims() ->> 'sub')::uuid
    end
$$;

-- The caller's school: the JWT's school_id claim, or for a reporting login its
-- registered school. Null means "no school": every tenant policy then matches nothing.
-- SECURITY DEFINER only to read auth.reporting_logins, which no API role can read.
create function auth.school_id() returns uuid
language sql stable security definer
set search_path = ''
as $$
    select coalesce(
        case
            when auth.claims() ->> 'school_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            then (auth.claims() ->> 'school_id')::uuid
        end,
        (select r.school_id from auth.reporting_logins r where r.role_name = session_user)
    )
$$;

-- The request id the gateway put in `request.id` (null for work outside HTTP).
create function auth.request_id() returns text
language sql stable
as $$
    select nullif(current_setting('request.id', true), '')
$$;

revoke execute on function auth.school_id() from public;
grant execute on function auth.claims(), auth.role(), auth.user_id(), auth.school_id(), auth.request_id()
    to anon, school_admin, teacher, parent, student, partner_sync, reporting;
