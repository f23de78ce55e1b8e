-- Table state of m0011_partners (up), as it ran from roster/0011_partners_up.sql.
-- Partner credentials (OAuth 2.0 client credentials) and the record of each
-- roster sync run. Who may do what:
--   * school_admin: lists its school's clients (api.partner_clients, no hash),
--     creates, rotates and revokes them through roster.* functions (the secret
--     is hashed in Python, argon2id, db/passwords.py); reads its sync runs.
--   * authenticator: auth.partner_lookup(client_id) at POST /oauth/token, the
--     only path by which a secret_hash leaves the table.
--   * partner_sync: reads its own sync runs; a revoked client sees and writes
--     nothing, whatever token it still holds (auth.partner_client_active()).

create schema roster;

comment on schema roster is 'Roster sync: partner client management and the OneRoster import (not exposed over HTTP).';

-- The tables are Piccolo's (db/tables/roster.py, m0010); here what Piccolo
-- cannot say.
alter table data.partner_clients
    add constraint partner_clients_client_id_key unique (client_id),
    add constraint partner_clients_school_id_id_key unique (school_id, id),
    add constraint partner_clients_scopes_check check (scopes <@ array[
        'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
        'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
        'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
        'urn:school-data-api:scope:roster.import']::text[]),
    add constraint partner_clients_scopes_no_nulls check (array_position(scopes, null) is null);

create index partner_clients_school_id_idx on data.partner_clients (school_id);

comment on column data.partner_clients.secret_hash is 'argon2id PHC string of the client secret; readable only through auth.partner_lookup.';

alter table data.sync_runs
    add constraint sync_runs_source_check check (source in ('HTTP', 'CLI')),
    add constraint sync_runs_status_check check (status in ('RUNNING', 'APPLIED', 'DRY_RUN', 'REJECTED', 'FAILED'));

create index sync_runs_school_id_idx on data.sync_runs (school_id);
