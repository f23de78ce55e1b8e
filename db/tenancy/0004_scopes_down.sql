-- Undo 0004_scopes_up.sql: drop the scope helpers and put auth.claims() back
-- exactly as 0003_auth_up.sql defined it.
drop function auth.student_class_ids();
drop function auth.student_id();
drop function auth.parent_invoice_ids();
drop function auth.parent_class_ids();
drop function auth.parent_student_ids();
drop function auth.parent_id();
drop function auth.teacher_assessment_ids();
drop function auth.teacher_assignment_ids();
drop function auth.teacher_student_ids();
drop function auth.teacher_class_ids();
drop function auth.teacher_id();

create or replace function auth.claims() returns jsonb
language sql stable
as $$
    select coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
$$;
drop function auth.reporting_login_school();
