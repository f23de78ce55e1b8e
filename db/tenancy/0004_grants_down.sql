-- Undo 0004_grants_up.sql. Before it the API roles held nothing on these
-- schemas' tables (0003 granted only USAGE on `auth`, which stays); revoking a
-- table's privileges revokes its column privileges too.
revoke all on all tables in schema data from anon, school_admin, teacher, parent, student, partner_sync, reporting;
revoke all on all tables in schema audit from anon, school_admin, teacher, parent, student, partner_sync, reporting;
revoke all on all tables in schema api from anon, school_admin, teacher, parent, student, partner_sync, reporting;
revoke usage on schema reporting from school_admin, reporting;
revoke usage on schema api from anon, school_admin, teacher, parent, student, partner_sync, reporting;
