-- Row-level security: enabled and forced on every tenant table; one policy per
-- table, role and action (db/tenancy/ACCESS_MATRIX.md).
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Every tenant table: row-level security on, and forced, so that even the
-- owner goes through policies; the owner's own policy lets migrations and
-- SECURITY DEFINER functions see every row.
do $$
declare
    t regclass;
begin
    for t in
        select c.oid::regclass
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and not c.relispartition  -- partitions: db/partitions/partitions.sql
          and (n.nspname = 'data' or (n.nspname, c.relname) in (('audit', 'audit_log'), ('auth', 'reporting_logins')))
        order by 1
    loop
        execute format('alter table %s enable row level security', t);
        execute format('alter table %s force row level security', t);
        execute format('drop policy if exists %I on %s', (select relname from pg_class where oid = t) || '_owner_all', t);
        execute format('create policy %I on %s for all to school_owner using (true) with check (true)',
                       (select relname from pg_class where oid = t) || '_owner_all', t);
    end loop;
end
$$;

drop policy if exists audit_log_school_admin_select on audit.audit_log;
create policy audit_log_school_admin_select on audit.audit_log for select to school_admin using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists academic_terms_parent_select on data.academic_terms;
create policy academic_terms_parent_select on data.academic_terms for select to parent using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists academic_terms_partner_sync_all on data.academic_terms;
create policy academic_terms_partner_sync_all on data.academic_terms to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists academic_terms_reporting_select on data.academic_terms;
create policy academic_terms_reporting_select on data.academic_terms for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists academic_terms_school_admin_all on data.academic_terms;
create policy academic_terms_school_admin_all on data.academic_terms to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists academic_terms_student_select on data.academic_terms;
create policy academic_terms_student_select on data.academic_terms for select to student using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists academic_terms_teacher_select on data.academic_terms;
create policy academic_terms_teacher_select on data.academic_terms for select to teacher using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists announcements_parent_select on data.announcements;
create policy announcements_parent_select on data.announcements for select to parent using (((school_id = ( select auth.school_id() as school_id)) and ((audience -> 'roles'::text) ? 'PARENT'::text)));

drop policy if exists announcements_reporting_select on data.announcements;
create policy announcements_reporting_select on data.announcements for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists announcements_school_admin_all on data.announcements;
create policy announcements_school_admin_all on data.announcements to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists announcements_student_select on data.announcements;
create policy announcements_student_select on data.announcements for select to student using (((school_id = ( select auth.school_id() as school_id)) and ((audience -> 'roles'::text) ? 'STUDENT'::text)));

drop policy if exists announcements_teacher_select on data.announcements;
create policy announcements_teacher_select on data.announcements for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and ((audience -> 'roles'::text) ? 'TEACHER'::text)));

drop policy if exists assessments_parent_select on data.assessments;
create policy assessments_parent_select on data.assessments for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.parent_class_ids() as parent_class_ids)::uuid[]))));

drop policy if exists assessments_reporting_select on data.assessments;
create policy assessments_reporting_select on data.assessments for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists assessments_school_admin_all on data.assessments;
create policy assessments_school_admin_all on data.assessments to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists assessments_student_select on data.assessments;
create policy assessments_student_select on data.assessments for select to student using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.student_class_ids() as student_class_ids)::uuid[]))));

drop policy if exists assessments_teacher_all on data.assessments;
create policy assessments_teacher_all on data.assessments to teacher using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[])))) with check (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[]))));

drop policy if exists assignments_parent_select on data.assignments;
create policy assignments_parent_select on data.assignments for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.parent_class_ids() as parent_class_ids)::uuid[]))));

drop policy if exists assignments_reporting_select on data.assignments;
create policy assignments_reporting_select on data.assignments for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists assignments_school_admin_all on data.assignments;
create policy assignments_school_admin_all on data.assignments to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists assignments_student_select on data.assignments;
create policy assignments_student_select on data.assignments for select to student using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.student_class_ids() as student_class_ids)::uuid[]))));

drop policy if exists assignments_teacher_all on data.assignments;
create policy assignments_teacher_all on data.assignments to teacher using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[])))) with check (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[]))));

drop policy if exists attendance_records_parent_select on data.attendance_records;
create policy attendance_records_parent_select on data.attendance_records for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (student_id = any (( select auth.parent_student_ids() as parent_student_ids)::uuid[]))));

drop policy if exists attendance_records_reporting_select on data.attendance_records;
create policy attendance_records_reporting_select on data.attendance_records for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists attendance_records_school_admin_all on data.attendance_records;
create policy attendance_records_school_admin_all on data.attendance_records to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists attendance_records_student_select on data.attendance_records;
create policy attendance_records_student_select on data.attendance_records for select to student using (((school_id = ( select auth.school_id() as school_id)) and (student_id = ( select auth.student_id() as student_id))));

drop policy if exists attendance_records_teacher_insert on data.attendance_records;
create policy attendance_records_teacher_insert on data.attendance_records for insert to teacher with check (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[])) and (student_id = any (( select auth.teacher_student_ids() as teacher_student_ids)::uuid[])) and (recorded_by_id = ( select auth.user_id() as user_id))));

drop policy if exists attendance_records_teacher_select on data.attendance_records;
create policy attendance_records_teacher_select on data.attendance_records for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[]))));

drop policy if exists attendance_records_teacher_update on data.attendance_records;
create policy attendance_records_teacher_update on data.attendance_records for update to teacher using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[])))) with check (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[])) and (student_id = any (( select auth.teacher_student_ids() as teacher_student_ids)::uuid[]))));

drop policy if exists classes_parent_select on data.classes;
create policy classes_parent_select on data.classes for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (id = any (( select auth.parent_class_ids() as parent_class_ids)::uuid[]))));

drop policy if exists classes_partner_sync_all on data.classes;
create policy classes_partner_sync_all on data.classes to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists classes_reporting_select on data.classes;
create policy classes_reporting_select on data.classes for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists classes_school_admin_all on data.classes;
create policy classes_school_admin_all on data.classes to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists classes_student_select on data.classes;
create policy classes_student_select on data.classes for select to student using (((school_id = ( select auth.school_id() as school_id)) and (id = any (( select auth.student_class_ids() as student_class_ids)::uuid[]))));

drop policy if exists classes_teacher_select on data.classes;
create policy classes_teacher_select on data.classes for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[]))));

drop policy if exists communication_logs_reporting_select on data.communication_logs;
create policy communication_logs_reporting_select on data.communication_logs for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists communication_logs_school_admin_all on data.communication_logs;
create policy communication_logs_school_admin_all on data.communication_logs to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists discipline_incidents_reporting_select on data.discipline_incidents;
create policy discipline_incidents_reporting_select on data.discipline_incidents for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists discipline_incidents_school_admin_all on data.discipline_incidents;
create policy discipline_incidents_school_admin_all on data.discipline_incidents to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists discipline_incidents_teacher_insert on data.discipline_incidents;
create policy discipline_incidents_teacher_insert on data.discipline_incidents for insert to teacher with check (((school_id = ( select auth.school_id() as school_id)) and (reported_by_user_id = ( select auth.user_id() as user_id))));

drop policy if exists discipline_incidents_teacher_select on data.discipline_incidents;
create policy discipline_incidents_teacher_select on data.discipline_incidents for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (reported_by_user_id = ( select auth.user_id() as user_id))));

drop policy if exists enrollments_parent_select on data.enrollments;
create policy enrollments_parent_select on data.enrollments for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (student_id = any (( select auth.parent_student_ids() as parent_student_ids)::uuid[]))));

drop policy if exists enrollments_partner_sync_all on data.enrollments;
create policy enrollments_partner_sync_all on data.enrollments to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists enrollments_reporting_select on data.enrollments;
create policy enrollments_reporting_select on data.enrollments for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists enrollments_school_admin_all on data.enrollments;
create policy enrollments_school_admin_all on data.enrollments to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists enrollments_student_select on data.enrollments;
create policy enrollments_student_select on data.enrollments for select to student using (((school_id = ( select auth.school_id() as school_id)) and (student_id = ( select auth.student_id() as student_id))));

drop policy if exists enrollments_teacher_select on data.enrollments;
create policy enrollments_teacher_select on data.enrollments for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (class_id = any (( select auth.teacher_class_ids() as teacher_class_ids)::uuid[]))));

drop policy if exists fee_types_reporting_select on data.fee_types;
create policy fee_types_reporting_select on data.fee_types for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists fee_types_school_admin_all on data.fee_types;
create policy fee_types_school_admin_all on data.fee_types to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists grades_parent_select on data.grades;
create policy grades_parent_select on data.grades for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (student_id = any (( select auth.parent_student_ids() as parent_student_ids)::uuid[]))));

drop policy if exists grades_reporting_select on data.grades;
create policy grades_reporting_select on data.grades for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists grades_school_admin_all on data.grades;
create policy grades_school_admin_all on data.grades to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists grades_student_select on data.grades;
create policy grades_student_select on data.grades for select to student using (((school_id = ( select auth.school_id() as school_id)) and (student_id = ( select auth.student_id() as student_id))));

drop policy if exists grades_teacher_delete on data.grades;
create policy grades_teacher_delete on data.grades for delete to teacher using (((school_id = ( select auth.school_id() as school_id)) and ((assignment_id = any (( select auth.teacher_assignment_ids() as teacher_assignment_ids)::uuid[])) or (assessment_id = any (( select auth.teacher_assessment_ids() as teacher_assessment_ids)::uuid[])))));

drop policy if exists grades_teacher_insert on data.grades;
create policy grades_teacher_insert on data.grades for insert to teacher with check (((school_id = ( select auth.school_id() as school_id)) and ((assignment_id = any (( select auth.teacher_assignment_ids() as teacher_assignment_ids)::uuid[])) or (assessment_id = any (( select auth.teacher_assessment_ids() as teacher_assessment_ids)::uuid[]))) and (student_id = any (( select auth.teacher_student_ids() as teacher_student_ids)::uuid[])) and (recorded_by_user_id = ( select auth.user_id() as user_id))));

drop policy if exists grades_teacher_select on data.grades;
create policy grades_teacher_select on data.grades for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and ((assignment_id = any (( select auth.teacher_assignment_ids() as teacher_assignment_ids)::uuid[])) or (assessment_id = any (( select auth.teacher_assessment_ids() as teacher_assessment_ids)::uuid[])))));

drop policy if exists grades_teacher_update on data.grades;
create policy grades_teacher_update on data.grades for update to teacher using (((school_id = ( select auth.school_id() as school_id)) and ((assignment_id = any (( select auth.teacher_assignment_ids() as teacher_assignment_ids)::uuid[])) or (assessment_id = any (( select auth.teacher_assessment_ids() as teacher_assessment_ids)::uuid[]))))) with check (((school_id = ( select auth.school_id() as school_id)) and ((assignment_id = any (( select auth.teacher_assignment_ids() as teacher_assignment_ids)::uuid[])) or (assessment_id = any (( select auth.teacher_assessment_ids() as teacher_assessment_ids)::uuid[]))) and (student_id = any (( select auth.teacher_student_ids() as teacher_student_ids)::uuid[]))));

drop policy if exists health_records_school_admin_all on data.health_records;
create policy health_records_school_admin_all on data.health_records to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists invoice_items_parent_select on data.invoice_items;
create policy invoice_items_parent_select on data.invoice_items for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (invoice_id = any (( select auth.parent_invoice_ids() as parent_invoice_ids)::uuid[]))));

drop policy if exists invoice_items_reporting_select on data.invoice_items;
create policy invoice_items_reporting_select on data.invoice_items for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists invoice_items_school_admin_all on data.invoice_items;
create policy invoice_items_school_admin_all on data.invoice_items to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists invoices_parent_select on data.invoices;
create policy invoices_parent_select on data.invoices for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (id = any (( select auth.parent_invoice_ids() as parent_invoice_ids)::uuid[]))));

drop policy if exists invoices_reporting_select on data.invoices;
create policy invoices_reporting_select on data.invoices for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists invoices_school_admin_all on data.invoices;
create policy invoices_school_admin_all on data.invoices to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists parents_parent_select on data.parents;
create policy parents_parent_select on data.parents for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (user_id = ( select auth.user_id() as user_id))));

drop policy if exists parents_partner_sync_all on data.parents;
create policy parents_partner_sync_all on data.parents to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists parents_reporting_select on data.parents;
create policy parents_reporting_select on data.parents for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists parents_school_admin_all on data.parents;
create policy parents_school_admin_all on data.parents to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists partner_clients_school_admin_select on data.partner_clients;
create policy partner_clients_school_admin_select on data.partner_clients for select to school_admin using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists payments_parent_select on data.payments;
create policy payments_parent_select on data.payments for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (invoice_id = any (( select auth.parent_invoice_ids() as parent_invoice_ids)::uuid[]))));

drop policy if exists payments_reporting_select on data.payments;
create policy payments_reporting_select on data.payments for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists payments_school_admin_all on data.payments;
create policy payments_school_admin_all on data.payments to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists rooms_partner_sync_all on data.rooms;
create policy rooms_partner_sync_all on data.rooms to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists rooms_reporting_select on data.rooms;
create policy rooms_reporting_select on data.rooms for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists rooms_school_admin_all on data.rooms;
create policy rooms_school_admin_all on data.rooms to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists rooms_teacher_select on data.rooms;
create policy rooms_teacher_select on data.rooms for select to teacher using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists school_settings_reporting_select on data.school_settings;
create policy school_settings_reporting_select on data.school_settings for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists school_settings_school_admin_all on data.school_settings;
create policy school_settings_school_admin_all on data.school_settings to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists schools_parent_select on data.schools;
create policy schools_parent_select on data.schools for select to parent using ((id = ( select auth.school_id() as school_id)));

drop policy if exists schools_partner_sync_select on data.schools;
create policy schools_partner_sync_select on data.schools for select to partner_sync using (((id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster)));

drop policy if exists schools_reporting_select on data.schools;
create policy schools_reporting_select on data.schools for select to reporting using ((id = ( select auth.school_id() as school_id)));

drop policy if exists schools_school_admin_select on data.schools;
create policy schools_school_admin_select on data.schools for select to school_admin using ((id = ( select auth.school_id() as school_id)));

drop policy if exists schools_school_admin_update on data.schools;
create policy schools_school_admin_update on data.schools for update to school_admin using ((id = ( select auth.school_id() as school_id))) with check ((id = ( select auth.school_id() as school_id)));

drop policy if exists schools_student_select on data.schools;
create policy schools_student_select on data.schools for select to student using ((id = ( select auth.school_id() as school_id)));

drop policy if exists schools_teacher_select on data.schools;
create policy schools_teacher_select on data.schools for select to teacher using ((id = ( select auth.school_id() as school_id)));

drop policy if exists student_parents_parent_select on data.student_parents;
create policy student_parents_parent_select on data.student_parents for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (parent_id = ( select auth.parent_id() as parent_id))));

drop policy if exists student_parents_partner_sync_all on data.student_parents;
create policy student_parents_partner_sync_all on data.student_parents to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists student_parents_reporting_select on data.student_parents;
create policy student_parents_reporting_select on data.student_parents for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists student_parents_school_admin_all on data.student_parents;
create policy student_parents_school_admin_all on data.student_parents to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists students_parent_select on data.students;
create policy students_parent_select on data.students for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (id = any (( select auth.parent_student_ids() as parent_student_ids)::uuid[]))));

drop policy if exists students_partner_sync_all on data.students;
create policy students_partner_sync_all on data.students to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

-- partner_demographics and the token's scopes must agree: a session set to that
-- role with claims that do not allow demographics sees and writes no student
-- (issue 13, F2). Restrictive: AND-ed with students_partner_sync_all, which
-- the role inherits as a member of partner_sync.
drop policy if exists students_partner_demographics_scope on data.students;
create policy students_partner_demographics_scope on data.students as restrictive to partner_demographics using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.may_read_demographics() as may_read_demographics))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.may_read_demographics() as may_read_demographics)));

drop policy if exists students_reporting_select on data.students;
create policy students_reporting_select on data.students for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists students_school_admin_all on data.students;
create policy students_school_admin_all on data.students to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists students_student_select on data.students;
create policy students_student_select on data.students for select to student using (((school_id = ( select auth.school_id() as school_id)) and (id = ( select auth.student_id() as student_id))));

drop policy if exists students_teacher_select on data.students;
create policy students_teacher_select on data.students for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (id = any (( select auth.teacher_student_ids() as teacher_student_ids)::uuid[]))));

drop policy if exists subjects_parent_select on data.subjects;
create policy subjects_parent_select on data.subjects for select to parent using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists subjects_partner_sync_all on data.subjects;
create policy subjects_partner_sync_all on data.subjects to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists subjects_reporting_select on data.subjects;
create policy subjects_reporting_select on data.subjects for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists subjects_school_admin_all on data.subjects;
create policy subjects_school_admin_all on data.subjects to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists subjects_student_select on data.subjects;
create policy subjects_student_select on data.subjects for select to student using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists subjects_teacher_select on data.subjects;
create policy subjects_teacher_select on data.subjects for select to teacher using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists sync_runs_partner_sync_select on data.sync_runs;
create policy sync_runs_partner_sync_select on data.sync_runs for select to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ((actor_sub)::text = ( select (auth.claims() ->> 'sub'::text))) and ( select auth.partner_client_active() as partner_client_active)));

drop policy if exists sync_runs_school_admin_select on data.sync_runs;
create policy sync_runs_school_admin_select on data.sync_runs for select to school_admin using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists teachers_partner_sync_all on data.teachers;
create policy teachers_partner_sync_all on data.teachers to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists teachers_reporting_select on data.teachers;
create policy teachers_reporting_select on data.teachers for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists teachers_school_admin_all on data.teachers;
create policy teachers_school_admin_all on data.teachers to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists teachers_teacher_select on data.teachers;
create policy teachers_teacher_select on data.teachers for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (user_id = ( select auth.user_id() as user_id))));

drop policy if exists users_parent_select on data.users;
create policy users_parent_select on data.users for select to parent using (((school_id = ( select auth.school_id() as school_id)) and (id = ( select auth.user_id() as user_id))));

drop policy if exists users_partner_sync_insert on data.users;
create policy users_partner_sync_insert on data.users for insert to partner_sync with check (((school_id = ( select auth.school_id() as school_id)) and ((role)::text <> 'ADMIN'::text) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists users_partner_sync_select on data.users;
create policy users_partner_sync_select on data.users for select to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster)));

drop policy if exists users_partner_sync_update on data.users;
create policy users_partner_sync_update on data.users for update to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ((role)::text <> 'ADMIN'::text) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_roster() as may_read_roster))) with check (((school_id = ( select auth.school_id() as school_id)) and ((role)::text <> 'ADMIN'::text) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_roster() as may_write_roster)));

drop policy if exists users_reporting_select on data.users;
create policy users_reporting_select on data.users for select to reporting using ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists users_school_admin_all on data.users;
create policy users_school_admin_all on data.users to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists users_student_select on data.users;
create policy users_student_select on data.users for select to student using (((school_id = ( select auth.school_id() as school_id)) and (id = ( select auth.user_id() as user_id))));

drop policy if exists users_teacher_select on data.users;
create policy users_teacher_select on data.users for select to teacher using (((school_id = ( select auth.school_id() as school_id)) and (id = ( select auth.user_id() as user_id))));

-- PostgreSQL database dump complete

-- OneRoster 1.2 Gradebook (issue 17): a partner reads and writes its school's
-- line items (assignments), results (grades), categories and score scales
-- with the gradebook scopes, through the oneroster row views
-- (db/roster/gradebook.sql); admins keep their school's as for every table.
drop policy if exists assignments_partner_sync_all on data.assignments;
create policy assignments_partner_sync_all on data.assignments to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_gradebook() as may_read_gradebook))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_gradebook() as may_write_gradebook)));

drop policy if exists grades_partner_sync_all on data.grades;
create policy grades_partner_sync_all on data.grades to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_gradebook() as may_read_gradebook))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_gradebook() as may_write_gradebook)));

drop policy if exists grade_categories_partner_sync_all on data.grade_categories;
create policy grade_categories_partner_sync_all on data.grade_categories to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_gradebook() as may_read_gradebook))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_gradebook() as may_write_gradebook)));

drop policy if exists score_scales_partner_sync_all on data.score_scales;
create policy score_scales_partner_sync_all on data.score_scales to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_gradebook() as may_read_gradebook))) with check (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_write_gradebook() as may_write_gradebook)));

drop policy if exists grade_categories_school_admin_all on data.grade_categories;
create policy grade_categories_school_admin_all on data.grade_categories to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists score_scales_school_admin_all on data.score_scales;
create policy score_scales_school_admin_all on data.score_scales to school_admin using ((school_id = ( select auth.school_id() as school_id))) with check ((school_id = ( select auth.school_id() as school_id)));

drop policy if exists assessments_partner_sync_select on data.assessments;
create policy assessments_partner_sync_select on data.assessments for select to partner_sync using (((school_id = ( select auth.school_id() as school_id)) and ( select auth.partner_client_active() as partner_client_active) and ( select auth.may_read_gradebook() as may_read_gradebook)));
