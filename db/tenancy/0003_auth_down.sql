drop function auth.request_id();
drop function auth.school_id();
drop function auth.user_id();
drop function auth.role();
drop function auth.claims();
drop table auth.reporting_logins;
revoke usage on schema auth from anon, school_admin, teacher, parent, student, partner_sync, reporting;
