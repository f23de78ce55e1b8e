-- Row-level security: which rows each API role sees and may write.
-- db/tenancy/ACCESS_MATRIX.md is the same rules as a table (role x table x
-- operation); tests/db/test_rls_matrix.py reads that file and checks every cell.
--
-- Rules for every policy here:
--   * scoped `to <role>`, never PUBLIC: permissive policies are OR-ed, so a broad
--     policy beside a narrow one would make both useless to the planner (DESIGN.md);
--   * the school comes from `(select auth.school_id())`, evaluated once per
--     statement (an initplan), never per row;
--   * every policy that lets a row be written has a WITH CHECK, so no row can be
--     written into, or moved to, another school or out of the writer's scope;
--   * names are <table>_<role>_<action>.
-- Soft-deleted rows are not hidden here but by the api views (0004_api_views_up.sql):
-- they still belong to their school (history, audit, purge), and keeping
-- is_deleted out of the policies keeps every policy the same for live and
-- deleted rows, so a soft delete can never move a row out of its writer's reach.
-- Table privileges (0004_grants_up.sql) decide which operations a role may try at
-- all; these policies decide on which rows.

-- (1) RLS on, and forced: the table owner (school_owner) obeys policies too, so
-- a SECURITY DEFINER function sees only what its `<table>_owner_all` policy allows.
do $$
declare
    t regclass;
begin
    for t in
        select c.oid::regclass
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p')
          and (n.nspname = 'data'
               or (n.nspname, c.relname) in (('audit', 'audit_log'), ('auth', 'reporting_logins')))
        order by 1
    loop
        execute format('alter table %s enable row level security', t);
        execute format('alter table %s force row level security', t);
        -- The owner's SECURITY DEFINER functions (scope helpers, audit and finance
        -- triggers, login lookup, reporting logins) must see and write every row:
        -- they apply their own school filter. The owner is NOLOGIN, so nobody
        -- holds this policy in a session of their own.
        execute format('create policy %I on %s for all to school_owner using (true) with check (true)',
                       (select relname from pg_class where oid = t) || '_owner_all', t);
    end loop;
end
$$;

-- (2) Whole-school policies, generated from explicit lists: one per table and role.
do $$
declare
    t text;
    school constant text := 'school_id = (select auth.school_id())';
begin
    -- school_admin: every row of its school, every operation (audit_log and
    -- schools are below: read-only, and read+update).
    foreach t in array array[
        'users', 'school_settings', 'students', 'teachers', 'parents', 'student_parents',
        'academic_terms', 'subjects', 'rooms', 'classes', 'enrollments', 'attendance_records',
        'assignments', 'assessments', 'grades', 'announcements', 'discipline_incidents',
        'health_records', 'communication_logs', 'fee_types', 'invoices', 'invoice_items', 'payments']
    loop
        execute format('create policy %I on data.%I for all to school_admin using (%s) with check (%s)',
                       t || '_school_admin_all', t, school, school);
    end loop;

    -- partner_sync: the roster of its school (OneRoster's users, classes,
    -- enrollments, academic sessions, courses, rooms). users has no delete: a
    -- partner deactivates a login (is_active), it never removes one.
    foreach t in array array[
        'students', 'teachers', 'parents', 'student_parents', 'academic_terms', 'subjects',
        'rooms', 'classes', 'enrollments']
    loop
        execute format('create policy %I on data.%I for all to partner_sync using (%s) with check (%s)',
                       t || '_partner_sync_all', t, school, school);
    end loop;

    -- reporting: reads every tenant table of its school except health records
    -- (special-category data stays in the app, for admins). Never writes.
    foreach t in array array[
        'users', 'school_settings', 'students', 'teachers', 'parents', 'student_parents',
        'academic_terms', 'subjects', 'rooms', 'classes', 'enrollments', 'attendance_records',
        'assignments', 'assessments', 'grades', 'announcements', 'discipline_incidents',
        'communication_logs', 'fee_types', 'invoices', 'invoice_items', 'payments']
    loop
        execute format('create policy %I on data.%I for select to reporting using (%s)',
                       t || '_reporting_select', t, school);
    end loop;

    -- School-wide reference data the timetable and gradebook screens need.
    foreach t in array array['academic_terms', 'subjects', 'rooms']
    loop
        execute format('create policy %I on data.%I for select to teacher using (%s)', t || '_teacher_select', t, school);
    end loop;
    foreach t in array array['academic_terms', 'subjects']
    loop
        execute format('create policy %I on data.%I for select to parent using (%s)', t || '_parent_select', t, school);
        execute format('create policy %I on data.%I for select to student using (%s)', t || '_student_select', t, school);
    end loop;
end
$$;

-- (3) data.schools: the key is `id`. Every member of a school reads its row (the
-- name and contacts every screen shows); only its admin edits it. Schools are
-- created and removed by the operator, never through the API.
create policy schools_school_admin_select on data.schools for select to school_admin
    using (id = (select auth.school_id()));
create policy schools_school_admin_update on data.schools for update to school_admin
    using (id = (select auth.school_id())) with check (id = (select auth.school_id()));
create policy schools_teacher_select on data.schools for select to teacher using (id = (select auth.school_id()));
create policy schools_parent_select on data.schools for select to parent using (id = (select auth.school_id()));
create policy schools_student_select on data.schools for select to student using (id = (select auth.school_id()));
create policy schools_partner_sync_select on data.schools for select to partner_sync using (id = (select auth.school_id()));
create policy schools_reporting_select on data.schools for select to reporting using (id = (select auth.school_id()));

-- (4) audit.audit_log: its school's admins read it. Nobody writes it directly; the
-- audit trigger (db/audit) writes as the owner.
create policy audit_log_school_admin_select on audit.audit_log for select to school_admin
    using (school_id = (select auth.school_id()));

-- (5) data.users: a partner creates and updates logins (never password hashes:
-- column privileges), but never an ADMIN login, nor makes one: a partner that
-- could set an admin's email could take the account over through a password
-- reset, and one that could mint admins would own the school.
-- Teachers, parents and students read their own row only.
create policy users_partner_sync_select on data.users for select to partner_sync
    using (school_id = (select auth.school_id()));
create policy users_partner_sync_insert on data.users for insert to partner_sync
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN');
create policy users_partner_sync_update on data.users for update to partner_sync
    using (school_id = (select auth.school_id()) and role <> 'ADMIN')
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN');
create policy users_teacher_select on data.users for select to teacher
    using (school_id = (select auth.school_id()) and id = (select auth.user_id()));
create policy users_parent_select on data.users for select to parent
    using (school_id = (select auth.school_id()) and id = (select auth.user_id()));
create policy users_student_select on data.users for select to student
    using (school_id = (select auth.school_id()) and id = (select auth.user_id()));

-- (6) People. A teacher sees the students enrolled in the classes they teach and
-- their own teacher row; a parent their linked children, own parent row and own
-- links; a student their own row.
create policy students_teacher_select on data.students for select to teacher
    using (school_id = (select auth.school_id()) and id = any ((select auth.teacher_student_ids())::uuid[]));
create policy students_parent_select on data.students for select to parent
    using (school_id = (select auth.school_id()) and id = any ((select auth.parent_student_ids())::uuid[]));
create policy students_student_select on data.students for select to student
    using (school_id = (select auth.school_id()) and id = (select auth.student_id()));
create policy teachers_teacher_select on data.teachers for select to teacher
    using (school_id = (select auth.school_id()) and user_id = (select auth.user_id()));
create policy parents_parent_select on data.parents for select to parent
    using (school_id = (select auth.school_id()) and user_id = (select auth.user_id()));
create policy student_parents_parent_select on data.student_parents for select to parent
    using (school_id = (select auth.school_id()) and parent_id = (select auth.parent_id()));

-- (7) Classes and enrollments: taught (teacher), the children's (parent), own (student).
create policy classes_teacher_select on data.classes for select to teacher
    using (school_id = (select auth.school_id()) and id = any ((select auth.teacher_class_ids())::uuid[]));
create policy classes_parent_select on data.classes for select to parent
    using (school_id = (select auth.school_id()) and id = any ((select auth.parent_class_ids())::uuid[]));
create policy classes_student_select on data.classes for select to student
    using (school_id = (select auth.school_id()) and id = any ((select auth.student_class_ids())::uuid[]));
create policy enrollments_teacher_select on data.enrollments for select to teacher
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]));
create policy enrollments_parent_select on data.enrollments for select to parent
    using (school_id = (select auth.school_id()) and student_id = any ((select auth.parent_student_ids())::uuid[]));
create policy enrollments_student_select on data.enrollments for select to student
    using (school_id = (select auth.school_id()) and student_id = (select auth.student_id()));

-- (8) Attendance. A teacher marks and corrects attendance in the classes they
-- teach, for students enrolled in their classes; a new mark is recorded in their
-- own name (recorded_by_id cannot be forged). No delete: a wrong mark is corrected.
create policy attendance_records_teacher_select on data.attendance_records for select to teacher
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]));
create policy attendance_records_teacher_insert on data.attendance_records for insert to teacher
    with check (
        school_id = (select auth.school_id())
        and class_id = any ((select auth.teacher_class_ids())::uuid[])
        and student_id = any ((select auth.teacher_student_ids())::uuid[])
        and recorded_by_id = (select auth.user_id())
    );
create policy attendance_records_teacher_update on data.attendance_records for update to teacher
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]))
    with check (
        school_id = (select auth.school_id())
        and class_id = any ((select auth.teacher_class_ids())::uuid[])
        and student_id = any ((select auth.teacher_student_ids())::uuid[])
    );
create policy attendance_records_parent_select on data.attendance_records for select to parent
    using (school_id = (select auth.school_id()) and student_id = any ((select auth.parent_student_ids())::uuid[]));
create policy attendance_records_student_select on data.attendance_records for select to student
    using (school_id = (select auth.school_id()) and student_id = (select auth.student_id()));

-- (9) Assignments and assessments: the teacher of the class owns them; parents
-- and students read those of their (children's) classes.
create policy assignments_teacher_all on data.assignments for all to teacher
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]))
    with check (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]));
create policy assignments_parent_select on data.assignments for select to parent
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.parent_class_ids())::uuid[]));
create policy assignments_student_select on data.assignments for select to student
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.student_class_ids())::uuid[]));
create policy assessments_teacher_all on data.assessments for all to teacher
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]))
    with check (school_id = (select auth.school_id()) and class_id = any ((select auth.teacher_class_ids())::uuid[]));
create policy assessments_parent_select on data.assessments for select to parent
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.parent_class_ids())::uuid[]));
create policy assessments_student_select on data.assessments for select to student
    using (school_id = (select auth.school_id()) and class_id = any ((select auth.student_class_ids())::uuid[]));

-- (10) Grades: a teacher grades the assignments and assessments of their classes,
-- for students enrolled in their classes; a new grade is recorded in their name.
create policy grades_teacher_select on data.grades for select to teacher
    using (
        school_id = (select auth.school_id())
        and (assignment_id = any ((select auth.teacher_assignment_ids())::uuid[])
             or assessment_id = any ((select auth.teacher_assessment_ids())::uuid[]))
    );
create policy grades_teacher_insert on data.grades for insert to teacher
    with check (
        school_id = (select auth.school_id())
        and (assignment_id = any ((select auth.teacher_assignment_ids())::uuid[])
             or assessment_id = any ((select auth.teacher_assessment_ids())::uuid[]))
        and student_id = any ((select auth.teacher_student_ids())::uuid[])
        and recorded_by_user_id = (select auth.user_id())
    );
create policy grades_teacher_update on data.grades for update to teacher
    using (
        school_id = (select auth.school_id())
        and (assignment_id = any ((select auth.teacher_assignment_ids())::uuid[])
             or assessment_id = any ((select auth.teacher_assessment_ids())::uuid[]))
    )
    with check (
        school_id = (select auth.school_id())
        and (assignment_id = any ((select auth.teacher_assignment_ids())::uuid[])
             or assessment_id = any ((select auth.teacher_assessment_ids())::uuid[]))
        and student_id = any ((select auth.teacher_student_ids())::uuid[])
    );
create policy grades_teacher_delete on data.grades for delete to teacher
    using (
        school_id = (select auth.school_id())
        and (assignment_id = any ((select auth.teacher_assignment_ids())::uuid[])
             or assessment_id = any ((select auth.teacher_assessment_ids())::uuid[]))
    );
create policy grades_parent_select on data.grades for select to parent
    using (school_id = (select auth.school_id()) and student_id = any ((select auth.parent_student_ids())::uuid[]));
create policy grades_student_select on data.grades for select to student
    using (school_id = (select auth.school_id()) and student_id = (select auth.student_id()));

-- (11) Announcements: read by the roles named in audience.roles.
create policy announcements_teacher_select on data.announcements for select to teacher
    using (school_id = (select auth.school_id()) and audience -> 'roles' ? 'TEACHER');
create policy announcements_parent_select on data.announcements for select to parent
    using (school_id = (select auth.school_id()) and audience -> 'roles' ? 'PARENT');
create policy announcements_student_select on data.announcements for select to student
    using (school_id = (select auth.school_id()) and audience -> 'roles' ? 'STUDENT');

-- (12) Discipline: a teacher reports incidents (in their own name, about any
-- student of the school: playground duty is not a class) and reads the ones they
-- reported. Resolution and everything else is the admins'.
create policy discipline_incidents_teacher_select on data.discipline_incidents for select to teacher
    using (school_id = (select auth.school_id()) and reported_by_user_id = (select auth.user_id()));
create policy discipline_incidents_teacher_insert on data.discipline_incidents for insert to teacher
    with check (school_id = (select auth.school_id()) and reported_by_user_id = (select auth.user_id()));

-- (13) Money: a parent reads the invoices billed to them or to their children,
-- with those invoices' items and payments.
create policy invoices_parent_select on data.invoices for select to parent
    using (school_id = (select auth.school_id()) and id = any ((select auth.parent_invoice_ids())::uuid[]));
create policy invoice_items_parent_select on data.invoice_items for select to parent
    using (school_id = (select auth.school_id()) and invoice_id = any ((select auth.parent_invoice_ids())::uuid[]));
create policy payments_parent_select on data.payments for select to parent
    using (school_id = (select auth.school_id()) and invoice_id = any ((select auth.parent_invoice_ids())::uuid[]));

-- auth.reporting_logins has only its owner policy: the API reaches it through
-- auth.school_id() and the reporting-login functions, all SECURITY DEFINER.
