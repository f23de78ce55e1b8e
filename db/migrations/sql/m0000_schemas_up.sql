-- Table state of m0000_schemas (up), as it ran from schemas/0000_up.sql.
-- Each schema has one job (DESIGN.md, "Schemas and roles"):
--   data       the tables; never granted to API roles directly
--   audit      the append-only audit log
--   auth       claim helpers used by every policy, login helpers
--   api        what the gateway exposes: security_invoker views and functions
--   reporting  stable views for BI tools connecting straight to Postgres
create schema data;

create schema audit;

create schema auth;

create schema api;

create schema reporting;
