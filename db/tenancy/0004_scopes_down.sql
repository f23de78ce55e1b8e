-- Undo 0004_scopes_up.sql: drop the scope helpers and put auth.school_id()
-- back exactly as 0003_auth_up.sql defined it (claim first, then the registry).
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

create or replace function auth.school_id() returns uuid
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
