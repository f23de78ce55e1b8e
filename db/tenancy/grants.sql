-- Least-privilege grants on schemas, tables and views (functions carry theirs
-- in their own file).
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

grant usage on schema api to anon;
grant usage on schema api to school_admin;
grant usage on schema api to teacher;
grant usage on schema api to parent;
grant usage on schema api to student;
grant usage on schema api to partner_sync;
grant usage on schema api to reporting;

grant usage on schema auth to anon;
grant usage on schema auth to school_admin;
grant usage on schema auth to teacher;
grant usage on schema auth to parent;
grant usage on schema auth to student;
grant usage on schema auth to partner_sync;
grant usage on schema auth to reporting;
grant usage on schema auth to authenticator;

grant usage on schema oneroster to school_admin;
grant usage on schema oneroster to partner_sync;

grant usage on schema reporting to school_admin;
grant usage on schema reporting to reporting;

grant usage on schema roster to school_admin;
grant usage on schema roster to partner_sync;
grant usage on schema roster to authenticator;

grant select,insert,delete,update on table data.classes to school_admin;
grant select on table data.classes to teacher;
grant select on table data.classes to parent;
grant select on table data.classes to student;
grant select,insert,delete,update on table data.classes to partner_sync;
grant select on table data.classes to reporting;

grant select,insert,delete,update on table api.classes to school_admin;
grant select on table api.classes to teacher;
grant select on table api.classes to parent;
grant select on table api.classes to student;
grant select,insert,delete,update on table api.classes to partner_sync;
grant select on table api.classes to reporting;

grant select,insert,delete,update on table data.students to school_admin;
grant select on table data.students to teacher;
grant select on table data.students to parent;
grant select on table data.students to student;
grant select,insert,delete,update on table data.students to partner_sync;
grant select on table data.students to reporting;

grant select,insert,delete,update on table api.students to school_admin;
grant select on table api.students to teacher;
grant select on table api.students to parent;
grant select on table api.students to student;
-- Demographics (date_of_birth, gender) are read only with a demographics scope
-- (issue 13, F2; OneRoster's roster-demographics.readonly or roster.readonly):
-- partner_sync reads every other column of the view, partner_demographics (a
-- member of partner_sync, set by the gateway for such a token) these two as
-- well. On the view, not on data.students: a view's query reads every column it
-- lists whatever the outer query uses, and the security_invoker view checks
-- them on the table as the caller; no API role may use schema `data` itself.
-- The revoke first: re-applied over a table-level SELECT, it takes that away
-- (and with it any column grant, so the column grants come after it).
revoke select on table api.students from partner_sync;
grant insert,delete,update on table api.students to partner_sync;
grant select(id, school_id, student_number, first_name, last_name, enrollment_status, user_id, created_at, updated_at, sourced_id) on table api.students to partner_sync;
grant select(date_of_birth, gender) on table api.students to partner_demographics;
grant select on table api.students to reporting;

grant select,insert,delete,update on table data.teachers to school_admin;
grant select on table data.teachers to teacher;
grant select,insert,delete,update on table data.teachers to partner_sync;
grant select on table data.teachers to reporting;

grant select,insert,delete,update on table api.teachers to school_admin;
grant select on table api.teachers to teacher;
grant select,insert,delete,update on table api.teachers to partner_sync;
grant select on table api.teachers to reporting;

grant select,insert,delete,update on table data.academic_terms to school_admin;
grant select on table data.academic_terms to teacher;
grant select on table data.academic_terms to parent;
grant select on table data.academic_terms to student;
grant select,insert,delete,update on table data.academic_terms to partner_sync;
grant select on table data.academic_terms to reporting;

grant select,insert,delete,update on table api.academic_terms to school_admin;
grant select on table api.academic_terms to teacher;
grant select on table api.academic_terms to parent;
grant select on table api.academic_terms to student;
grant select,insert,delete,update on table api.academic_terms to partner_sync;
grant select on table api.academic_terms to reporting;

grant select,update on table data.schools to school_admin;
grant select on table data.schools to teacher;
grant select on table data.schools to parent;
grant select on table data.schools to student;
grant select on table data.schools to partner_sync;
grant select on table data.schools to reporting;

grant select,update on table api.schools to school_admin;
grant select on table api.schools to teacher;
grant select on table api.schools to parent;
grant select on table api.schools to student;
grant select on table api.schools to partner_sync;
grant select on table api.schools to reporting;

grant select,insert,delete,update on table data.parents to school_admin;
grant select on table data.parents to parent;
grant select,insert,delete,update on table data.parents to partner_sync;
grant select on table data.parents to reporting;

grant select,insert,delete,update on table api.parents to school_admin;
grant select on table api.parents to parent;
grant select,insert,delete,update on table api.parents to partner_sync;
grant select on table api.parents to reporting;

revoke all on table audit.audit_log from school_owner;
grant select,insert,references,trigger,maintain on table audit.audit_log to school_owner;
grant select on table audit.audit_log to school_admin;

grant select on table api.audit_log to school_admin;

grant select,insert,delete,update on table data.enrollments to school_admin;
grant select on table data.enrollments to teacher;
grant select on table data.enrollments to parent;
grant select on table data.enrollments to student;
grant select,insert,delete,update on table data.enrollments to partner_sync;
grant select on table data.enrollments to reporting;

grant select,insert,delete,update on table api.enrollments to school_admin;
grant select on table api.enrollments to teacher;
grant select on table api.enrollments to parent;
grant select on table api.enrollments to student;
grant select,insert,delete,update on table api.enrollments to partner_sync;
grant select on table api.enrollments to reporting;

grant select,insert,delete,update on table data.invoices to school_admin;
grant select on table data.invoices to parent;
grant select on table data.invoices to reporting;

grant select,insert,delete,update on table data.announcements to school_admin;
grant select on table data.announcements to teacher;
grant select on table data.announcements to parent;
grant select on table data.announcements to student;
grant select on table data.announcements to reporting;

grant select,insert,delete,update on table api.announcements to school_admin;
grant select on table api.announcements to teacher;
grant select on table api.announcements to parent;
grant select on table api.announcements to student;
grant select on table api.announcements to reporting;

grant select,insert,delete,update on table data.assessments to school_admin;
grant select,insert,delete,update on table data.assessments to teacher;
grant select on table data.assessments to parent;
grant select on table data.assessments to student;
grant select on table data.assessments to reporting;

grant select,insert,delete,update on table api.assessments to school_admin;
grant select,insert,delete,update on table api.assessments to teacher;
grant select on table api.assessments to parent;
grant select on table api.assessments to student;
grant select on table api.assessments to reporting;

grant select,insert,delete,update on table data.assignments to school_admin;
grant select,insert,delete,update on table data.assignments to teacher;
grant select on table data.assignments to parent;
grant select on table data.assignments to student;
grant select on table data.assignments to reporting;

grant select,insert,delete,update on table api.assignments to school_admin;
grant select,insert,delete,update on table api.assignments to teacher;
grant select on table api.assignments to parent;
grant select on table api.assignments to student;
grant select on table api.assignments to reporting;

grant select,insert,delete,update on table data.attendance_records to school_admin;
grant select,insert,update on table data.attendance_records to teacher;
grant select on table data.attendance_records to parent;
grant select on table data.attendance_records to student;
grant select on table data.attendance_records to reporting;

grant select,insert,delete,update on table api.attendance_records to school_admin;
grant select,insert,update on table api.attendance_records to teacher;
grant select on table api.attendance_records to parent;
grant select on table api.attendance_records to student;
grant select on table api.attendance_records to reporting;

grant select,insert,delete,update on table data.communication_logs to school_admin;
grant select on table data.communication_logs to reporting;

grant select,insert,delete,update on table api.communication_logs to school_admin;
grant select on table api.communication_logs to reporting;

grant select,insert,delete,update on table data.discipline_incidents to school_admin;
grant select,insert on table data.discipline_incidents to teacher;
grant select on table data.discipline_incidents to reporting;

grant select,insert,delete,update on table api.discipline_incidents to school_admin;
grant select,insert on table api.discipline_incidents to teacher;
grant select on table api.discipline_incidents to reporting;

grant select,insert,delete,update on table data.fee_types to school_admin;
grant select on table data.fee_types to reporting;

grant select,insert,delete,update on table api.fee_types to school_admin;
grant select on table api.fee_types to reporting;

grant select,insert,delete,update on table data.grades to school_admin;
grant select,insert,delete,update on table data.grades to teacher;
grant select on table data.grades to parent;
grant select on table data.grades to student;
grant select on table data.grades to reporting;

grant select,insert,delete,update on table api.grades to school_admin;
grant select,insert,delete,update on table api.grades to teacher;
grant select on table api.grades to parent;
grant select on table api.grades to student;
grant select on table api.grades to reporting;

grant select,insert,delete,update on table data.health_records to school_admin;

grant select,insert,delete,update on table api.health_records to school_admin;

grant select,insert,delete,update on table data.invoice_items to school_admin;
grant select on table data.invoice_items to parent;
grant select on table data.invoice_items to reporting;

grant select,insert,delete,update on table api.invoice_items to school_admin;
grant select on table api.invoice_items to parent;
grant select on table api.invoice_items to reporting;

grant select,insert,delete,update on table api.invoices to school_admin;
grant select on table api.invoices to parent;
grant select on table api.invoices to reporting;

grant select(id) on table data.partner_clients to school_admin;

grant select(school_id) on table data.partner_clients to school_admin;

grant select(name) on table data.partner_clients to school_admin;

grant select(client_id) on table data.partner_clients to school_admin;

grant select(scopes) on table data.partner_clients to school_admin;

grant select(created_at) on table data.partner_clients to school_admin;

grant select(updated_at) on table data.partner_clients to school_admin;

grant select(revoked_at) on table data.partner_clients to school_admin;

grant select on table api.partner_clients to school_admin;

grant select,insert,delete,update on table data.payments to school_admin;
grant select on table data.payments to parent;
grant select on table data.payments to reporting;

grant select,insert,delete,update on table api.payments to school_admin;
grant select on table api.payments to parent;
grant select on table api.payments to reporting;

grant select,insert,delete,update on table data.rooms to school_admin;
grant select on table data.rooms to teacher;
grant select,insert,delete,update on table data.rooms to partner_sync;
grant select on table data.rooms to reporting;

grant select,insert,delete,update on table api.rooms to school_admin;
grant select on table api.rooms to teacher;
grant select,insert,delete,update on table api.rooms to partner_sync;
grant select on table api.rooms to reporting;

grant select,insert,delete,update on table data.school_settings to school_admin;
grant select on table data.school_settings to reporting;

grant select,insert,delete,update on table api.school_settings to school_admin;
grant select on table api.school_settings to reporting;

grant select,insert,delete,update on table data.student_parents to school_admin;
grant select on table data.student_parents to parent;
grant select,insert,delete,update on table data.student_parents to partner_sync;
grant select on table data.student_parents to reporting;

grant select,insert,delete,update on table api.student_parents to school_admin;
grant select on table api.student_parents to parent;
grant select,insert,delete,update on table api.student_parents to partner_sync;
grant select on table api.student_parents to reporting;

grant select,insert,delete,update on table data.subjects to school_admin;
grant select on table data.subjects to teacher;
grant select on table data.subjects to parent;
grant select on table data.subjects to student;
grant select,insert,delete,update on table data.subjects to partner_sync;
grant select on table data.subjects to reporting;

grant select,insert,delete,update on table api.subjects to school_admin;
grant select on table api.subjects to teacher;
grant select on table api.subjects to parent;
grant select on table api.subjects to student;
grant select,insert,delete,update on table api.subjects to partner_sync;
grant select on table api.subjects to reporting;

grant select on table data.sync_runs to school_admin;
grant select on table data.sync_runs to partner_sync;

grant select on table api.sync_runs to school_admin;
grant select on table api.sync_runs to partner_sync;

grant delete on table data.users to school_admin;

grant select(id),insert(id),update(id) on table data.users to school_admin;
grant select(id) on table data.users to teacher;
grant select(id) on table data.users to parent;
grant select(id) on table data.users to student;
grant select(id),insert(id),update(id) on table data.users to partner_sync;
grant select(id) on table data.users to reporting;

grant select(school_id),insert(school_id),update(school_id) on table data.users to school_admin;
grant select(school_id) on table data.users to teacher;
grant select(school_id) on table data.users to parent;
grant select(school_id) on table data.users to student;
grant select(school_id),insert(school_id),update(school_id) on table data.users to partner_sync;
grant select(school_id) on table data.users to reporting;

grant select(email),insert(email),update(email) on table data.users to school_admin;
grant select(email) on table data.users to teacher;
grant select(email) on table data.users to parent;
grant select(email) on table data.users to student;
grant select(email),insert(email),update(email) on table data.users to partner_sync;
grant select(email) on table data.users to reporting;

grant select(role),insert(role),update(role) on table data.users to school_admin;
grant select(role) on table data.users to teacher;
grant select(role) on table data.users to parent;
grant select(role) on table data.users to student;
grant select(role),insert(role),update(role) on table data.users to partner_sync;
grant select(role) on table data.users to reporting;

grant select(is_active),insert(is_active),update(is_active) on table data.users to school_admin;
grant select(is_active) on table data.users to teacher;
grant select(is_active) on table data.users to parent;
grant select(is_active) on table data.users to student;
grant select(is_active),insert(is_active),update(is_active) on table data.users to partner_sync;
grant select(is_active) on table data.users to reporting;

grant select(created_at),insert(created_at),update(created_at) on table data.users to school_admin;
grant select(created_at) on table data.users to teacher;
grant select(created_at) on table data.users to parent;
grant select(created_at) on table data.users to student;
grant select(created_at),insert(created_at),update(created_at) on table data.users to partner_sync;
grant select(created_at) on table data.users to reporting;

grant select(updated_at),insert(updated_at),update(updated_at) on table data.users to school_admin;
grant select(updated_at) on table data.users to teacher;
grant select(updated_at) on table data.users to parent;
grant select(updated_at) on table data.users to student;
grant select(updated_at),insert(updated_at),update(updated_at) on table data.users to partner_sync;
grant select(updated_at) on table data.users to reporting;

grant select(is_deleted),insert(is_deleted),update(is_deleted) on table data.users to school_admin;
grant select(is_deleted) on table data.users to teacher;
grant select(is_deleted) on table data.users to parent;
grant select(is_deleted) on table data.users to student;
grant select(is_deleted),insert(is_deleted),update(is_deleted) on table data.users to partner_sync;
grant select(is_deleted) on table data.users to reporting;

grant select(sourced_id),insert(sourced_id),update(sourced_id) on table data.users to school_admin;
grant select(sourced_id) on table data.users to teacher;
grant select(sourced_id) on table data.users to parent;
grant select(sourced_id) on table data.users to student;
grant select(sourced_id),insert(sourced_id),update(sourced_id) on table data.users to partner_sync;
grant select(sourced_id) on table data.users to reporting;

-- A login's OneRoster extension columns (m0057), read by oneroster.users; only
-- the import (SECURITY DEFINER) writes them.
grant select(metadata) on table data.users to school_admin;
grant select(metadata) on table data.users to partner_sync;

grant select,insert,delete,update on table api.users to school_admin;
grant select on table api.users to teacher;
grant select on table api.users to parent;
grant select on table api.users to student;
grant select,insert,update on table api.users to partner_sync;
grant select on table api.users to reporting;

grant select on table oneroster.academic_sessions to school_admin;
grant select on table oneroster.academic_sessions to partner_sync;

grant select on table oneroster.agents to school_admin;
grant select on table oneroster.agents to partner_sync;

grant select on table oneroster.classes to school_admin;
grant select on table oneroster.classes to partner_sync;

grant select on table oneroster.courses to school_admin;
grant select on table oneroster.courses to partner_sync;

grant select on table oneroster.demographics to school_admin;
-- Only the demographics role (the OneRoster route refuses other scopes first).
revoke select on table oneroster.demographics from partner_sync;
grant select on table oneroster.demographics to partner_demographics;

grant select on table oneroster.enrollments to school_admin;
grant select on table oneroster.enrollments to partner_sync;

grant select on table oneroster.orgs to school_admin;
grant select on table oneroster.orgs to partner_sync;

grant select on table oneroster.users to school_admin;
grant select on table oneroster.users to partner_sync;

grant select on table oneroster.student_keys to school_admin;
grant select on table oneroster.student_keys to partner_sync;

grant select on table oneroster.teacher_keys to school_admin;
grant select on table oneroster.teacher_keys to partner_sync;

grant select on table oneroster.parent_keys to school_admin;
grant select on table oneroster.parent_keys to partner_sync;

grant select on table oneroster.class_keys to school_admin;
grant select on table oneroster.class_keys to partner_sync;

grant select on table oneroster.enrollment_keys to school_admin;
grant select on table oneroster.enrollment_keys to partner_sync;

grant select on table oneroster.class_teacher_keys to school_admin;
grant select on table oneroster.class_teacher_keys to partner_sync;

grant select on table reporting.attendance_daily to reporting;
grant select on table reporting.attendance_daily to school_admin;

grant select on table reporting.enrollment_counts to reporting;
grant select on table reporting.enrollment_counts to school_admin;

grant select on table reporting.invoice_balances to reporting;
grant select on table reporting.invoice_balances to school_admin;

grant select on table reporting.students to reporting;
grant select on table reporting.students to school_admin;

-- OneRoster 1.2 Gradebook (issue 17, db/roster/gradebook.sql). Table
-- privileges for the row views the partner's writes go through (no USAGE on
-- schema data: the views are the only way in); RLS decides which rows.
grant select,insert,delete,update on table data.assignments to partner_sync;
grant select,insert,delete,update on table data.grades to partner_sync;
grant select,insert,delete,update on table data.grade_categories to partner_sync;
grant select,insert,delete,update on table data.score_scales to partner_sync;
-- Assessments are read-only in the gradebook (assessmentLineItems).
grant select on table data.assessments to partner_sync;
grant select,insert,delete,update on table data.grade_categories to school_admin;
grant select,insert,delete,update on table data.score_scales to school_admin;
grant select on table oneroster.categories to school_admin;
grant select on table oneroster.categories to partner_sync;
grant select on table oneroster.score_scales to school_admin;
grant select on table oneroster.score_scales to partner_sync;
grant select on table oneroster.line_items to school_admin;
grant select on table oneroster.line_items to partner_sync;
grant select on table oneroster.results to school_admin;
grant select on table oneroster.results to partner_sync;
grant select on table oneroster.assessment_line_items to school_admin;
grant select on table oneroster.assessment_line_items to partner_sync;
grant select on table oneroster.assessment_results to school_admin;
grant select on table oneroster.assessment_results to partner_sync;
grant select,insert,delete,update on table oneroster.assignment_rows to partner_sync;
grant select,insert,delete,update on table oneroster.grade_rows to partner_sync;
grant select,insert,delete,update on table oneroster.category_rows to partner_sync;
grant select,insert,delete,update on table oneroster.score_scale_rows to partner_sync;
revoke all on function oneroster.score_status(text, numeric, text) from public;
grant execute on function oneroster.score_status(text, numeric, text) to school_admin;
grant execute on function oneroster.score_status(text, numeric, text) to partner_sync;
revoke all on function oneroster.roster_id(text, text) from public;
grant execute on function oneroster.roster_id(text, text) to school_admin;
grant execute on function oneroster.roster_id(text, text) to partner_sync;
revoke all on function oneroster.required_ref(jsonb, text) from public;
grant execute on function oneroster.required_ref(jsonb, text) to partner_sync;
revoke all on function oneroster.put_line_item(text, jsonb) from public;
grant execute on function oneroster.put_line_item(text, jsonb) to partner_sync;
revoke all on function oneroster.put_result(text, jsonb) from public;
grant execute on function oneroster.put_result(text, jsonb) to partner_sync;
revoke all on function oneroster.put_category(text, jsonb) from public;
grant execute on function oneroster.put_category(text, jsonb) to partner_sync;
revoke all on function oneroster.put_score_scale(text, jsonb) from public;
grant execute on function oneroster.put_score_scale(text, jsonb) to partner_sync;
revoke all on function oneroster.delete_object(text, text) from public;
grant execute on function oneroster.delete_object(text, text) to partner_sync;
revoke all on function oneroster.post_set(jsonb, text) from public;
grant execute on function oneroster.post_set(jsonb, text) to partner_sync;
revoke all on function oneroster.pinned_ref(jsonb, text, text) from public;
grant execute on function oneroster.pinned_ref(jsonb, text, text) to partner_sync;
revoke all on function oneroster.own_school(text) from public;
grant execute on function oneroster.own_school(text) to partner_sync;
revoke all on function oneroster.line_item_in(text, uuid, uuid) from public;
grant execute on function oneroster.line_item_in(text, uuid, uuid) to partner_sync;
revoke all on function oneroster.post_line_items(text, text, jsonb) from public;
grant execute on function oneroster.post_line_items(text, text, jsonb) to partner_sync;
revoke all on function oneroster.post_results(text, text, text, jsonb) from public;
grant execute on function oneroster.post_results(text, text, text, jsonb) to partner_sync;

-- PostgreSQL database dump complete
