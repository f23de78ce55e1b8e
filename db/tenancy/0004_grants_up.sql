-- Privileges: which operations each API role may attempt, on which objects.
-- Which rows those operations reach is decided by the policies
-- (0004_policies_up.sql); db/tenancy/ACCESS_MATRIX.md is both as one table, and
-- tests/db/test_rls_matrix.py checks every cell of it.
--
-- Least privilege:
--   * API roles get USAGE on `api` (and on `auth`, granted in 0003), never on
--     `data` or `audit`: tables are reached only through the api views.
--   * The views are security_invoker, so the caller also needs the privilege on
--     the table behind the view. Each grant below is therefore made twice, on
--     api.<table> and on the table itself, from one list, so the two cannot differ.
--     (Schema USAGE is checked when a name is looked up, which for a view happens
--     when the view is created, so no USAGE on `data` is needed for this.)
--   * data.users.password_hash: no API role may read or write it, so users is
--     granted by column list, never as a whole table.
--   * anon: USAGE on `api` only; no tenant data at all.
--   * Nothing is owned by an API role and none has BYPASSRLS (bootstrap.sql,
--     checked by tests/db/test_security_catalog.py).

grant usage on schema api to anon, school_admin, teacher, parent, student, partner_sync, reporting;
-- The stable BI views (0004_reporting_up.sql): reporting logins, and admins who
-- want the same figures in the dashboard.
grant usage on schema reporting to school_admin, reporting;

do $$
declare
    g record;
    t text;
    base text;
begin
    for g in
        select * from (values
            ('school_admin', 'select, update', array['schools']),
            ('school_admin', 'select', array['audit_log']),
            ('school_admin', 'select, insert, update, delete', array[
                'school_settings', 'students', 'teachers', 'parents', 'student_parents',
                'academic_terms', 'subjects', 'rooms', 'classes', 'enrollments', 'attendance_records',
                'assignments', 'assessments', 'grades', 'announcements', 'discipline_incidents',
                'health_records', 'communication_logs', 'fee_types', 'invoices', 'invoice_items', 'payments']),

            ('teacher', 'select', array[
                'schools', 'students', 'teachers', 'academic_terms', 'subjects', 'rooms', 'classes',
                'enrollments', 'announcements']),
            ('teacher', 'select, insert, update', array['attendance_records']),
            ('teacher', 'select, insert, update, delete', array['assignments', 'assessments', 'grades']),
            ('teacher', 'select, insert', array['discipline_incidents']),

            ('parent', 'select', array[
                'schools', 'students', 'parents', 'student_parents', 'academic_terms', 'subjects',
                'classes', 'enrollments', 'attendance_records', 'assignments', 'assessments', 'grades',
                'announcements', 'invoices', 'invoice_items', 'payments']),

            ('student', 'select', array[
                'schools', 'students', 'academic_terms', 'subjects', 'classes', 'enrollments',
                'attendance_records', 'assignments', 'assessments', 'grades', 'announcements']),

            ('partner_sync', 'select', array['schools']),
            ('partner_sync', 'select, insert, update, delete', array[
                'students', 'teachers', 'parents', 'student_parents', 'academic_terms', 'subjects',
                'rooms', 'classes', 'enrollments']),

            ('reporting', 'select', array[
                'schools', 'school_settings', 'students', 'teachers', 'parents', 'student_parents',
                'academic_terms', 'subjects', 'rooms', 'classes', 'enrollments', 'attendance_records',
                'assignments', 'assessments', 'grades', 'announcements', 'discipline_incidents',
                'communication_logs', 'fee_types', 'invoices', 'invoice_items', 'payments'])
        ) as matrix (role, privileges, tables)
    loop
        foreach t in array g.tables
        loop
            base := case t when 'audit_log' then 'audit.audit_log' else format('data.%I', t) end;
            execute format('grant %s on table %s to %I', g.privileges, base, g.role);
            execute format('grant %s on table api.%I to %I', g.privileges, t, g.role);
        end loop;
    end loop;
end
$$;

-- data.users by column list: every column except password_hash. Which operations
-- per role: admins all (delete too), partners select/insert/update (a partner
-- deactivates a login, never removes it), reporting select, and teachers,
-- parents and students select (their own row, by policy).
grant select (id, school_id, email, role, is_active, created_at, updated_at, is_deleted)
    on table data.users to school_admin, teacher, parent, student, partner_sync, reporting;
grant insert (id, school_id, email, role, is_active, created_at, updated_at, is_deleted),
      update (id, school_id, email, role, is_active, created_at, updated_at, is_deleted)
    on table data.users to school_admin, partner_sync;
grant delete on table data.users to school_admin;
grant select on table api.users to school_admin, teacher, parent, student, partner_sync, reporting;
grant insert, update on table api.users to school_admin, partner_sync;
grant delete on table api.users to school_admin;

-- Integrity trigger functions of 0002 that read other tables run as the table
-- owner. They were written as SECURITY INVOKER, which cannot work under these
-- grants: an API role has no USAGE on `data`, so `data.assignments` inside the
-- function body fails name lookup (42501 "permission denied for schema data"), and
-- a check that sees only the writer's rows (RLS) would be wrong for a key check
-- anyway (a partner deleting a student cannot see communication logs). Each reads
-- only rows of the written row's school, by key. Empty search_path because a
-- SECURITY DEFINER function must never resolve a name through the caller's path;
-- their bodies are fully schema-qualified. (Belongs in 0002; see the tenancy report.)
do $$
declare
    f regprocedure;
begin
    foreach f in array array[
        to_regprocedure('data.grades_check_score_within_max()'),
        to_regprocedure('data.communication_logs_check_party()'),
        to_regprocedure('data.communication_logs_check_party_kept()')]
    loop
        if f is not null then
            execute format('alter function %s security definer set search_path = %L', f, '');
        end if;
    end loop;
end
$$;
