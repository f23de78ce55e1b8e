-- Least-privilege grants on schemas, tables and views (functions carry theirs
-- in their own file).
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

GRANT USAGE ON SCHEMA api TO anon;
GRANT USAGE ON SCHEMA api TO school_admin;
GRANT USAGE ON SCHEMA api TO teacher;
GRANT USAGE ON SCHEMA api TO parent;
GRANT USAGE ON SCHEMA api TO student;
GRANT USAGE ON SCHEMA api TO partner_sync;
GRANT USAGE ON SCHEMA api TO reporting;

GRANT USAGE ON SCHEMA auth TO anon;
GRANT USAGE ON SCHEMA auth TO school_admin;
GRANT USAGE ON SCHEMA auth TO teacher;
GRANT USAGE ON SCHEMA auth TO parent;
GRANT USAGE ON SCHEMA auth TO student;
GRANT USAGE ON SCHEMA auth TO partner_sync;
GRANT USAGE ON SCHEMA auth TO reporting;
GRANT USAGE ON SCHEMA auth TO authenticator;

GRANT USAGE ON SCHEMA oneroster TO school_admin;
GRANT USAGE ON SCHEMA oneroster TO partner_sync;

GRANT USAGE ON SCHEMA reporting TO school_admin;
GRANT USAGE ON SCHEMA reporting TO reporting;

GRANT USAGE ON SCHEMA roster TO school_admin;
GRANT USAGE ON SCHEMA roster TO partner_sync;
GRANT USAGE ON SCHEMA roster TO authenticator;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.classes TO school_admin;
GRANT SELECT ON TABLE data.classes TO teacher;
GRANT SELECT ON TABLE data.classes TO parent;
GRANT SELECT ON TABLE data.classes TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.classes TO partner_sync;
GRANT SELECT ON TABLE data.classes TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.classes TO school_admin;
GRANT SELECT ON TABLE api.classes TO teacher;
GRANT SELECT ON TABLE api.classes TO parent;
GRANT SELECT ON TABLE api.classes TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.classes TO partner_sync;
GRANT SELECT ON TABLE api.classes TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.students TO school_admin;
GRANT SELECT ON TABLE data.students TO teacher;
GRANT SELECT ON TABLE data.students TO parent;
GRANT SELECT ON TABLE data.students TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.students TO partner_sync;
GRANT SELECT ON TABLE data.students TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.students TO school_admin;
GRANT SELECT ON TABLE api.students TO teacher;
GRANT SELECT ON TABLE api.students TO parent;
GRANT SELECT ON TABLE api.students TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.students TO partner_sync;
GRANT SELECT ON TABLE api.students TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.teachers TO school_admin;
GRANT SELECT ON TABLE data.teachers TO teacher;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.teachers TO partner_sync;
GRANT SELECT ON TABLE data.teachers TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.teachers TO school_admin;
GRANT SELECT ON TABLE api.teachers TO teacher;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.teachers TO partner_sync;
GRANT SELECT ON TABLE api.teachers TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.academic_terms TO school_admin;
GRANT SELECT ON TABLE data.academic_terms TO teacher;
GRANT SELECT ON TABLE data.academic_terms TO parent;
GRANT SELECT ON TABLE data.academic_terms TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.academic_terms TO partner_sync;
GRANT SELECT ON TABLE data.academic_terms TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.academic_terms TO school_admin;
GRANT SELECT ON TABLE api.academic_terms TO teacher;
GRANT SELECT ON TABLE api.academic_terms TO parent;
GRANT SELECT ON TABLE api.academic_terms TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.academic_terms TO partner_sync;
GRANT SELECT ON TABLE api.academic_terms TO reporting;

GRANT SELECT,UPDATE ON TABLE data.schools TO school_admin;
GRANT SELECT ON TABLE data.schools TO teacher;
GRANT SELECT ON TABLE data.schools TO parent;
GRANT SELECT ON TABLE data.schools TO student;
GRANT SELECT ON TABLE data.schools TO partner_sync;
GRANT SELECT ON TABLE data.schools TO reporting;

GRANT SELECT,UPDATE ON TABLE api.schools TO school_admin;
GRANT SELECT ON TABLE api.schools TO teacher;
GRANT SELECT ON TABLE api.schools TO parent;
GRANT SELECT ON TABLE api.schools TO student;
GRANT SELECT ON TABLE api.schools TO partner_sync;
GRANT SELECT ON TABLE api.schools TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.parents TO school_admin;
GRANT SELECT ON TABLE data.parents TO parent;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.parents TO partner_sync;
GRANT SELECT ON TABLE data.parents TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.parents TO school_admin;
GRANT SELECT ON TABLE api.parents TO parent;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.parents TO partner_sync;
GRANT SELECT ON TABLE api.parents TO reporting;

REVOKE ALL ON TABLE audit.audit_log FROM school_owner;
GRANT SELECT,INSERT,REFERENCES,TRIGGER,MAINTAIN ON TABLE audit.audit_log TO school_owner;
GRANT SELECT ON TABLE audit.audit_log TO school_admin;

GRANT SELECT ON TABLE api.audit_log TO school_admin;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.enrollments TO school_admin;
GRANT SELECT ON TABLE data.enrollments TO teacher;
GRANT SELECT ON TABLE data.enrollments TO parent;
GRANT SELECT ON TABLE data.enrollments TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.enrollments TO partner_sync;
GRANT SELECT ON TABLE data.enrollments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.enrollments TO school_admin;
GRANT SELECT ON TABLE api.enrollments TO teacher;
GRANT SELECT ON TABLE api.enrollments TO parent;
GRANT SELECT ON TABLE api.enrollments TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.enrollments TO partner_sync;
GRANT SELECT ON TABLE api.enrollments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.invoices TO school_admin;
GRANT SELECT ON TABLE data.invoices TO parent;
GRANT SELECT ON TABLE data.invoices TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.announcements TO school_admin;
GRANT SELECT ON TABLE data.announcements TO teacher;
GRANT SELECT ON TABLE data.announcements TO parent;
GRANT SELECT ON TABLE data.announcements TO student;
GRANT SELECT ON TABLE data.announcements TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.announcements TO school_admin;
GRANT SELECT ON TABLE api.announcements TO teacher;
GRANT SELECT ON TABLE api.announcements TO parent;
GRANT SELECT ON TABLE api.announcements TO student;
GRANT SELECT ON TABLE api.announcements TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.assessments TO school_admin;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.assessments TO teacher;
GRANT SELECT ON TABLE data.assessments TO parent;
GRANT SELECT ON TABLE data.assessments TO student;
GRANT SELECT ON TABLE data.assessments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.assessments TO school_admin;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.assessments TO teacher;
GRANT SELECT ON TABLE api.assessments TO parent;
GRANT SELECT ON TABLE api.assessments TO student;
GRANT SELECT ON TABLE api.assessments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.assignments TO school_admin;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.assignments TO teacher;
GRANT SELECT ON TABLE data.assignments TO parent;
GRANT SELECT ON TABLE data.assignments TO student;
GRANT SELECT ON TABLE data.assignments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.assignments TO school_admin;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.assignments TO teacher;
GRANT SELECT ON TABLE api.assignments TO parent;
GRANT SELECT ON TABLE api.assignments TO student;
GRANT SELECT ON TABLE api.assignments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.attendance_records TO school_admin;
GRANT SELECT,INSERT,UPDATE ON TABLE data.attendance_records TO teacher;
GRANT SELECT ON TABLE data.attendance_records TO parent;
GRANT SELECT ON TABLE data.attendance_records TO student;
GRANT SELECT ON TABLE data.attendance_records TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.attendance_records TO school_admin;
GRANT SELECT,INSERT,UPDATE ON TABLE api.attendance_records TO teacher;
GRANT SELECT ON TABLE api.attendance_records TO parent;
GRANT SELECT ON TABLE api.attendance_records TO student;
GRANT SELECT ON TABLE api.attendance_records TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.communication_logs TO school_admin;
GRANT SELECT ON TABLE data.communication_logs TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.communication_logs TO school_admin;
GRANT SELECT ON TABLE api.communication_logs TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.discipline_incidents TO school_admin;
GRANT SELECT,INSERT ON TABLE data.discipline_incidents TO teacher;
GRANT SELECT ON TABLE data.discipline_incidents TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.discipline_incidents TO school_admin;
GRANT SELECT,INSERT ON TABLE api.discipline_incidents TO teacher;
GRANT SELECT ON TABLE api.discipline_incidents TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.fee_types TO school_admin;
GRANT SELECT ON TABLE data.fee_types TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.fee_types TO school_admin;
GRANT SELECT ON TABLE api.fee_types TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.grades TO school_admin;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.grades TO teacher;
GRANT SELECT ON TABLE data.grades TO parent;
GRANT SELECT ON TABLE data.grades TO student;
GRANT SELECT ON TABLE data.grades TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.grades TO school_admin;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.grades TO teacher;
GRANT SELECT ON TABLE api.grades TO parent;
GRANT SELECT ON TABLE api.grades TO student;
GRANT SELECT ON TABLE api.grades TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.health_records TO school_admin;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.health_records TO school_admin;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.invoice_items TO school_admin;
GRANT SELECT ON TABLE data.invoice_items TO parent;
GRANT SELECT ON TABLE data.invoice_items TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.invoice_items TO school_admin;
GRANT SELECT ON TABLE api.invoice_items TO parent;
GRANT SELECT ON TABLE api.invoice_items TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.invoices TO school_admin;
GRANT SELECT ON TABLE api.invoices TO parent;
GRANT SELECT ON TABLE api.invoices TO reporting;

GRANT SELECT(id) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(school_id) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(name) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(client_id) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(scopes) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(created_at) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(updated_at) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT(revoked_at) ON TABLE data.partner_clients TO school_admin;

GRANT SELECT ON TABLE api.partner_clients TO school_admin;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.payments TO school_admin;
GRANT SELECT ON TABLE data.payments TO parent;
GRANT SELECT ON TABLE data.payments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.payments TO school_admin;
GRANT SELECT ON TABLE api.payments TO parent;
GRANT SELECT ON TABLE api.payments TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.rooms TO school_admin;
GRANT SELECT ON TABLE data.rooms TO teacher;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.rooms TO partner_sync;
GRANT SELECT ON TABLE data.rooms TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.rooms TO school_admin;
GRANT SELECT ON TABLE api.rooms TO teacher;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.rooms TO partner_sync;
GRANT SELECT ON TABLE api.rooms TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.school_settings TO school_admin;
GRANT SELECT ON TABLE data.school_settings TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.school_settings TO school_admin;
GRANT SELECT ON TABLE api.school_settings TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.student_parents TO school_admin;
GRANT SELECT ON TABLE data.student_parents TO parent;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.student_parents TO partner_sync;
GRANT SELECT ON TABLE data.student_parents TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.student_parents TO school_admin;
GRANT SELECT ON TABLE api.student_parents TO parent;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.student_parents TO partner_sync;
GRANT SELECT ON TABLE api.student_parents TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.subjects TO school_admin;
GRANT SELECT ON TABLE data.subjects TO teacher;
GRANT SELECT ON TABLE data.subjects TO parent;
GRANT SELECT ON TABLE data.subjects TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE data.subjects TO partner_sync;
GRANT SELECT ON TABLE data.subjects TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.subjects TO school_admin;
GRANT SELECT ON TABLE api.subjects TO teacher;
GRANT SELECT ON TABLE api.subjects TO parent;
GRANT SELECT ON TABLE api.subjects TO student;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.subjects TO partner_sync;
GRANT SELECT ON TABLE api.subjects TO reporting;

GRANT SELECT ON TABLE data.sync_runs TO school_admin;
GRANT SELECT ON TABLE data.sync_runs TO partner_sync;

GRANT SELECT ON TABLE api.sync_runs TO school_admin;
GRANT SELECT ON TABLE api.sync_runs TO partner_sync;

GRANT DELETE ON TABLE data.users TO school_admin;

GRANT SELECT(id),INSERT(id),UPDATE(id) ON TABLE data.users TO school_admin;
GRANT SELECT(id) ON TABLE data.users TO teacher;
GRANT SELECT(id) ON TABLE data.users TO parent;
GRANT SELECT(id) ON TABLE data.users TO student;
GRANT SELECT(id),INSERT(id),UPDATE(id) ON TABLE data.users TO partner_sync;
GRANT SELECT(id) ON TABLE data.users TO reporting;

GRANT SELECT(school_id),INSERT(school_id),UPDATE(school_id) ON TABLE data.users TO school_admin;
GRANT SELECT(school_id) ON TABLE data.users TO teacher;
GRANT SELECT(school_id) ON TABLE data.users TO parent;
GRANT SELECT(school_id) ON TABLE data.users TO student;
GRANT SELECT(school_id),INSERT(school_id),UPDATE(school_id) ON TABLE data.users TO partner_sync;
GRANT SELECT(school_id) ON TABLE data.users TO reporting;

GRANT SELECT(email),INSERT(email),UPDATE(email) ON TABLE data.users TO school_admin;
GRANT SELECT(email) ON TABLE data.users TO teacher;
GRANT SELECT(email) ON TABLE data.users TO parent;
GRANT SELECT(email) ON TABLE data.users TO student;
GRANT SELECT(email),INSERT(email),UPDATE(email) ON TABLE data.users TO partner_sync;
GRANT SELECT(email) ON TABLE data.users TO reporting;

GRANT SELECT(role),INSERT(role),UPDATE(role) ON TABLE data.users TO school_admin;
GRANT SELECT(role) ON TABLE data.users TO teacher;
GRANT SELECT(role) ON TABLE data.users TO parent;
GRANT SELECT(role) ON TABLE data.users TO student;
GRANT SELECT(role),INSERT(role),UPDATE(role) ON TABLE data.users TO partner_sync;
GRANT SELECT(role) ON TABLE data.users TO reporting;

GRANT SELECT(is_active),INSERT(is_active),UPDATE(is_active) ON TABLE data.users TO school_admin;
GRANT SELECT(is_active) ON TABLE data.users TO teacher;
GRANT SELECT(is_active) ON TABLE data.users TO parent;
GRANT SELECT(is_active) ON TABLE data.users TO student;
GRANT SELECT(is_active),INSERT(is_active),UPDATE(is_active) ON TABLE data.users TO partner_sync;
GRANT SELECT(is_active) ON TABLE data.users TO reporting;

GRANT SELECT(created_at),INSERT(created_at),UPDATE(created_at) ON TABLE data.users TO school_admin;
GRANT SELECT(created_at) ON TABLE data.users TO teacher;
GRANT SELECT(created_at) ON TABLE data.users TO parent;
GRANT SELECT(created_at) ON TABLE data.users TO student;
GRANT SELECT(created_at),INSERT(created_at),UPDATE(created_at) ON TABLE data.users TO partner_sync;
GRANT SELECT(created_at) ON TABLE data.users TO reporting;

GRANT SELECT(updated_at),INSERT(updated_at),UPDATE(updated_at) ON TABLE data.users TO school_admin;
GRANT SELECT(updated_at) ON TABLE data.users TO teacher;
GRANT SELECT(updated_at) ON TABLE data.users TO parent;
GRANT SELECT(updated_at) ON TABLE data.users TO student;
GRANT SELECT(updated_at),INSERT(updated_at),UPDATE(updated_at) ON TABLE data.users TO partner_sync;
GRANT SELECT(updated_at) ON TABLE data.users TO reporting;

GRANT SELECT(is_deleted),INSERT(is_deleted),UPDATE(is_deleted) ON TABLE data.users TO school_admin;
GRANT SELECT(is_deleted) ON TABLE data.users TO teacher;
GRANT SELECT(is_deleted) ON TABLE data.users TO parent;
GRANT SELECT(is_deleted) ON TABLE data.users TO student;
GRANT SELECT(is_deleted),INSERT(is_deleted),UPDATE(is_deleted) ON TABLE data.users TO partner_sync;
GRANT SELECT(is_deleted) ON TABLE data.users TO reporting;

GRANT SELECT(sourced_id),INSERT(sourced_id),UPDATE(sourced_id) ON TABLE data.users TO school_admin;
GRANT SELECT(sourced_id) ON TABLE data.users TO teacher;
GRANT SELECT(sourced_id) ON TABLE data.users TO parent;
GRANT SELECT(sourced_id) ON TABLE data.users TO student;
GRANT SELECT(sourced_id),INSERT(sourced_id),UPDATE(sourced_id) ON TABLE data.users TO partner_sync;
GRANT SELECT(sourced_id) ON TABLE data.users TO reporting;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE api.users TO school_admin;
GRANT SELECT ON TABLE api.users TO teacher;
GRANT SELECT ON TABLE api.users TO parent;
GRANT SELECT ON TABLE api.users TO student;
GRANT SELECT,INSERT,UPDATE ON TABLE api.users TO partner_sync;
GRANT SELECT ON TABLE api.users TO reporting;

GRANT SELECT ON TABLE oneroster.academic_sessions TO school_admin;
GRANT SELECT ON TABLE oneroster.academic_sessions TO partner_sync;

GRANT SELECT ON TABLE oneroster.agents TO school_admin;
GRANT SELECT ON TABLE oneroster.agents TO partner_sync;

GRANT SELECT ON TABLE oneroster.classes TO school_admin;
GRANT SELECT ON TABLE oneroster.classes TO partner_sync;

GRANT SELECT ON TABLE oneroster.courses TO school_admin;
GRANT SELECT ON TABLE oneroster.courses TO partner_sync;

GRANT SELECT ON TABLE oneroster.demographics TO school_admin;
GRANT SELECT ON TABLE oneroster.demographics TO partner_sync;

GRANT SELECT ON TABLE oneroster.enrollments TO school_admin;
GRANT SELECT ON TABLE oneroster.enrollments TO partner_sync;

GRANT SELECT ON TABLE oneroster.orgs TO school_admin;
GRANT SELECT ON TABLE oneroster.orgs TO partner_sync;

GRANT SELECT ON TABLE oneroster.users TO school_admin;
GRANT SELECT ON TABLE oneroster.users TO partner_sync;

GRANT SELECT ON TABLE reporting.attendance_daily TO reporting;
GRANT SELECT ON TABLE reporting.attendance_daily TO school_admin;

GRANT SELECT ON TABLE reporting.enrollment_counts TO reporting;
GRANT SELECT ON TABLE reporting.enrollment_counts TO school_admin;

GRANT SELECT ON TABLE reporting.invoice_balances TO reporting;
GRANT SELECT ON TABLE reporting.invoice_balances TO school_admin;

GRANT SELECT ON TABLE reporting.students TO reporting;
GRANT SELECT ON TABLE reporting.students TO school_admin;

-- PostgreSQL database dump complete
