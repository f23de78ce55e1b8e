-- Table state of m0014_roster_views_scope (up), as it ran from roster/0014_views_scope_up.sql, roster/0014_run_lease_up.sql.
-- The OneRoster views, out of the api schema (so out of the PostgREST routes
-- and the OpenAPI document), under their OneRoster names. Moving keeps their
-- definitions, comments and grants (school_admin, partner_sync: select).
create schema oneroster;

comment on schema oneroster is
    'OneRoster 1.2 read views, queried by the OneRoster REST routes only (gateway/oneroster); not a PostgREST schema.';
