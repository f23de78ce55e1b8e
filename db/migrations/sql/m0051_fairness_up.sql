-- Table state of m0051_fairness (up), issue 13.
--
-- roster.import_locks: one row per school that only roster.start_run (SECURITY
-- DEFINER, owner) can lock. Imports of a school were serialised by an advisory
-- lock whose key any database login could compute and hold (F3: a reporting
-- login of one school blocked another school's imports for as long as it
-- liked). No role but the owner has any privilege on this table.
create table roster.import_locks (
    school_id uuid primary key references data.schools (id) on delete cascade
);
comment on table roster.import_locks is 'One row per school, locked by roster.start_run only: serialises starts of a school''s imports.';
insert into roster.import_locks (school_id) select id from data.schools;

-- Rotating a partner's secret invalidates the tokens issued before it
-- (auth.partner_client_active compares the token's iat).
alter table data.partner_clients add column secret_rotated_at timestamptz;
comment on column data.partner_clients.secret_rotated_at is 'Last rotation of the secret: tokens issued before it stop working.';
