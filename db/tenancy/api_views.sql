-- The api views the gateway exposes (security_invoker, so RLS applies to the
-- caller), their comments (OpenAPI descriptions) and school_id defaults.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

create or replace view api.classes with (security_invoker='true') as
 select id,
    name,
    academic_year,
    school_id,
    teacher_id,
    subject_id,
    academic_term_id,
    room_id,
    created_at,
    updated_at,
    sourced_id
   from data.classes
  where (not is_deleted);

comment on view api.classes is 'Classes (sections) of the school. Deleted rows are not shown.';

comment on column api.classes.id is 'Unique identifier (uuid).';

comment on column api.classes.name is 'Class name.';

comment on column api.classes.academic_year is 'Academic year label (e.g. 2026-2027).';

comment on column api.classes.school_id is 'The school this row belongs to.';

comment on column api.classes.teacher_id is 'The teacher who teaches the class.';

comment on column api.classes.subject_id is 'The subject taught.';

comment on column api.classes.academic_term_id is 'The term the class runs in.';

comment on column api.classes.room_id is 'The room the class meets in.';

comment on column api.classes.created_at is 'When the row was created (set by the database).';

comment on column api.classes.updated_at is 'When the row was last changed (set by the database).';

comment on column api.classes.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.students with (security_invoker='true') as
 select id,
    school_id,
    student_number,
    first_name,
    last_name,
    date_of_birth,
    gender,
    enrollment_status,
    user_id,
    created_at,
    updated_at,
    sourced_id
   from data.students
  where (not is_deleted);

comment on view api.students is 'Students of the school. Deleted rows are not shown.';

comment on column api.students.id is 'Unique identifier (uuid).';

comment on column api.students.school_id is 'The school this row belongs to.';

comment on column api.students.student_number is 'The school''s own student code, unique per school.';

comment on column api.students.first_name is 'First name.';

comment on column api.students.last_name is 'Last name.';

comment on column api.students.date_of_birth is 'Date of birth.';

comment on column api.students.gender is 'FEMALE, MALE, NON_BINARY, OTHER or UNDISCLOSED.';

comment on column api.students.enrollment_status is 'ACTIVE, INACTIVE, SUSPENDED, GRADUATED, TRANSFERRED or WITHDRAWN.';

comment on column api.students.user_id is 'The student''s login, if they have one.';

comment on column api.students.created_at is 'When the row was created (set by the database).';

comment on column api.students.updated_at is 'When the row was last changed (set by the database).';

comment on column api.students.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.teachers with (security_invoker='true') as
 select id,
    user_id,
    school_id,
    first_name,
    last_name,
    employee_id,
    date_of_joining,
    qualification,
    contact_phone,
    contact_address,
    created_at,
    updated_at,
    sourced_id
   from data.teachers
  where (not is_deleted);

comment on view api.teachers is 'Teachers of the school. Deleted rows are not shown.';

comment on column api.teachers.id is 'Unique identifier (uuid).';

comment on column api.teachers.user_id is 'The teacher''s login.';

comment on column api.teachers.school_id is 'The school this row belongs to.';

comment on column api.teachers.first_name is 'First name.';

comment on column api.teachers.last_name is 'Last name.';

comment on column api.teachers.employee_id is 'The school''s employee code, unique per school.';

comment on column api.teachers.date_of_joining is 'Date the teacher joined the school.';

comment on column api.teachers.qualification is 'Qualifications.';

comment on column api.teachers.contact_phone is 'Contact phone number.';

comment on column api.teachers.contact_address is 'Contact address.';

comment on column api.teachers.created_at is 'When the row was created (set by the database).';

comment on column api.teachers.updated_at is 'When the row was last changed (set by the database).';

comment on column api.teachers.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.academic_terms with (security_invoker='true') as
 select id,
    school_id,
    name,
    start_date,
    end_date,
    type,
    parent_id,
    is_current,
    created_at,
    updated_at,
    sourced_id
   from data.academic_terms
  where (not is_deleted);

comment on view api.academic_terms is 'Academic years, terms and grading periods. Deleted rows are not shown.';

comment on column api.academic_terms.id is 'Unique identifier (uuid).';

comment on column api.academic_terms.school_id is 'The school this row belongs to.';

comment on column api.academic_terms.name is 'Term name.';

comment on column api.academic_terms.start_date is 'First day of the term.';

comment on column api.academic_terms.end_date is 'Last day of the term.';

comment on column api.academic_terms.type is 'YEAR, SEMESTER, TRIMESTER, TERM, QUARTER or GRADING_PERIOD.';

comment on column api.academic_terms.parent_id is 'The enclosing term (e.g. the year of a semester).';

comment on column api.academic_terms.is_current is 'True for the school''s current term (at most one).';

comment on column api.academic_terms.created_at is 'When the row was created (set by the database).';

comment on column api.academic_terms.updated_at is 'When the row was last changed (set by the database).';

comment on column api.academic_terms.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

-- sourced_id is the LAST column of the roster views: it came after the others,
-- and create or replace view can only append columns.
create or replace view api.schools with (security_invoker='true') as
 select id,
    name,
    address,
    contact_email,
    contact_phone,
    created_at,
    updated_at,
    sourced_id
   from data.schools;

comment on view api.schools is 'A school (tenant). Callers see their own school only.';

comment on column api.schools.id is 'Unique identifier of the school.';

comment on column api.schools.name is 'School name.';

comment on column api.schools.address is 'Postal address.';

comment on column api.schools.contact_email is 'School contact email.';

comment on column api.schools.contact_phone is 'School contact phone number.';

comment on column api.schools.created_at is 'When the row was created (set by the database).';

comment on column api.schools.updated_at is 'When the row was last changed (set by the database).';

comment on column api.schools.sourced_id is 'The partner''s OneRoster sourcedId of this org (null when no roster sync has named it).';

create or replace view api.parents with (security_invoker='true') as
 select id,
    user_id,
    school_id,
    first_name,
    last_name,
    relation_to_student,
    contact_phone,
    contact_email,
    contact_address,
    created_at,
    updated_at,
    sourced_id
   from data.parents
  where (not is_deleted);

comment on view api.parents is 'Parents and guardians. Deleted rows are not shown.';

comment on column api.parents.id is 'Unique identifier (uuid).';

comment on column api.parents.user_id is 'The parent''s login, if they have one.';

comment on column api.parents.school_id is 'The school this row belongs to.';

comment on column api.parents.first_name is 'First name.';

comment on column api.parents.last_name is 'Last name.';

comment on column api.parents.relation_to_student is 'MOTHER, FATHER, GUARDIAN, GRANDPARENT, SIBLING or OTHER.';

comment on column api.parents.contact_phone is 'Contact phone number.';

comment on column api.parents.contact_email is 'Contact email.';

comment on column api.parents.contact_address is 'Contact address.';

comment on column api.parents.created_at is 'When the row was created (set by the database).';

comment on column api.parents.updated_at is 'When the row was last changed (set by the database).';

comment on column api.parents.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

-- The api schema: what the gateway exposes (and the OpenAPI document is derived
-- from). One view per table, same name, its columns minus secrets
-- (users.password_hash) and minus is_deleted; soft-delete tables show only live
-- rows. security_invoker, so the caller's privileges and the base table's
-- policies apply exactly as if the caller read the table (a plain view would run
-- as its owner, school_owner, and see every school). Single-table, no
-- aggregates: automatically updatable, so INSERT/UPDATE/DELETE pass through to
-- the table with its RLS WITH CHECKs. Grants are in tenancy/grants.sql.
-- Comments are the descriptions the OpenAPI document shows.
create or replace view api.audit_log with (security_invoker='true') as
 select id,
    school_id,
    user_id,
    actor_role,
    actor_sub,
    occurred_at,
    table_name,
    record_id,
    action,
    old_data,
    new_data,
    request_id
   from audit.audit_log;

comment on view api.audit_log is 'Append-only audit trail of changes to the school''s data.';

comment on column api.audit_log.id is 'Unique identifier (uuid).';

comment on column api.audit_log.school_id is 'The school this row belongs to.';

comment on column api.audit_log.user_id is 'The user who made the change, when known.';

comment on column api.audit_log.actor_role is 'The API role (or database role) that made the change.';

comment on column api.audit_log.actor_sub is 'The token subject that made the change (a user id or a partner client id).';

comment on column api.audit_log.occurred_at is 'When the change happened.';

comment on column api.audit_log.table_name is 'The table that changed.';

comment on column api.audit_log.record_id is 'The id of the changed row.';

comment on column api.audit_log.action is 'CREATE, UPDATE, DELETE, SOFT_DELETE or PURGE.';

comment on column api.audit_log.old_data is 'The row before the change (secrets removed).';

comment on column api.audit_log.new_data is 'The row after the change (secrets removed).';

comment on column api.audit_log.request_id is 'The gateway request that made the change.';

create or replace view api.enrollments with (security_invoker='true') as
 select id,
    student_id,
    class_id,
    school_id,
    enrollment_date,
    completion_date,
    created_at,
    updated_at,
    sourced_id
   from data.enrollments;

comment on view api.enrollments is 'Which students are enrolled in which classes.';

comment on column api.enrollments.id is 'Unique identifier (uuid).';

comment on column api.enrollments.student_id is 'The enrolled student.';

comment on column api.enrollments.class_id is 'The class.';

comment on column api.enrollments.school_id is 'The school this row belongs to.';

comment on column api.enrollments.enrollment_date is 'Date the enrollment starts.';

comment on column api.enrollments.completion_date is 'Date the enrollment ends.';

comment on column api.enrollments.created_at is 'When the row was created (set by the database).';

comment on column api.enrollments.updated_at is 'When the row was last changed (set by the database).';

comment on column api.enrollments.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.announcements with (security_invoker='true') as
 select id,
    title,
    content,
    published_at,
    school_id,
    created_by_user_id,
    audience,
    created_at,
    updated_at
   from data.announcements;

comment on view api.announcements is 'Announcements to roles of the school.';

comment on column api.announcements.id is 'Unique identifier (uuid).';

comment on column api.announcements.title is 'Title.';

comment on column api.announcements.content is 'Body text.';

comment on column api.announcements.published_at is 'Publication time.';

comment on column api.announcements.school_id is 'The school this row belongs to.';

comment on column api.announcements.created_by_user_id is 'Author.';

comment on column api.announcements.audience is 'Who may read it: {"roles": ["ADMIN", "TEACHER", "PARENT", "STUDENT"]}.';

comment on column api.announcements.created_at is 'When the row was created (set by the database).';

comment on column api.announcements.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.assessments with (security_invoker='true') as
 select id,
    school_id,
    name,
    subject_id,
    class_id,
    exam_date,
    max_score,
    weight,
    created_at,
    updated_at
   from data.assessments
  where (not is_deleted);

comment on view api.assessments is 'Exams and tests. Deleted rows are not shown.';

comment on column api.assessments.id is 'Unique identifier (uuid).';

comment on column api.assessments.school_id is 'The school this row belongs to.';

comment on column api.assessments.name is 'Name of the assessment.';

comment on column api.assessments.subject_id is 'The subject.';

comment on column api.assessments.class_id is 'The class sitting it.';

comment on column api.assessments.exam_date is 'When it takes place.';

comment on column api.assessments.max_score is 'Highest possible score.';

comment on column api.assessments.weight is 'Weight in the final grade.';

comment on column api.assessments.created_at is 'When the row was created (set by the database).';

comment on column api.assessments.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.assignments with (security_invoker='true') as
 select id,
    school_id,
    class_id,
    subject_id,
    teacher_id,
    title,
    description,
    due_date,
    assigned_date,
    max_score,
    type,
    created_at,
    updated_at
   from data.assignments
  where (not is_deleted);

comment on view api.assignments is 'Assignments set in a class. Deleted rows are not shown.';

comment on column api.assignments.id is 'Unique identifier (uuid).';

comment on column api.assignments.school_id is 'The school this row belongs to.';

comment on column api.assignments.class_id is 'The class the assignment is for.';

comment on column api.assignments.subject_id is 'The subject.';

comment on column api.assignments.teacher_id is 'The teacher who set it.';

comment on column api.assignments.title is 'Title.';

comment on column api.assignments.description is 'Instructions.';

comment on column api.assignments.due_date is 'When it is due.';

comment on column api.assignments.assigned_date is 'When it was set.';

comment on column api.assignments.max_score is 'Highest possible score.';

comment on column api.assignments.type is 'HOMEWORK, QUIZ, PROJECT, ESSAY, LAB, CLASSWORK or OTHER.';

comment on column api.assignments.created_at is 'When the row was created (set by the database).';

comment on column api.assignments.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.attendance_records with (security_invoker='true') as
 select id,
    date,
    status,
    session,
    student_id,
    class_id,
    recorded_by_id,
    school_id,
    created_at,
    updated_at
   from data.attendance_records;

comment on view api.attendance_records is 'Attendance marks, one per student, day and session.';

comment on column api.attendance_records.id is 'Unique identifier (uuid).';

comment on column api.attendance_records.date is 'Day of the mark.';

comment on column api.attendance_records.status is 'PRESENT, ABSENT, LATE or EXCUSED.';

comment on column api.attendance_records.session is 'Session label (e.g. AM, Period 1); empty for a day-level mark.';

comment on column api.attendance_records.student_id is 'The student marked.';

comment on column api.attendance_records.class_id is 'The class the mark was taken in.';

comment on column api.attendance_records.recorded_by_id is 'The user who recorded the mark.';

comment on column api.attendance_records.school_id is 'The school this row belongs to.';

comment on column api.attendance_records.created_at is 'When the row was created (set by the database).';

comment on column api.attendance_records.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.communication_logs with (security_invoker='true') as
 select id,
    school_id,
    initiated_by_user_id,
    party_type,
    party_id,
    date,
    method,
    summary,
    created_at,
    updated_at
   from data.communication_logs
  where (not is_deleted);

comment on view api.communication_logs is 'Log of contacts with parents and students. Deleted rows are not shown.';

comment on column api.communication_logs.id is 'Unique identifier (uuid).';

comment on column api.communication_logs.school_id is 'The school this row belongs to.';

comment on column api.communication_logs.initiated_by_user_id is 'The user who made the contact.';

comment on column api.communication_logs.party_type is 'PARENT or STUDENT.';

comment on column api.communication_logs.party_id is 'The parent or student contacted (by party_type).';

comment on column api.communication_logs.date is 'When it happened.';

comment on column api.communication_logs.method is 'EMAIL, PHONE, MEETING, LETTER, SMS or OTHER.';

comment on column api.communication_logs.summary is 'Summary.';

comment on column api.communication_logs.created_at is 'When the row was created (set by the database).';

comment on column api.communication_logs.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.discipline_incidents with (security_invoker='true') as
 select id,
    school_id,
    student_id,
    reported_by_user_id,
    incident_date,
    description,
    severity,
    action_taken,
    resolved,
    resolved_by_user_id,
    resolved_date,
    created_at,
    updated_at
   from data.discipline_incidents
  where (not is_deleted);

comment on view api.discipline_incidents is 'Discipline incidents (admins, and the teacher who reported one). Deleted rows are not shown.';

comment on column api.discipline_incidents.id is 'Unique identifier (uuid).';

comment on column api.discipline_incidents.school_id is 'The school this row belongs to.';

comment on column api.discipline_incidents.student_id is 'The student involved.';

comment on column api.discipline_incidents.reported_by_user_id is 'The user who reported it.';

comment on column api.discipline_incidents.incident_date is 'When it happened.';

comment on column api.discipline_incidents.description is 'What happened.';

comment on column api.discipline_incidents.severity is 'MINOR, MODERATE, MAJOR or SEVERE.';

comment on column api.discipline_incidents.action_taken is 'Action taken.';

comment on column api.discipline_incidents.resolved is 'True once resolved.';

comment on column api.discipline_incidents.resolved_by_user_id is 'The user who resolved it.';

comment on column api.discipline_incidents.resolved_date is 'When it was resolved.';

comment on column api.discipline_incidents.created_at is 'When the row was created (set by the database).';

comment on column api.discipline_incidents.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.fee_types with (security_invoker='true') as
 select id,
    school_id,
    name,
    description,
    amount,
    created_at,
    updated_at
   from data.fee_types
  where (not is_deleted);

comment on view api.fee_types is 'Kinds of fees the school charges. Deleted rows are not shown.';

comment on column api.fee_types.id is 'Unique identifier (uuid).';

comment on column api.fee_types.school_id is 'The school this row belongs to.';

comment on column api.fee_types.name is 'Fee name, unique per school.';

comment on column api.fee_types.description is 'Description.';

comment on column api.fee_types.amount is 'Default amount.';

comment on column api.fee_types.created_at is 'When the row was created (set by the database).';

comment on column api.fee_types.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.grades with (security_invoker='true') as
 select id,
    school_id,
    assignment_id,
    assessment_id,
    student_id,
    score,
    grade,
    feedback,
    recorded_by_user_id,
    recorded_at,
    created_at,
    updated_at
   from data.grades
  where (not is_deleted);

comment on view api.grades is 'Scores of students on assignments or assessments. Deleted rows are not shown.';

comment on column api.grades.id is 'Unique identifier (uuid).';

comment on column api.grades.school_id is 'The school this row belongs to.';

comment on column api.grades.assignment_id is 'The assignment graded (or null for an assessment).';

comment on column api.grades.assessment_id is 'The assessment graded (or null for an assignment).';

comment on column api.grades.student_id is 'The student graded.';

comment on column api.grades.score is 'Score, between 0 and the maximum score.';

comment on column api.grades.grade is 'Letter or band (e.g. A, B+).';

comment on column api.grades.feedback is 'Teacher''s feedback.';

comment on column api.grades.recorded_by_user_id is 'The user who recorded the grade.';

comment on column api.grades.recorded_at is 'When the grade was recorded.';

comment on column api.grades.created_at is 'When the row was created (set by the database).';

comment on column api.grades.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.health_records with (security_invoker='true') as
 select id,
    school_id,
    student_id,
    record_date,
    type,
    details,
    recorded_by_user_id,
    created_at,
    updated_at
   from data.health_records
  where (not is_deleted);

comment on view api.health_records is 'Health records of students (admins only). Deleted rows are not shown.';

comment on column api.health_records.id is 'Unique identifier (uuid).';

comment on column api.health_records.school_id is 'The school this row belongs to.';

comment on column api.health_records.student_id is 'The student.';

comment on column api.health_records.record_date is 'Date of the record.';

comment on column api.health_records.type is 'IMMUNIZATION, ALLERGY, MEDICATION, CONDITION, INJURY, SCREENING or OTHER.';

comment on column api.health_records.details is 'Details.';

comment on column api.health_records.recorded_by_user_id is 'The user who recorded it.';

comment on column api.health_records.created_at is 'When the row was created (set by the database).';

comment on column api.health_records.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.invoice_items with (security_invoker='true') as
 select id,
    invoice_id,
    school_id,
    fee_type_id,
    description,
    quantity,
    unit_price,
    created_at,
    updated_at,
    line_total
   from data.invoice_items;

comment on view api.invoice_items is 'Lines of an invoice.';

comment on column api.invoice_items.id is 'Unique identifier (uuid).';

comment on column api.invoice_items.invoice_id is 'The invoice.';

comment on column api.invoice_items.school_id is 'The school this row belongs to.';

comment on column api.invoice_items.fee_type_id is 'The fee type charged.';

comment on column api.invoice_items.description is 'Line text.';

comment on column api.invoice_items.quantity is 'Quantity.';

comment on column api.invoice_items.unit_price is 'Price per unit.';

comment on column api.invoice_items.created_at is 'When the row was created (set by the database).';

comment on column api.invoice_items.updated_at is 'When the row was last changed (set by the database).';

comment on column api.invoice_items.line_total is 'quantity x unit_price, rounded to cents (computed by the database).';

create or replace view api.invoices with (security_invoker='true') as
 select id,
    school_id,
    student_id,
    parent_id,
    invoice_number,
    issue_date,
    due_date,
    total_amount,
    balance_due,
    status,
    created_at,
    updated_at
   from data.invoices
  where (not is_deleted);

comment on view api.invoices is 'Invoices billed to a student, a parent, or both. Deleted rows are not shown.';

comment on column api.invoices.id is 'Unique identifier (uuid).';

comment on column api.invoices.school_id is 'The school this row belongs to.';

comment on column api.invoices.student_id is 'The student billed.';

comment on column api.invoices.parent_id is 'The parent billed.';

comment on column api.invoices.invoice_number is 'Invoice number, unique per school.';

comment on column api.invoices.issue_date is 'Date of issue.';

comment on column api.invoices.due_date is 'Date payment is due.';

comment on column api.invoices.total_amount is 'Sum of the items (kept by the database).';

comment on column api.invoices.balance_due is 'Total minus payments (kept by the database).';

comment on column api.invoices.status is 'DRAFT, SENT, PARTIALLY_PAID, PAID or CANCELLED.';

comment on column api.invoices.created_at is 'When the row was created (set by the database).';

comment on column api.invoices.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.payments with (security_invoker='true') as
 select id,
    school_id,
    invoice_id,
    amount,
    payment_date,
    method,
    transaction_id,
    received_by_user_id,
    created_at,
    updated_at
   from data.payments
  where (not is_deleted);

comment on view api.payments is 'Payments against invoices. Deleted rows are not shown.';

comment on column api.payments.id is 'Unique identifier (uuid).';

comment on column api.payments.school_id is 'The school this row belongs to.';

comment on column api.payments.invoice_id is 'The invoice paid.';

comment on column api.payments.amount is 'Amount paid.';

comment on column api.payments.payment_date is 'When it was paid.';

comment on column api.payments.method is 'CASH, CARD, BANK_TRANSFER, CHEQUE, MOBILE_MONEY, ONLINE or OTHER.';

comment on column api.payments.transaction_id is 'Payment processor reference, unique per school.';

comment on column api.payments.received_by_user_id is 'The user who took the payment.';

comment on column api.payments.created_at is 'When the row was created (set by the database).';

comment on column api.payments.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.rooms with (security_invoker='true') as
 select id,
    school_id,
    name,
    type,
    capacity,
    created_at,
    updated_at
   from data.rooms
  where (not is_deleted);

comment on view api.rooms is 'Rooms of the school. Deleted rows are not shown.';

comment on column api.rooms.id is 'Unique identifier (uuid).';

comment on column api.rooms.school_id is 'The school this row belongs to.';

comment on column api.rooms.name is 'Room name, unique per school.';

comment on column api.rooms.type is 'CLASSROOM, LAB, OFFICE, HALL, LIBRARY, GYM or OTHER.';

comment on column api.rooms.capacity is 'Number of seats.';

comment on column api.rooms.created_at is 'When the row was created (set by the database).';

comment on column api.rooms.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.school_settings with (security_invoker='true') as
 select school_id,
    current_academic_term_id,
    attendance_start_time,
    attendance_end_time,
    grading_scale_details,
    created_at,
    updated_at
   from data.school_settings;

comment on view api.school_settings is 'One row of settings per school.';

comment on column api.school_settings.school_id is 'The school these settings belong to (one row per school).';

comment on column api.school_settings.current_academic_term_id is 'The school''s current academic term.';

comment on column api.school_settings.attendance_start_time is 'Time of day attendance taking opens.';

comment on column api.school_settings.attendance_end_time is 'Time of day attendance taking closes.';

comment on column api.school_settings.grading_scale_details is 'Grading scale (JSON object or array).';

comment on column api.school_settings.created_at is 'When the row was created (set by the database).';

comment on column api.school_settings.updated_at is 'When the row was last changed (set by the database).';

create or replace view api.student_parents with (security_invoker='true') as
 select id,
    student_id,
    parent_id,
    school_id,
    created_at
   from data.student_parents;

comment on view api.student_parents is 'Links between students and their parents or guardians.';

comment on column api.student_parents.id is 'Unique identifier (uuid).';

comment on column api.student_parents.student_id is 'The student.';

comment on column api.student_parents.parent_id is 'The parent or guardian.';

comment on column api.student_parents.school_id is 'The school this row belongs to.';

comment on column api.student_parents.created_at is 'When the row was created (set by the database).';

create or replace view api.subjects with (security_invoker='true') as
 select id,
    school_id,
    name,
    description,
    code,
    created_at,
    updated_at,
    sourced_id
   from data.subjects
  where (not is_deleted);

comment on view api.subjects is 'Subjects taught at the school. Deleted rows are not shown.';

comment on column api.subjects.id is 'Unique identifier (uuid).';

comment on column api.subjects.school_id is 'The school this row belongs to.';

comment on column api.subjects.name is 'Subject name, unique per school.';

comment on column api.subjects.description is 'Description.';

comment on column api.subjects.code is 'Subject code, unique per school.';

comment on column api.subjects.created_at is 'When the row was created (set by the database).';

comment on column api.subjects.updated_at is 'When the row was last changed (set by the database).';

comment on column api.subjects.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.users with (security_invoker='true') as
 select id,
    school_id,
    email,
    role,
    is_active,
    created_at,
    updated_at,
    sourced_id
   from data.users
  where (not is_deleted);

comment on view api.users is 'Logins of the school (password hashes are never exposed). Deleted rows are not shown.';

comment on column api.users.id is 'Unique identifier (uuid).';

comment on column api.users.school_id is 'The school this row belongs to.';

comment on column api.users.email is 'Login email, unique across the service (case-insensitive).';

comment on column api.users.role is 'ADMIN, TEACHER, PARENT or STUDENT: the API role the login acts as.';

comment on column api.users.is_active is 'False when the login is disabled.';

comment on column api.users.created_at is 'When the row was created (set by the database).';

comment on column api.users.updated_at is 'When the row was last changed (set by the database).';

comment on column api.users.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

alter table only api.academic_terms alter column school_id set default auth.school_id();

alter table only api.announcements alter column school_id set default auth.school_id();

alter table only api.assessments alter column school_id set default auth.school_id();

alter table only api.assignments alter column school_id set default auth.school_id();

alter table only api.attendance_records alter column school_id set default auth.school_id();

alter table only api.audit_log alter column school_id set default auth.school_id();

alter table only api.classes alter column school_id set default auth.school_id();

alter table only api.communication_logs alter column school_id set default auth.school_id();

alter table only api.discipline_incidents alter column school_id set default auth.school_id();

alter table only api.enrollments alter column school_id set default auth.school_id();

alter table only api.fee_types alter column school_id set default auth.school_id();

alter table only api.grades alter column school_id set default auth.school_id();

alter table only api.health_records alter column school_id set default auth.school_id();

alter table only api.invoice_items alter column school_id set default auth.school_id();

alter table only api.invoices alter column school_id set default auth.school_id();

alter table only api.parents alter column school_id set default auth.school_id();

alter table only api.payments alter column school_id set default auth.school_id();

alter table only api.rooms alter column school_id set default auth.school_id();

alter table only api.school_settings alter column school_id set default auth.school_id();

alter table only api.student_parents alter column school_id set default auth.school_id();

alter table only api.students alter column school_id set default auth.school_id();

alter table only api.subjects alter column school_id set default auth.school_id();

alter table only api.teachers alter column school_id set default auth.school_id();

alter table only api.users alter column school_id set default auth.school_id();

-- PostgreSQL database dump complete
