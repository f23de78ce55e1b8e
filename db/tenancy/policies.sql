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
        where c.relkind in ('r', 'p')
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

DROP POLICY IF EXISTS audit_log_school_admin_select ON audit.audit_log;
CREATE POLICY audit_log_school_admin_select ON audit.audit_log FOR SELECT TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS academic_terms_parent_select ON data.academic_terms;
CREATE POLICY academic_terms_parent_select ON data.academic_terms FOR SELECT TO parent USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS academic_terms_partner_sync_all ON data.academic_terms;
CREATE POLICY academic_terms_partner_sync_all ON data.academic_terms TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS academic_terms_reporting_select ON data.academic_terms;
CREATE POLICY academic_terms_reporting_select ON data.academic_terms FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS academic_terms_school_admin_all ON data.academic_terms;
CREATE POLICY academic_terms_school_admin_all ON data.academic_terms TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS academic_terms_student_select ON data.academic_terms;
CREATE POLICY academic_terms_student_select ON data.academic_terms FOR SELECT TO student USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS academic_terms_teacher_select ON data.academic_terms;
CREATE POLICY academic_terms_teacher_select ON data.academic_terms FOR SELECT TO teacher USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS announcements_parent_select ON data.announcements;
CREATE POLICY announcements_parent_select ON data.announcements FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((audience -> 'roles'::text) ? 'PARENT'::text)));

DROP POLICY IF EXISTS announcements_reporting_select ON data.announcements;
CREATE POLICY announcements_reporting_select ON data.announcements FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS announcements_school_admin_all ON data.announcements;
CREATE POLICY announcements_school_admin_all ON data.announcements TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS announcements_student_select ON data.announcements;
CREATE POLICY announcements_student_select ON data.announcements FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((audience -> 'roles'::text) ? 'STUDENT'::text)));

DROP POLICY IF EXISTS announcements_teacher_select ON data.announcements;
CREATE POLICY announcements_teacher_select ON data.announcements FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((audience -> 'roles'::text) ? 'TEACHER'::text)));

DROP POLICY IF EXISTS assessments_parent_select ON data.assessments;
CREATE POLICY assessments_parent_select ON data.assessments FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.parent_class_ids() AS parent_class_ids)::uuid[]))));

DROP POLICY IF EXISTS assessments_reporting_select ON data.assessments;
CREATE POLICY assessments_reporting_select ON data.assessments FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS assessments_school_admin_all ON data.assessments;
CREATE POLICY assessments_school_admin_all ON data.assessments TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS assessments_student_select ON data.assessments;
CREATE POLICY assessments_student_select ON data.assessments FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.student_class_ids() AS student_class_ids)::uuid[]))));

DROP POLICY IF EXISTS assessments_teacher_all ON data.assessments;
CREATE POLICY assessments_teacher_all ON data.assessments TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[])))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[]))));

DROP POLICY IF EXISTS assignments_parent_select ON data.assignments;
CREATE POLICY assignments_parent_select ON data.assignments FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.parent_class_ids() AS parent_class_ids)::uuid[]))));

DROP POLICY IF EXISTS assignments_reporting_select ON data.assignments;
CREATE POLICY assignments_reporting_select ON data.assignments FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS assignments_school_admin_all ON data.assignments;
CREATE POLICY assignments_school_admin_all ON data.assignments TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS assignments_student_select ON data.assignments;
CREATE POLICY assignments_student_select ON data.assignments FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.student_class_ids() AS student_class_ids)::uuid[]))));

DROP POLICY IF EXISTS assignments_teacher_all ON data.assignments;
CREATE POLICY assignments_teacher_all ON data.assignments TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[])))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[]))));

DROP POLICY IF EXISTS attendance_records_parent_select ON data.attendance_records;
CREATE POLICY attendance_records_parent_select ON data.attendance_records FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (student_id = ANY (( SELECT auth.parent_student_ids() AS parent_student_ids)::uuid[]))));

DROP POLICY IF EXISTS attendance_records_reporting_select ON data.attendance_records;
CREATE POLICY attendance_records_reporting_select ON data.attendance_records FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS attendance_records_school_admin_all ON data.attendance_records;
CREATE POLICY attendance_records_school_admin_all ON data.attendance_records TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS attendance_records_student_select ON data.attendance_records;
CREATE POLICY attendance_records_student_select ON data.attendance_records FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (student_id = ( SELECT auth.student_id() AS student_id))));

DROP POLICY IF EXISTS attendance_records_teacher_insert ON data.attendance_records;
CREATE POLICY attendance_records_teacher_insert ON data.attendance_records FOR INSERT TO teacher WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[])) AND (student_id = ANY (( SELECT auth.teacher_student_ids() AS teacher_student_ids)::uuid[])) AND (recorded_by_id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS attendance_records_teacher_select ON data.attendance_records;
CREATE POLICY attendance_records_teacher_select ON data.attendance_records FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[]))));

DROP POLICY IF EXISTS attendance_records_teacher_update ON data.attendance_records;
CREATE POLICY attendance_records_teacher_update ON data.attendance_records FOR UPDATE TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[])))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[])) AND (student_id = ANY (( SELECT auth.teacher_student_ids() AS teacher_student_ids)::uuid[]))));

DROP POLICY IF EXISTS classes_parent_select ON data.classes;
CREATE POLICY classes_parent_select ON data.classes FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ANY (( SELECT auth.parent_class_ids() AS parent_class_ids)::uuid[]))));

DROP POLICY IF EXISTS classes_partner_sync_all ON data.classes;
CREATE POLICY classes_partner_sync_all ON data.classes TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS classes_reporting_select ON data.classes;
CREATE POLICY classes_reporting_select ON data.classes FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS classes_school_admin_all ON data.classes;
CREATE POLICY classes_school_admin_all ON data.classes TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS classes_student_select ON data.classes;
CREATE POLICY classes_student_select ON data.classes FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ANY (( SELECT auth.student_class_ids() AS student_class_ids)::uuid[]))));

DROP POLICY IF EXISTS classes_teacher_select ON data.classes;
CREATE POLICY classes_teacher_select ON data.classes FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[]))));

DROP POLICY IF EXISTS communication_logs_reporting_select ON data.communication_logs;
CREATE POLICY communication_logs_reporting_select ON data.communication_logs FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS communication_logs_school_admin_all ON data.communication_logs;
CREATE POLICY communication_logs_school_admin_all ON data.communication_logs TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS discipline_incidents_reporting_select ON data.discipline_incidents;
CREATE POLICY discipline_incidents_reporting_select ON data.discipline_incidents FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS discipline_incidents_school_admin_all ON data.discipline_incidents;
CREATE POLICY discipline_incidents_school_admin_all ON data.discipline_incidents TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS discipline_incidents_teacher_insert ON data.discipline_incidents;
CREATE POLICY discipline_incidents_teacher_insert ON data.discipline_incidents FOR INSERT TO teacher WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND (reported_by_user_id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS discipline_incidents_teacher_select ON data.discipline_incidents;
CREATE POLICY discipline_incidents_teacher_select ON data.discipline_incidents FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (reported_by_user_id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS enrollments_parent_select ON data.enrollments;
CREATE POLICY enrollments_parent_select ON data.enrollments FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (student_id = ANY (( SELECT auth.parent_student_ids() AS parent_student_ids)::uuid[]))));

DROP POLICY IF EXISTS enrollments_partner_sync_all ON data.enrollments;
CREATE POLICY enrollments_partner_sync_all ON data.enrollments TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS enrollments_reporting_select ON data.enrollments;
CREATE POLICY enrollments_reporting_select ON data.enrollments FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS enrollments_school_admin_all ON data.enrollments;
CREATE POLICY enrollments_school_admin_all ON data.enrollments TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS enrollments_student_select ON data.enrollments;
CREATE POLICY enrollments_student_select ON data.enrollments FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (student_id = ( SELECT auth.student_id() AS student_id))));

DROP POLICY IF EXISTS enrollments_teacher_select ON data.enrollments;
CREATE POLICY enrollments_teacher_select ON data.enrollments FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (class_id = ANY (( SELECT auth.teacher_class_ids() AS teacher_class_ids)::uuid[]))));

DROP POLICY IF EXISTS fee_types_reporting_select ON data.fee_types;
CREATE POLICY fee_types_reporting_select ON data.fee_types FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS fee_types_school_admin_all ON data.fee_types;
CREATE POLICY fee_types_school_admin_all ON data.fee_types TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS grades_parent_select ON data.grades;
CREATE POLICY grades_parent_select ON data.grades FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (student_id = ANY (( SELECT auth.parent_student_ids() AS parent_student_ids)::uuid[]))));

DROP POLICY IF EXISTS grades_reporting_select ON data.grades;
CREATE POLICY grades_reporting_select ON data.grades FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS grades_school_admin_all ON data.grades;
CREATE POLICY grades_school_admin_all ON data.grades TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS grades_student_select ON data.grades;
CREATE POLICY grades_student_select ON data.grades FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (student_id = ( SELECT auth.student_id() AS student_id))));

DROP POLICY IF EXISTS grades_teacher_delete ON data.grades;
CREATE POLICY grades_teacher_delete ON data.grades FOR DELETE TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((assignment_id = ANY (( SELECT auth.teacher_assignment_ids() AS teacher_assignment_ids)::uuid[])) OR (assessment_id = ANY (( SELECT auth.teacher_assessment_ids() AS teacher_assessment_ids)::uuid[])))));

DROP POLICY IF EXISTS grades_teacher_insert ON data.grades;
CREATE POLICY grades_teacher_insert ON data.grades FOR INSERT TO teacher WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((assignment_id = ANY (( SELECT auth.teacher_assignment_ids() AS teacher_assignment_ids)::uuid[])) OR (assessment_id = ANY (( SELECT auth.teacher_assessment_ids() AS teacher_assessment_ids)::uuid[]))) AND (student_id = ANY (( SELECT auth.teacher_student_ids() AS teacher_student_ids)::uuid[])) AND (recorded_by_user_id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS grades_teacher_select ON data.grades;
CREATE POLICY grades_teacher_select ON data.grades FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((assignment_id = ANY (( SELECT auth.teacher_assignment_ids() AS teacher_assignment_ids)::uuid[])) OR (assessment_id = ANY (( SELECT auth.teacher_assessment_ids() AS teacher_assessment_ids)::uuid[])))));

DROP POLICY IF EXISTS grades_teacher_update ON data.grades;
CREATE POLICY grades_teacher_update ON data.grades FOR UPDATE TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((assignment_id = ANY (( SELECT auth.teacher_assignment_ids() AS teacher_assignment_ids)::uuid[])) OR (assessment_id = ANY (( SELECT auth.teacher_assessment_ids() AS teacher_assessment_ids)::uuid[]))))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((assignment_id = ANY (( SELECT auth.teacher_assignment_ids() AS teacher_assignment_ids)::uuid[])) OR (assessment_id = ANY (( SELECT auth.teacher_assessment_ids() AS teacher_assessment_ids)::uuid[]))) AND (student_id = ANY (( SELECT auth.teacher_student_ids() AS teacher_student_ids)::uuid[]))));

DROP POLICY IF EXISTS health_records_school_admin_all ON data.health_records;
CREATE POLICY health_records_school_admin_all ON data.health_records TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS invoice_items_parent_select ON data.invoice_items;
CREATE POLICY invoice_items_parent_select ON data.invoice_items FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (invoice_id = ANY (( SELECT auth.parent_invoice_ids() AS parent_invoice_ids)::uuid[]))));

DROP POLICY IF EXISTS invoice_items_reporting_select ON data.invoice_items;
CREATE POLICY invoice_items_reporting_select ON data.invoice_items FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS invoice_items_school_admin_all ON data.invoice_items;
CREATE POLICY invoice_items_school_admin_all ON data.invoice_items TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS invoices_parent_select ON data.invoices;
CREATE POLICY invoices_parent_select ON data.invoices FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ANY (( SELECT auth.parent_invoice_ids() AS parent_invoice_ids)::uuid[]))));

DROP POLICY IF EXISTS invoices_reporting_select ON data.invoices;
CREATE POLICY invoices_reporting_select ON data.invoices FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS invoices_school_admin_all ON data.invoices;
CREATE POLICY invoices_school_admin_all ON data.invoices TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS parents_parent_select ON data.parents;
CREATE POLICY parents_parent_select ON data.parents FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (user_id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS parents_partner_sync_all ON data.parents;
CREATE POLICY parents_partner_sync_all ON data.parents TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS parents_reporting_select ON data.parents;
CREATE POLICY parents_reporting_select ON data.parents FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS parents_school_admin_all ON data.parents;
CREATE POLICY parents_school_admin_all ON data.parents TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS partner_clients_school_admin_select ON data.partner_clients;
CREATE POLICY partner_clients_school_admin_select ON data.partner_clients FOR SELECT TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS payments_parent_select ON data.payments;
CREATE POLICY payments_parent_select ON data.payments FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (invoice_id = ANY (( SELECT auth.parent_invoice_ids() AS parent_invoice_ids)::uuid[]))));

DROP POLICY IF EXISTS payments_reporting_select ON data.payments;
CREATE POLICY payments_reporting_select ON data.payments FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS payments_school_admin_all ON data.payments;
CREATE POLICY payments_school_admin_all ON data.payments TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS rooms_partner_sync_all ON data.rooms;
CREATE POLICY rooms_partner_sync_all ON data.rooms TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS rooms_reporting_select ON data.rooms;
CREATE POLICY rooms_reporting_select ON data.rooms FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS rooms_school_admin_all ON data.rooms;
CREATE POLICY rooms_school_admin_all ON data.rooms TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS rooms_teacher_select ON data.rooms;
CREATE POLICY rooms_teacher_select ON data.rooms FOR SELECT TO teacher USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS school_settings_reporting_select ON data.school_settings;
CREATE POLICY school_settings_reporting_select ON data.school_settings FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS school_settings_school_admin_all ON data.school_settings;
CREATE POLICY school_settings_school_admin_all ON data.school_settings TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS schools_parent_select ON data.schools;
CREATE POLICY schools_parent_select ON data.schools FOR SELECT TO parent USING ((id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS schools_partner_sync_select ON data.schools;
CREATE POLICY schools_partner_sync_select ON data.schools FOR SELECT TO partner_sync USING (((id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster)));

DROP POLICY IF EXISTS schools_reporting_select ON data.schools;
CREATE POLICY schools_reporting_select ON data.schools FOR SELECT TO reporting USING ((id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS schools_school_admin_select ON data.schools;
CREATE POLICY schools_school_admin_select ON data.schools FOR SELECT TO school_admin USING ((id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS schools_school_admin_update ON data.schools;
CREATE POLICY schools_school_admin_update ON data.schools FOR UPDATE TO school_admin USING ((id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS schools_student_select ON data.schools;
CREATE POLICY schools_student_select ON data.schools FOR SELECT TO student USING ((id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS schools_teacher_select ON data.schools;
CREATE POLICY schools_teacher_select ON data.schools FOR SELECT TO teacher USING ((id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS student_parents_parent_select ON data.student_parents;
CREATE POLICY student_parents_parent_select ON data.student_parents FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (parent_id = ( SELECT auth.parent_id() AS parent_id))));

DROP POLICY IF EXISTS student_parents_partner_sync_all ON data.student_parents;
CREATE POLICY student_parents_partner_sync_all ON data.student_parents TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS student_parents_reporting_select ON data.student_parents;
CREATE POLICY student_parents_reporting_select ON data.student_parents FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS student_parents_school_admin_all ON data.student_parents;
CREATE POLICY student_parents_school_admin_all ON data.student_parents TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS students_parent_select ON data.students;
CREATE POLICY students_parent_select ON data.students FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ANY (( SELECT auth.parent_student_ids() AS parent_student_ids)::uuid[]))));

DROP POLICY IF EXISTS students_partner_sync_all ON data.students;
CREATE POLICY students_partner_sync_all ON data.students TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS students_reporting_select ON data.students;
CREATE POLICY students_reporting_select ON data.students FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS students_school_admin_all ON data.students;
CREATE POLICY students_school_admin_all ON data.students TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS students_student_select ON data.students;
CREATE POLICY students_student_select ON data.students FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ( SELECT auth.student_id() AS student_id))));

DROP POLICY IF EXISTS students_teacher_select ON data.students;
CREATE POLICY students_teacher_select ON data.students FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ANY (( SELECT auth.teacher_student_ids() AS teacher_student_ids)::uuid[]))));

DROP POLICY IF EXISTS subjects_parent_select ON data.subjects;
CREATE POLICY subjects_parent_select ON data.subjects FOR SELECT TO parent USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS subjects_partner_sync_all ON data.subjects;
CREATE POLICY subjects_partner_sync_all ON data.subjects TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS subjects_reporting_select ON data.subjects;
CREATE POLICY subjects_reporting_select ON data.subjects FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS subjects_school_admin_all ON data.subjects;
CREATE POLICY subjects_school_admin_all ON data.subjects TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS subjects_student_select ON data.subjects;
CREATE POLICY subjects_student_select ON data.subjects FOR SELECT TO student USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS subjects_teacher_select ON data.subjects;
CREATE POLICY subjects_teacher_select ON data.subjects FOR SELECT TO teacher USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS sync_runs_partner_sync_select ON data.sync_runs;
CREATE POLICY sync_runs_partner_sync_select ON data.sync_runs FOR SELECT TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((actor_sub)::text = ( SELECT (auth.claims() ->> 'sub'::text))) AND ( SELECT auth.partner_client_active() AS partner_client_active)));

DROP POLICY IF EXISTS sync_runs_school_admin_select ON data.sync_runs;
CREATE POLICY sync_runs_school_admin_select ON data.sync_runs FOR SELECT TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS teachers_partner_sync_all ON data.teachers;
CREATE POLICY teachers_partner_sync_all ON data.teachers TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS teachers_reporting_select ON data.teachers;
CREATE POLICY teachers_reporting_select ON data.teachers FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS teachers_school_admin_all ON data.teachers;
CREATE POLICY teachers_school_admin_all ON data.teachers TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS teachers_teacher_select ON data.teachers;
CREATE POLICY teachers_teacher_select ON data.teachers FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (user_id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS users_parent_select ON data.users;
CREATE POLICY users_parent_select ON data.users FOR SELECT TO parent USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS users_partner_sync_insert ON data.users;
CREATE POLICY users_partner_sync_insert ON data.users FOR INSERT TO partner_sync WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((role)::text <> 'ADMIN'::text) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS users_partner_sync_select ON data.users;
CREATE POLICY users_partner_sync_select ON data.users FOR SELECT TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster)));

DROP POLICY IF EXISTS users_partner_sync_update ON data.users;
CREATE POLICY users_partner_sync_update ON data.users FOR UPDATE TO partner_sync USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((role)::text <> 'ADMIN'::text) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_read_roster() AS may_read_roster))) WITH CHECK (((school_id = ( SELECT auth.school_id() AS school_id)) AND ((role)::text <> 'ADMIN'::text) AND ( SELECT auth.partner_client_active() AS partner_client_active) AND ( SELECT auth.may_write_roster() AS may_write_roster)));

DROP POLICY IF EXISTS users_reporting_select ON data.users;
CREATE POLICY users_reporting_select ON data.users FOR SELECT TO reporting USING ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS users_school_admin_all ON data.users;
CREATE POLICY users_school_admin_all ON data.users TO school_admin USING ((school_id = ( SELECT auth.school_id() AS school_id))) WITH CHECK ((school_id = ( SELECT auth.school_id() AS school_id)));

DROP POLICY IF EXISTS users_student_select ON data.users;
CREATE POLICY users_student_select ON data.users FOR SELECT TO student USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ( SELECT auth.user_id() AS user_id))));

DROP POLICY IF EXISTS users_teacher_select ON data.users;
CREATE POLICY users_teacher_select ON data.users FOR SELECT TO teacher USING (((school_id = ( SELECT auth.school_id() AS school_id)) AND (id = ( SELECT auth.user_id() AS user_id))));

-- PostgreSQL database dump complete
