-- Row scopes inside a school: who the caller is (their teacher, parent or
-- student row) and which rows hang off that identity (classes taught,
-- children, own classes). Every role-scoped policy in 0004_policies_up.sql
-- calls these as `(select auth.<helper>())`, so each runs once per statement.
--
-- Why SECURITY DEFINER: a policy on data.students that read data.enrollments
-- as the caller would apply enrollments' policies, which read classes, whose
-- policies read ... (recursion, and a plan per hop). Owned by school_owner,
-- these read through the owner's `<table>_owner_all` policies instead, and
-- every one of them filters on auth.school_id() itself: running as the owner
-- means no policy narrows them, so the school filter here is the tenant wall.
-- `set search_path = ''` so a caller's objects can never be picked up; STABLE
-- because they read claims and tables but change nothing.
--
-- A profile that is soft-deleted gives no scope: a deleted teacher row teaches
-- nothing, a deleted link between a parent and a child links nothing.

-- (1) No claims for a per-school reporting login (redefines auth.claims() of
-- 0003_auth_up.sql). Such a login connects straight to Postgres, so it can run
-- set_config('request.jwt.claims', ...) itself: with claims honoured it could name
-- another school (auth.school_id() reads the claim first) and read that school
-- through the reporting policies, or claim role school_admin or any user's sub.
-- For a registered reporting login the claims are therefore always empty, and
-- auth.school_id() falls through to the registry. Every other session (the
-- gateway's authenticator, a DBA) reads the claims as before.
create function auth.reporting_login_school() returns uuid
language sql stable security definer
set search_path = ''
as $$
    select r.school_id from auth.reporting_logins r where r.role_name = session_user
$$;
comment on function auth.reporting_login_school() is
    'The school of the session''s reporting login, or null when the session is not a registered reporting login.';

create or replace function auth.claims() returns jsonb
language sql stable
as $$
    select case
        when auth.reporting_login_school() is not null then '{}'::jsonb
        else coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
    end
$$;

-- (2) Teachers.
-- The caller's teacher row in the caller's school.
create function auth.teacher_id() returns uuid
language sql stable security definer
set search_path = ''
as $$
    select t.id
    from data.teachers t
    where t.school_id = auth.school_id()
      and t.user_id = auth.user_id()
      and not t.is_deleted
$$;
comment on function auth.teacher_id() is 'The caller''s teacher row (null when the caller is not a teacher of the claimed school).';

-- The classes the caller teaches (classes.teacher_id).
create function auth.teacher_class_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(c.id), '{}')
    from data.classes c
    where c.school_id = auth.school_id()
      and c.teacher_id = auth.teacher_id()
$$;
comment on function auth.teacher_class_ids() is 'Ids of the classes the calling teacher teaches.';

-- The students enrolled in those classes.
create function auth.teacher_student_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(distinct e.student_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.class_id = any (auth.teacher_class_ids())
$$;
comment on function auth.teacher_student_ids() is 'Ids of the students enrolled in the classes the calling teacher teaches.';

-- Assignments and assessments of those classes: what a teacher may grade.
create function auth.teacher_assignment_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(a.id), '{}')
    from data.assignments a
    where a.school_id = auth.school_id()
      and a.class_id = any (auth.teacher_class_ids())
$$;
comment on function auth.teacher_assignment_ids() is 'Ids of the assignments of the classes the calling teacher teaches.';

create function auth.teacher_assessment_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(a.id), '{}')
    from data.assessments a
    where a.school_id = auth.school_id()
      and a.class_id = any (auth.teacher_class_ids())
$$;
comment on function auth.teacher_assessment_ids() is 'Ids of the assessments of the classes the calling teacher teaches.';

-- (3) Parents.
create function auth.parent_id() returns uuid
language sql stable security definer
set search_path = ''
as $$
    select p.id
    from data.parents p
    where p.school_id = auth.school_id()
      and p.user_id = auth.user_id()
      and not p.is_deleted
$$;
comment on function auth.parent_id() is 'The caller''s parent row (null when the caller is not a parent of the claimed school).';

-- The caller's children: students linked through data.student_parents.
create function auth.parent_student_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(sp.student_id), '{}')
    from data.student_parents sp
    where sp.school_id = auth.school_id()
      and sp.parent_id = auth.parent_id()
$$;
comment on function auth.parent_student_ids() is 'Ids of the calling parent''s linked children.';

-- The classes the caller's children are enrolled in.
create function auth.parent_class_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(distinct e.class_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.student_id = any (auth.parent_student_ids())
$$;
comment on function auth.parent_class_ids() is 'Ids of the classes the calling parent''s children are enrolled in.';

-- Invoices billed to the caller or to one of the caller's children.
create function auth.parent_invoice_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(i.id), '{}')
    from data.invoices i
    where i.school_id = auth.school_id()
      and (i.parent_id = auth.parent_id() or i.student_id = any (auth.parent_student_ids()))
$$;
comment on function auth.parent_invoice_ids() is 'Ids of the invoices billed to the calling parent or to their children.';

-- (4) Students.
create function auth.student_id() returns uuid
language sql stable security definer
set search_path = ''
as $$
    select s.id
    from data.students s
    where s.school_id = auth.school_id()
      and s.user_id = auth.user_id()
      and not s.is_deleted
$$;
comment on function auth.student_id() is 'The caller''s student row (null when the caller is not a student of the claimed school).';

create function auth.student_class_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(e.class_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.student_id = auth.student_id()
$$;
comment on function auth.student_class_ids() is 'Ids of the classes the calling student is enrolled in.';

-- (5) Who may call them: the role whose policies use them (a policy's
-- expression runs with the caller's privileges). Nothing for PUBLIC.
revoke execute on function
    auth.teacher_id(), auth.teacher_class_ids(), auth.teacher_student_ids(),
    auth.teacher_assignment_ids(), auth.teacher_assessment_ids(),
    auth.parent_id(), auth.parent_student_ids(), auth.parent_class_ids(), auth.parent_invoice_ids(),
    auth.student_id(), auth.student_class_ids()
    from public;
-- auth.reporting_login_school() keeps PUBLIC's EXECUTE: auth.claims() (itself
-- PUBLIC) calls it in the caller's name, whoever the caller is, and it answers
-- only about the session itself.
grant execute on function
    auth.teacher_id(), auth.teacher_class_ids(), auth.teacher_student_ids(),
    auth.teacher_assignment_ids(), auth.teacher_assessment_ids()
    to teacher;
grant execute on function
    auth.parent_id(), auth.parent_student_ids(), auth.parent_class_ids(), auth.parent_invoice_ids()
    to parent;
grant execute on function auth.student_id(), auth.student_class_ids() to student;
