-- Table state of m0003_auth (up), as it ran from tenancy/0003_auth_up.sql.
-- Per-school reporting logins (created by auth.create_reporting_login, db/tenancy).
create table auth.reporting_logins (
    role_name name primary key,
    school_id uuid not null references data.schools (id) on delete cascade,
    created_at timestamptz not null default now()
);

create index reporting_logins_school_id_idx on auth.reporting_logins (school_id);
