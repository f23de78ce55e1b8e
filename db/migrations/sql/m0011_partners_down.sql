-- Table state of m0011_partners (down), as it ran from roster/0011_partners_down.sql.
drop index data.sync_runs_school_id_idx;

alter table data.sync_runs drop constraint sync_runs_status_check, drop constraint sync_runs_source_check;

drop index data.partner_clients_school_id_idx;

alter table data.partner_clients
    drop constraint partner_clients_scopes_no_nulls, drop constraint partner_clients_scopes_check,
    drop constraint partner_clients_school_id_id_key, drop constraint partner_clients_client_id_key;

comment on column data.partner_clients.secret_hash is null;

drop schema roster;
