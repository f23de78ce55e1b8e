-- Table state of m0002_integrity (up), as it ran from integrity/0002_up.sql.
-- Integrity the database plan asks for and Piccolo cannot declare.
-- Sections: (1) handles for tenant-consistent keys, (2) those keys, (3) join-table
-- primary keys, (4) closed sets, (5) other CHECKs, (6) partial uniques,
-- (7) indexes on every foreign key and the plan's query indexes,
-- (8) the generated line total, (9) triggers (timestamps, cross-row checks).
--
-- Naming: <table>_<column>_tenant_fkey for composite FKs, <table>_<what>_check,
-- <table>_<columns>_key for uniques, <table>_<columns>_idx for plain indexes.

-- (1) A row may only point at a row of its own school: every referenced tenant
-- table gets a (school_id, id) key for composite foreign keys to target.
alter table data.users add constraint users_school_id_id_key unique (school_id, id);

alter table data.students add constraint students_school_id_id_key unique (school_id, id);

alter table data.teachers add constraint teachers_school_id_id_key unique (school_id, id);

alter table data.parents add constraint parents_school_id_id_key unique (school_id, id);

alter table data.academic_terms add constraint academic_terms_school_id_id_key unique (school_id, id);

alter table data.subjects add constraint subjects_school_id_id_key unique (school_id, id);

alter table data.rooms add constraint rooms_school_id_id_key unique (school_id, id);

alter table data.classes add constraint classes_school_id_id_key unique (school_id, id);

alter table data.assignments add constraint assignments_school_id_id_key unique (school_id, id);

alter table data.assessments add constraint assessments_school_id_id_key unique (school_id, id);

alter table data.fee_types add constraint fee_types_school_id_id_key unique (school_id, id);

alter table data.invoices add constraint invoices_school_id_id_key unique (school_id, id);

-- (2) Tenant-consistent foreign keys. ON DELETE is deliberate:
--   no action records that must not vanish with their parent (grades, attendance, money):
--             the delete is refused with 23503 (foreign_key_violation), checked at the
--             end of the statement. Not `restrict`: PostgreSQL 18 reports RESTRICT as
--             23001 (restrict_violation, commit 086c84b23), which the PostgREST error
--             table answers with 400 instead of 409 (docs/errors.rst, "HTTP Status Codes");
--   cascade   owned children (invoice items, enrollment and guardian links);
--   set null  optional links the plan marks so, nulling only the link column
--             (PostgreSQL 15+ column list), never school_id.
alter table data.school_settings
    add constraint school_settings_school_fkey foreign key (school_id) references data.schools (id) on delete cascade,
    add constraint school_settings_current_academic_term_id_tenant_fkey foreign key (school_id, current_academic_term_id)
        references data.academic_terms (school_id, id) on delete set null (current_academic_term_id);

alter table audit.audit_log
    add constraint audit_log_user_id_tenant_fkey foreign key (school_id, user_id)
        references data.users (school_id, id) on delete no action;

alter table data.students
    add constraint students_user_id_tenant_fkey foreign key (school_id, user_id)
        references data.users (school_id, id) on delete set null (user_id);

alter table data.teachers
    add constraint teachers_user_id_tenant_fkey foreign key (school_id, user_id)
        references data.users (school_id, id) on delete no action;

alter table data.parents
    add constraint parents_user_id_tenant_fkey foreign key (school_id, user_id)
        references data.users (school_id, id) on delete set null (user_id);

alter table data.student_parents
    add constraint student_parents_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete cascade,
    add constraint student_parents_parent_id_tenant_fkey foreign key (school_id, parent_id)
        references data.parents (school_id, id) on delete cascade;

alter table data.academic_terms
    add constraint academic_terms_parent_id_tenant_fkey foreign key (school_id, parent_id)
        references data.academic_terms (school_id, id) on delete set null (parent_id);

alter table data.classes
    add constraint classes_teacher_id_tenant_fkey foreign key (school_id, teacher_id)
        references data.teachers (school_id, id) on delete set null (teacher_id),
    add constraint classes_subject_id_tenant_fkey foreign key (school_id, subject_id)
        references data.subjects (school_id, id) on delete set null (subject_id),
    add constraint classes_academic_term_id_tenant_fkey foreign key (school_id, academic_term_id)
        references data.academic_terms (school_id, id) on delete set null (academic_term_id),
    add constraint classes_room_id_tenant_fkey foreign key (school_id, room_id)
        references data.rooms (school_id, id) on delete set null (room_id);

alter table data.enrollments
    add constraint enrollments_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete cascade,
    add constraint enrollments_class_id_tenant_fkey foreign key (school_id, class_id)
        references data.classes (school_id, id) on delete cascade;

alter table data.attendance_records
    add constraint attendance_records_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete no action,
    add constraint attendance_records_class_id_tenant_fkey foreign key (school_id, class_id)
        references data.classes (school_id, id) on delete set null (class_id),
    add constraint attendance_records_recorded_by_id_tenant_fkey foreign key (school_id, recorded_by_id)
        references data.users (school_id, id) on delete no action;

alter table data.assignments
    add constraint assignments_class_id_tenant_fkey foreign key (school_id, class_id)
        references data.classes (school_id, id) on delete no action,
    add constraint assignments_subject_id_tenant_fkey foreign key (school_id, subject_id)
        references data.subjects (school_id, id) on delete set null (subject_id),
    add constraint assignments_teacher_id_tenant_fkey foreign key (school_id, teacher_id)
        references data.teachers (school_id, id) on delete set null (teacher_id);

alter table data.assessments
    add constraint assessments_subject_id_tenant_fkey foreign key (school_id, subject_id)
        references data.subjects (school_id, id) on delete set null (subject_id),
    add constraint assessments_class_id_tenant_fkey foreign key (school_id, class_id)
        references data.classes (school_id, id) on delete set null (class_id);

alter table data.grades
    add constraint grades_assignment_id_tenant_fkey foreign key (school_id, assignment_id)
        references data.assignments (school_id, id) on delete no action,
    add constraint grades_assessment_id_tenant_fkey foreign key (school_id, assessment_id)
        references data.assessments (school_id, id) on delete no action,
    add constraint grades_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete no action,
    add constraint grades_recorded_by_user_id_tenant_fkey foreign key (school_id, recorded_by_user_id)
        references data.users (school_id, id) on delete no action;

alter table data.announcements
    add constraint announcements_created_by_user_id_tenant_fkey foreign key (school_id, created_by_user_id)
        references data.users (school_id, id) on delete no action;

alter table data.discipline_incidents
    add constraint discipline_incidents_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete no action,
    add constraint discipline_incidents_reported_by_user_id_tenant_fkey foreign key (school_id, reported_by_user_id)
        references data.users (school_id, id) on delete no action,
    add constraint discipline_incidents_resolved_by_user_id_tenant_fkey foreign key (school_id, resolved_by_user_id)
        references data.users (school_id, id) on delete set null (resolved_by_user_id);

alter table data.health_records
    add constraint health_records_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete no action,
    add constraint health_records_recorded_by_user_id_tenant_fkey foreign key (school_id, recorded_by_user_id)
        references data.users (school_id, id) on delete no action;

alter table data.communication_logs
    add constraint communication_logs_initiated_by_user_id_tenant_fkey foreign key (school_id, initiated_by_user_id)
        references data.users (school_id, id) on delete no action;

alter table data.invoices
    add constraint invoices_student_id_tenant_fkey foreign key (school_id, student_id)
        references data.students (school_id, id) on delete no action,
    add constraint invoices_parent_id_tenant_fkey foreign key (school_id, parent_id)
        references data.parents (school_id, id) on delete no action;

alter table data.invoice_items
    add constraint invoice_items_invoice_id_tenant_fkey foreign key (school_id, invoice_id)
        references data.invoices (school_id, id) on delete cascade,
    add constraint invoice_items_fee_type_id_tenant_fkey foreign key (school_id, fee_type_id)
        references data.fee_types (school_id, id) on delete set null (fee_type_id);

alter table data.payments
    add constraint payments_invoice_id_tenant_fkey foreign key (school_id, invoice_id)
        references data.invoices (school_id, id) on delete no action,
    add constraint payments_received_by_user_id_tenant_fkey foreign key (school_id, received_by_user_id)
        references data.users (school_id, id) on delete set null (received_by_user_id);

-- (3) The plan's composite primary keys on the join tables; `id` stays unique
-- for clients that address rows by one key (react-admin, PATCH by id).
alter table data.student_parents
    drop constraint student_parents_pkey,
    add constraint student_parents_pkey primary key (school_id, student_id, parent_id),
    add constraint student_parents_id_key unique (id);

alter table data.enrollments
    drop constraint enrollments_pkey,
    add constraint enrollments_pkey primary key (school_id, student_id, class_id),
    add constraint enrollments_id_key unique (id);

-- (4) Closed sets of values. db/tables/choices.py holds the same sets;
-- tests/db/test_catalog.py fails when the two differ.
alter table data.users add constraint users_role_check
    check (role in ('ADMIN', 'TEACHER', 'PARENT', 'STUDENT'));

alter table data.students add constraint students_gender_check
    check (gender in ('FEMALE', 'MALE', 'NON_BINARY', 'OTHER', 'UNDISCLOSED'));

alter table data.students add constraint students_enrollment_status_check
    check (enrollment_status in ('ACTIVE', 'INACTIVE', 'SUSPENDED', 'GRADUATED', 'TRANSFERRED', 'WITHDRAWN'));

alter table data.attendance_records add constraint attendance_records_status_check
    check (status in ('PRESENT', 'ABSENT', 'LATE', 'EXCUSED'));

alter table data.parents add constraint parents_relation_to_student_check
    check (relation_to_student in ('MOTHER', 'FATHER', 'GUARDIAN', 'GRANDPARENT', 'SIBLING', 'OTHER'));

alter table data.assignments add constraint assignments_type_check
    check (type in ('HOMEWORK', 'QUIZ', 'PROJECT', 'ESSAY', 'LAB', 'CLASSWORK', 'OTHER'));

alter table data.academic_terms add constraint academic_terms_type_check
    check (type in ('YEAR', 'SEMESTER', 'TRIMESTER', 'TERM', 'QUARTER', 'GRADING_PERIOD'));

alter table data.discipline_incidents add constraint discipline_incidents_severity_check
    check (severity in ('MINOR', 'MODERATE', 'MAJOR', 'SEVERE'));

alter table data.health_records add constraint health_records_type_check
    check (type in ('IMMUNIZATION', 'ALLERGY', 'MEDICATION', 'CONDITION', 'INJURY', 'SCREENING', 'OTHER'));

alter table data.communication_logs add constraint communication_logs_party_type_check
    check (party_type in ('PARENT', 'STUDENT'));

alter table data.communication_logs add constraint communication_logs_method_check
    check (method in ('EMAIL', 'PHONE', 'MEETING', 'LETTER', 'SMS', 'OTHER'));

alter table data.invoices add constraint invoices_status_check
    check (status in ('DRAFT', 'SENT', 'PARTIALLY_PAID', 'PAID', 'CANCELLED'));

alter table data.payments add constraint payments_method_check
    check (method in ('CASH', 'CARD', 'BANK_TRANSFER', 'CHEQUE', 'MOBILE_MONEY', 'ONLINE', 'OTHER'));

alter table data.rooms add constraint rooms_type_check
    check (type in ('CLASSROOM', 'LAB', 'OFFICE', 'HALL', 'LIBRARY', 'GYM', 'OTHER'));

alter table audit.audit_log add constraint audit_log_action_check
    check (action in ('CREATE', 'UPDATE', 'DELETE', 'SOFT_DELETE', 'PURGE'));

-- (5) Other rules the plan implies.
-- Email: one @, no blanks, a dot in the domain. Deliverability is not the database's job.
alter table data.schools add constraint schools_contact_email_check
    check (contact_email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$');

alter table data.users add constraint users_email_check
    check (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$');

alter table data.parents add constraint parents_contact_email_check
    check (contact_email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$');

-- Required text is not blank either: NOT NULL alone lets '' through.
alter table data.schools add constraint schools_name_check check (btrim(name) <> '');

alter table data.students add constraint students_names_check
    check (btrim(student_number) <> '' and btrim(first_name) <> '' and btrim(last_name) <> '');

alter table data.teachers add constraint teachers_names_check check (btrim(first_name) <> '' and btrim(last_name) <> '');

alter table data.parents add constraint parents_names_check check (btrim(first_name) <> '' and btrim(last_name) <> '');

alter table data.classes add constraint classes_name_check check (btrim(name) <> '' and btrim(academic_year) <> '');

alter table data.subjects add constraint subjects_name_check check (btrim(name) <> '');

alter table data.rooms add constraint rooms_name_check check (btrim(name) <> '');

alter table data.academic_terms add constraint academic_terms_name_check check (btrim(name) <> '');

alter table data.fee_types add constraint fee_types_name_check check (btrim(name) <> '');

alter table data.invoices add constraint invoices_invoice_number_check check (btrim(invoice_number) <> '');

alter table data.announcements add constraint announcements_title_check check (btrim(title) <> '');

-- Dates in order.
alter table data.academic_terms add constraint academic_terms_dates_check check (start_date <= end_date);

alter table data.enrollments add constraint enrollments_dates_check check (completion_date >= enrollment_date);

alter table data.invoices add constraint invoices_dates_check check (due_date >= issue_date);

alter table data.discipline_incidents add constraint discipline_incidents_resolved_date_check
    check (resolved_date >= incident_date);

alter table data.school_settings add constraint school_settings_attendance_times_check
    check (attendance_start_time < attendance_end_time);

alter table data.students add constraint students_date_of_birth_check check (date_of_birth >= date '1900-01-01');

-- Quantities and money.
alter table data.rooms add constraint rooms_capacity_check check (capacity >= 0);

alter table data.assignments add constraint assignments_max_score_check check (max_score >= 0);

alter table data.assessments add constraint assessments_max_score_check check (max_score >= 0);

alter table data.assessments add constraint assessments_weight_check check (weight >= 0);

alter table data.grades add constraint grades_score_check check (score >= 0);

alter table data.fee_types add constraint fee_types_amount_check check (amount >= 0);

alter table data.invoices add constraint invoices_amounts_check
    check (total_amount >= 0 and balance_due >= 0 and balance_due <= total_amount);

alter table data.invoice_items add constraint invoice_items_quantity_check check (quantity >= 0);

alter table data.invoice_items add constraint invoice_items_unit_price_check check (unit_price >= 0);

alter table data.payments add constraint payments_amount_check check (amount > 0);

-- Exactly one target: a grade belongs to one assignment or one assessment.
alter table data.grades add constraint grades_target_check check (num_nonnulls(assignment_id, assessment_id) = 1);

-- An invoice is billed to a student, a parent, or both.
alter table data.invoices add constraint invoices_billed_to_check check (num_nonnulls(student_id, parent_id) >= 1);

-- JSON shapes the policies and screens rely on.
alter table data.announcements add constraint announcements_audience_check
    check (jsonb_typeof(audience -> 'roles') = 'array');

alter table data.school_settings add constraint school_settings_grading_scale_details_check
    check (jsonb_typeof(grading_scale_details) in ('object', 'array'));

-- (6) Uniques. On soft-delete tables they are partial, so a deleted row frees its key.
create unique index users_email_key on data.users (lower(email)) where not is_deleted;

create unique index students_school_id_student_number_key on data.students (school_id, student_number) where not is_deleted;

create unique index students_user_id_key on data.students (user_id) where not is_deleted;

create unique index teachers_school_id_employee_id_key on data.teachers (school_id, employee_id) where not is_deleted;

create unique index teachers_user_id_key on data.teachers (user_id) where not is_deleted;

create unique index parents_user_id_key on data.parents (user_id) where not is_deleted;

create unique index subjects_school_id_code_key on data.subjects (school_id, code) where not is_deleted;

create unique index subjects_school_id_name_key on data.subjects (school_id, name) where not is_deleted;

create unique index fee_types_school_id_name_key on data.fee_types (school_id, name) where not is_deleted;

create unique index rooms_school_id_name_key on data.rooms (school_id, name) where not is_deleted;

create unique index invoices_school_id_invoice_number_key on data.invoices (school_id, invoice_number) where not is_deleted;

create unique index grades_assignment_id_student_id_key on data.grades (school_id, assignment_id, student_id)
    where not is_deleted and assignment_id is not null;

create unique index grades_assessment_id_student_id_key on data.grades (school_id, assessment_id, student_id)
    where not is_deleted and assessment_id is not null;

-- Per school rather than global: a global key would tell one school that another
-- school's processor reference exists (a 23505 is an oracle across tenants).
create unique index payments_school_id_transaction_id_key on data.payments (school_id, transaction_id) where not is_deleted;

-- One mark per student, day and session; a day-level mark (no session) is unique too.
alter table data.attendance_records add constraint attendance_records_student_day_session_key
    unique nulls not distinct (school_id, student_id, date, session);

-- (7) An index on every foreign key column. A composite index whose leading
-- columns are the key counts; the (school_id, id) keys above cover school_id.
create index school_settings_current_academic_term_id_idx on data.school_settings (school_id, current_academic_term_id);

create index audit_log_school_id_occurred_at_idx on audit.audit_log (school_id, occurred_at);

create index audit_log_user_id_idx on audit.audit_log (school_id, user_id);

create index audit_log_record_idx on audit.audit_log (school_id, table_name, record_id);

create index students_user_id_idx on data.students (school_id, user_id);

create index teachers_user_id_idx on data.teachers (school_id, user_id);

create index parents_user_id_idx on data.parents (school_id, user_id);

create index student_parents_parent_id_idx on data.student_parents (school_id, parent_id);

create index academic_terms_parent_id_idx on data.academic_terms (school_id, parent_id);

create index classes_teacher_id_idx on data.classes (school_id, teacher_id);

create index classes_subject_id_idx on data.classes (school_id, subject_id);

create index classes_academic_term_id_idx on data.classes (school_id, academic_term_id);

create index classes_room_id_idx on data.classes (school_id, room_id);

create index enrollments_class_id_idx on data.enrollments (school_id, class_id);

create index attendance_records_class_id_date_idx on data.attendance_records (school_id, class_id, date);

create index attendance_records_recorded_by_id_idx on data.attendance_records (school_id, recorded_by_id);

create index assignments_class_id_idx on data.assignments (school_id, class_id);

create index assignments_subject_id_idx on data.assignments (school_id, subject_id);

create index assignments_teacher_id_idx on data.assignments (school_id, teacher_id);

create index assessments_subject_id_idx on data.assessments (school_id, subject_id);

create index assessments_class_id_idx on data.assessments (school_id, class_id);

create index grades_assignment_id_idx on data.grades (school_id, assignment_id);

create index grades_assessment_id_idx on data.grades (school_id, assessment_id);

create index grades_student_id_idx on data.grades (school_id, student_id);

create index grades_recorded_by_user_id_idx on data.grades (school_id, recorded_by_user_id);

create index announcements_created_by_user_id_idx on data.announcements (school_id, created_by_user_id);

create index discipline_incidents_student_id_idx on data.discipline_incidents (school_id, student_id);

create index discipline_incidents_reported_by_user_id_idx on data.discipline_incidents (school_id, reported_by_user_id);

create index discipline_incidents_resolved_by_user_id_idx on data.discipline_incidents (school_id, resolved_by_user_id);

create index health_records_student_id_idx on data.health_records (school_id, student_id);

create index health_records_recorded_by_user_id_idx on data.health_records (school_id, recorded_by_user_id);

create index communication_logs_initiated_by_user_id_idx on data.communication_logs (school_id, initiated_by_user_id);

create index communication_logs_party_idx on data.communication_logs (school_id, party_type, party_id);

create index invoices_student_id_idx on data.invoices (school_id, student_id);

create index invoices_parent_id_idx on data.invoices (school_id, parent_id);

create index invoice_items_invoice_id_idx on data.invoice_items (school_id, invoice_id);

create index invoice_items_fee_type_id_idx on data.invoice_items (school_id, fee_type_id);

create index payments_invoice_id_idx on data.payments (school_id, invoice_id);

create index payments_received_by_user_id_idx on data.payments (school_id, received_by_user_id);

-- The plan's query indexes (section 7). "C" collation lets a prefix search on a
-- last name use the index as a range (DESIGN.md: like is not leakproof under RLS).
create index students_last_name_idx on data.students (school_id, last_name collate "C");

create index students_enrollment_status_idx on data.students (school_id, enrollment_status);

create index attendance_records_date_idx on data.attendance_records (school_id, date);

create index invoices_status_idx on data.invoices (school_id, status);

create index announcements_published_at_idx on data.announcements (school_id, published_at);

-- (8) line_total is the database's arithmetic, never the client's.
alter table data.invoice_items drop column line_total;

alter table data.invoice_items
    add column line_total numeric(10, 2) generated always as (round(quantity * unit_price, 2)) stored;
