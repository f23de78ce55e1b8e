-- The api views the gateway exposes (security_invoker, so RLS applies to the
-- caller), their comments (OpenAPI descriptions) and school_id defaults.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE VIEW api.classes WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.classes
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.classes IS 'Classes (sections) of the school. Deleted rows are not shown.';

COMMENT ON COLUMN api.classes.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.classes.name IS 'Class name.';

COMMENT ON COLUMN api.classes.academic_year IS 'Academic year label (e.g. 2026-2027).';

COMMENT ON COLUMN api.classes.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.classes.teacher_id IS 'The teacher who teaches the class.';

COMMENT ON COLUMN api.classes.subject_id IS 'The subject taught.';

COMMENT ON COLUMN api.classes.academic_term_id IS 'The term the class runs in.';

COMMENT ON COLUMN api.classes.room_id IS 'The room the class meets in.';

COMMENT ON COLUMN api.classes.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.classes.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.classes.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.students WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.students
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.students IS 'Students of the school. Deleted rows are not shown.';

COMMENT ON COLUMN api.students.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.students.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.students.student_number IS 'The school''s own student code, unique per school.';

COMMENT ON COLUMN api.students.first_name IS 'First name.';

COMMENT ON COLUMN api.students.last_name IS 'Last name.';

COMMENT ON COLUMN api.students.date_of_birth IS 'Date of birth.';

COMMENT ON COLUMN api.students.gender IS 'FEMALE, MALE, NON_BINARY, OTHER or UNDISCLOSED.';

COMMENT ON COLUMN api.students.enrollment_status IS 'ACTIVE, INACTIVE, SUSPENDED, GRADUATED, TRANSFERRED or WITHDRAWN.';

COMMENT ON COLUMN api.students.user_id IS 'The student''s login, if they have one.';

COMMENT ON COLUMN api.students.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.students.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.students.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.teachers WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.teachers
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.teachers IS 'Teachers of the school. Deleted rows are not shown.';

COMMENT ON COLUMN api.teachers.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.teachers.user_id IS 'The teacher''s login.';

COMMENT ON COLUMN api.teachers.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.teachers.first_name IS 'First name.';

COMMENT ON COLUMN api.teachers.last_name IS 'Last name.';

COMMENT ON COLUMN api.teachers.employee_id IS 'The school''s employee code, unique per school.';

COMMENT ON COLUMN api.teachers.date_of_joining IS 'Date the teacher joined the school.';

COMMENT ON COLUMN api.teachers.qualification IS 'Qualifications.';

COMMENT ON COLUMN api.teachers.contact_phone IS 'Contact phone number.';

COMMENT ON COLUMN api.teachers.contact_address IS 'Contact address.';

COMMENT ON COLUMN api.teachers.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.teachers.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.teachers.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.academic_terms WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.academic_terms
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.academic_terms IS 'Academic years, terms and grading periods. Deleted rows are not shown.';

COMMENT ON COLUMN api.academic_terms.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.academic_terms.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.academic_terms.name IS 'Term name.';

COMMENT ON COLUMN api.academic_terms.start_date IS 'First day of the term.';

COMMENT ON COLUMN api.academic_terms.end_date IS 'Last day of the term.';

COMMENT ON COLUMN api.academic_terms.type IS 'YEAR, SEMESTER, TRIMESTER, TERM, QUARTER or GRADING_PERIOD.';

COMMENT ON COLUMN api.academic_terms.parent_id IS 'The enclosing term (e.g. the year of a semester).';

COMMENT ON COLUMN api.academic_terms.is_current IS 'True for the school''s current term (at most one).';

COMMENT ON COLUMN api.academic_terms.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.academic_terms.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.academic_terms.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.schools WITH (security_invoker='true') AS
 SELECT id,
    name,
    address,
    contact_email,
    contact_phone,
    created_at,
    updated_at,
    sourced_id
   FROM data.schools;

COMMENT ON VIEW api.schools IS 'A school (tenant). Callers see their own school only.';

COMMENT ON COLUMN api.schools.id IS 'Unique identifier of the school.';

COMMENT ON COLUMN api.schools.name IS 'School name.';

COMMENT ON COLUMN api.schools.address IS 'Postal address.';

COMMENT ON COLUMN api.schools.contact_email IS 'School contact email.';

COMMENT ON COLUMN api.schools.contact_phone IS 'School contact phone number.';

COMMENT ON COLUMN api.schools.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.schools.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.schools.sourced_id IS 'The partner''s OneRoster sourcedId of this org (null when no roster sync has named it).';

CREATE OR REPLACE VIEW api.parents WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.parents
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.parents IS 'Parents and guardians. Deleted rows are not shown.';

COMMENT ON COLUMN api.parents.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.parents.user_id IS 'The parent''s login, if they have one.';

COMMENT ON COLUMN api.parents.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.parents.first_name IS 'First name.';

COMMENT ON COLUMN api.parents.last_name IS 'Last name.';

COMMENT ON COLUMN api.parents.relation_to_student IS 'MOTHER, FATHER, GUARDIAN, GRANDPARENT, SIBLING or OTHER.';

COMMENT ON COLUMN api.parents.contact_phone IS 'Contact phone number.';

COMMENT ON COLUMN api.parents.contact_email IS 'Contact email.';

COMMENT ON COLUMN api.parents.contact_address IS 'Contact address.';

COMMENT ON COLUMN api.parents.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.parents.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.parents.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.audit_log WITH (security_invoker='true') AS
 SELECT id,
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
   FROM audit.audit_log;

COMMENT ON VIEW api.audit_log IS 'Append-only audit trail of changes to the school''s data.';

COMMENT ON COLUMN api.audit_log.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.audit_log.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.audit_log.user_id IS 'The user who made the change, when known.';

COMMENT ON COLUMN api.audit_log.actor_role IS 'The API role (or database role) that made the change.';

COMMENT ON COLUMN api.audit_log.actor_sub IS 'The token subject that made the change (a user id or a partner client id).';

COMMENT ON COLUMN api.audit_log.occurred_at IS 'When the change happened.';

COMMENT ON COLUMN api.audit_log.table_name IS 'The table that changed.';

COMMENT ON COLUMN api.audit_log.record_id IS 'The id of the changed row.';

COMMENT ON COLUMN api.audit_log.action IS 'CREATE, UPDATE, DELETE, SOFT_DELETE or PURGE.';

COMMENT ON COLUMN api.audit_log.old_data IS 'The row before the change (secrets removed).';

COMMENT ON COLUMN api.audit_log.new_data IS 'The row after the change (secrets removed).';

COMMENT ON COLUMN api.audit_log.request_id IS 'The gateway request that made the change.';

CREATE OR REPLACE VIEW api.enrollments WITH (security_invoker='true') AS
 SELECT id,
    student_id,
    class_id,
    school_id,
    enrollment_date,
    completion_date,
    created_at,
    updated_at,
    sourced_id
   FROM data.enrollments;

COMMENT ON VIEW api.enrollments IS 'Which students are enrolled in which classes.';

COMMENT ON COLUMN api.enrollments.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.enrollments.student_id IS 'The enrolled student.';

COMMENT ON COLUMN api.enrollments.class_id IS 'The class.';

COMMENT ON COLUMN api.enrollments.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.enrollments.enrollment_date IS 'Date the enrollment starts.';

COMMENT ON COLUMN api.enrollments.completion_date IS 'Date the enrollment ends.';

COMMENT ON COLUMN api.enrollments.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.enrollments.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.enrollments.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.announcements WITH (security_invoker='true') AS
 SELECT id,
    title,
    content,
    published_at,
    school_id,
    created_by_user_id,
    audience,
    created_at,
    updated_at
   FROM data.announcements;

COMMENT ON VIEW api.announcements IS 'Announcements to roles of the school.';

COMMENT ON COLUMN api.announcements.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.announcements.title IS 'Title.';

COMMENT ON COLUMN api.announcements.content IS 'Body text.';

COMMENT ON COLUMN api.announcements.published_at IS 'Publication time.';

COMMENT ON COLUMN api.announcements.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.announcements.created_by_user_id IS 'Author.';

COMMENT ON COLUMN api.announcements.audience IS 'Who may read it: {"roles": ["ADMIN", "TEACHER", "PARENT", "STUDENT"]}.';

COMMENT ON COLUMN api.announcements.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.announcements.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.assessments WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    name,
    subject_id,
    class_id,
    exam_date,
    max_score,
    weight,
    created_at,
    updated_at
   FROM data.assessments
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.assessments IS 'Exams and tests. Deleted rows are not shown.';

COMMENT ON COLUMN api.assessments.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.assessments.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.assessments.name IS 'Name of the assessment.';

COMMENT ON COLUMN api.assessments.subject_id IS 'The subject.';

COMMENT ON COLUMN api.assessments.class_id IS 'The class sitting it.';

COMMENT ON COLUMN api.assessments.exam_date IS 'When it takes place.';

COMMENT ON COLUMN api.assessments.max_score IS 'Highest possible score.';

COMMENT ON COLUMN api.assessments.weight IS 'Weight in the final grade.';

COMMENT ON COLUMN api.assessments.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.assessments.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.assignments WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.assignments
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.assignments IS 'Assignments set in a class. Deleted rows are not shown.';

COMMENT ON COLUMN api.assignments.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.assignments.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.assignments.class_id IS 'The class the assignment is for.';

COMMENT ON COLUMN api.assignments.subject_id IS 'The subject.';

COMMENT ON COLUMN api.assignments.teacher_id IS 'The teacher who set it.';

COMMENT ON COLUMN api.assignments.title IS 'Title.';

COMMENT ON COLUMN api.assignments.description IS 'Instructions.';

COMMENT ON COLUMN api.assignments.due_date IS 'When it is due.';

COMMENT ON COLUMN api.assignments.assigned_date IS 'When it was set.';

COMMENT ON COLUMN api.assignments.max_score IS 'Highest possible score.';

COMMENT ON COLUMN api.assignments.type IS 'HOMEWORK, QUIZ, PROJECT, ESSAY, LAB, CLASSWORK or OTHER.';

COMMENT ON COLUMN api.assignments.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.assignments.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.attendance_records WITH (security_invoker='true') AS
 SELECT id,
    date,
    status,
    session,
    student_id,
    class_id,
    recorded_by_id,
    school_id,
    created_at,
    updated_at
   FROM data.attendance_records;

COMMENT ON VIEW api.attendance_records IS 'Attendance marks, one per student, day and session.';

COMMENT ON COLUMN api.attendance_records.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.attendance_records.date IS 'Day of the mark.';

COMMENT ON COLUMN api.attendance_records.status IS 'PRESENT, ABSENT, LATE or EXCUSED.';

COMMENT ON COLUMN api.attendance_records.session IS 'Session label (e.g. AM, Period 1); empty for a day-level mark.';

COMMENT ON COLUMN api.attendance_records.student_id IS 'The student marked.';

COMMENT ON COLUMN api.attendance_records.class_id IS 'The class the mark was taken in.';

COMMENT ON COLUMN api.attendance_records.recorded_by_id IS 'The user who recorded the mark.';

COMMENT ON COLUMN api.attendance_records.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.attendance_records.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.attendance_records.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.communication_logs WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    initiated_by_user_id,
    party_type,
    party_id,
    date,
    method,
    summary,
    created_at,
    updated_at
   FROM data.communication_logs
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.communication_logs IS 'Log of contacts with parents and students. Deleted rows are not shown.';

COMMENT ON COLUMN api.communication_logs.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.communication_logs.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.communication_logs.initiated_by_user_id IS 'The user who made the contact.';

COMMENT ON COLUMN api.communication_logs.party_type IS 'PARENT or STUDENT.';

COMMENT ON COLUMN api.communication_logs.party_id IS 'The parent or student contacted (by party_type).';

COMMENT ON COLUMN api.communication_logs.date IS 'When it happened.';

COMMENT ON COLUMN api.communication_logs.method IS 'EMAIL, PHONE, MEETING, LETTER, SMS or OTHER.';

COMMENT ON COLUMN api.communication_logs.summary IS 'Summary.';

COMMENT ON COLUMN api.communication_logs.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.communication_logs.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.discipline_incidents WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.discipline_incidents
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.discipline_incidents IS 'Discipline incidents (admins, and the teacher who reported one). Deleted rows are not shown.';

COMMENT ON COLUMN api.discipline_incidents.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.discipline_incidents.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.discipline_incidents.student_id IS 'The student involved.';

COMMENT ON COLUMN api.discipline_incidents.reported_by_user_id IS 'The user who reported it.';

COMMENT ON COLUMN api.discipline_incidents.incident_date IS 'When it happened.';

COMMENT ON COLUMN api.discipline_incidents.description IS 'What happened.';

COMMENT ON COLUMN api.discipline_incidents.severity IS 'MINOR, MODERATE, MAJOR or SEVERE.';

COMMENT ON COLUMN api.discipline_incidents.action_taken IS 'Action taken.';

COMMENT ON COLUMN api.discipline_incidents.resolved IS 'True once resolved.';

COMMENT ON COLUMN api.discipline_incidents.resolved_by_user_id IS 'The user who resolved it.';

COMMENT ON COLUMN api.discipline_incidents.resolved_date IS 'When it was resolved.';

COMMENT ON COLUMN api.discipline_incidents.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.discipline_incidents.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.fee_types WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    name,
    description,
    amount,
    created_at,
    updated_at
   FROM data.fee_types
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.fee_types IS 'Kinds of fees the school charges. Deleted rows are not shown.';

COMMENT ON COLUMN api.fee_types.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.fee_types.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.fee_types.name IS 'Fee name, unique per school.';

COMMENT ON COLUMN api.fee_types.description IS 'Description.';

COMMENT ON COLUMN api.fee_types.amount IS 'Default amount.';

COMMENT ON COLUMN api.fee_types.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.fee_types.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.grades WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.grades
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.grades IS 'Scores of students on assignments or assessments. Deleted rows are not shown.';

COMMENT ON COLUMN api.grades.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.grades.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.grades.assignment_id IS 'The assignment graded (or null for an assessment).';

COMMENT ON COLUMN api.grades.assessment_id IS 'The assessment graded (or null for an assignment).';

COMMENT ON COLUMN api.grades.student_id IS 'The student graded.';

COMMENT ON COLUMN api.grades.score IS 'Score, between 0 and the maximum score.';

COMMENT ON COLUMN api.grades.grade IS 'Letter or band (e.g. A, B+).';

COMMENT ON COLUMN api.grades.feedback IS 'Teacher''s feedback.';

COMMENT ON COLUMN api.grades.recorded_by_user_id IS 'The user who recorded the grade.';

COMMENT ON COLUMN api.grades.recorded_at IS 'When the grade was recorded.';

COMMENT ON COLUMN api.grades.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.grades.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.health_records WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    student_id,
    record_date,
    type,
    details,
    recorded_by_user_id,
    created_at,
    updated_at
   FROM data.health_records
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.health_records IS 'Health records of students (admins only). Deleted rows are not shown.';

COMMENT ON COLUMN api.health_records.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.health_records.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.health_records.student_id IS 'The student.';

COMMENT ON COLUMN api.health_records.record_date IS 'Date of the record.';

COMMENT ON COLUMN api.health_records.type IS 'IMMUNIZATION, ALLERGY, MEDICATION, CONDITION, INJURY, SCREENING or OTHER.';

COMMENT ON COLUMN api.health_records.details IS 'Details.';

COMMENT ON COLUMN api.health_records.recorded_by_user_id IS 'The user who recorded it.';

COMMENT ON COLUMN api.health_records.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.health_records.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.invoice_items WITH (security_invoker='true') AS
 SELECT id,
    invoice_id,
    school_id,
    fee_type_id,
    description,
    quantity,
    unit_price,
    created_at,
    updated_at,
    line_total
   FROM data.invoice_items;

COMMENT ON VIEW api.invoice_items IS 'Lines of an invoice.';

COMMENT ON COLUMN api.invoice_items.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.invoice_items.invoice_id IS 'The invoice.';

COMMENT ON COLUMN api.invoice_items.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.invoice_items.fee_type_id IS 'The fee type charged.';

COMMENT ON COLUMN api.invoice_items.description IS 'Line text.';

COMMENT ON COLUMN api.invoice_items.quantity IS 'Quantity.';

COMMENT ON COLUMN api.invoice_items.unit_price IS 'Price per unit.';

COMMENT ON COLUMN api.invoice_items.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.invoice_items.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.invoice_items.line_total IS 'quantity x unit_price, rounded to cents (computed by the database).';

CREATE OR REPLACE VIEW api.invoices WITH (security_invoker='true') AS
 SELECT id,
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
   FROM data.invoices
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.invoices IS 'Invoices billed to a student, a parent, or both. Deleted rows are not shown.';

COMMENT ON COLUMN api.invoices.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.invoices.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.invoices.student_id IS 'The student billed.';

COMMENT ON COLUMN api.invoices.parent_id IS 'The parent billed.';

COMMENT ON COLUMN api.invoices.invoice_number IS 'Invoice number, unique per school.';

COMMENT ON COLUMN api.invoices.issue_date IS 'Date of issue.';

COMMENT ON COLUMN api.invoices.due_date IS 'Date payment is due.';

COMMENT ON COLUMN api.invoices.total_amount IS 'Sum of the items (kept by the database).';

COMMENT ON COLUMN api.invoices.balance_due IS 'Total minus payments (kept by the database).';

COMMENT ON COLUMN api.invoices.status IS 'DRAFT, SENT, PARTIALLY_PAID, PAID or CANCELLED.';

COMMENT ON COLUMN api.invoices.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.invoices.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.payments WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    invoice_id,
    amount,
    payment_date,
    method,
    transaction_id,
    received_by_user_id,
    created_at,
    updated_at
   FROM data.payments
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.payments IS 'Payments against invoices. Deleted rows are not shown.';

COMMENT ON COLUMN api.payments.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.payments.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.payments.invoice_id IS 'The invoice paid.';

COMMENT ON COLUMN api.payments.amount IS 'Amount paid.';

COMMENT ON COLUMN api.payments.payment_date IS 'When it was paid.';

COMMENT ON COLUMN api.payments.method IS 'CASH, CARD, BANK_TRANSFER, CHEQUE, MOBILE_MONEY, ONLINE or OTHER.';

COMMENT ON COLUMN api.payments.transaction_id IS 'Payment processor reference, unique per school.';

COMMENT ON COLUMN api.payments.received_by_user_id IS 'The user who took the payment.';

COMMENT ON COLUMN api.payments.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.payments.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.rooms WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    name,
    type,
    capacity,
    created_at,
    updated_at
   FROM data.rooms
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.rooms IS 'Rooms of the school. Deleted rows are not shown.';

COMMENT ON COLUMN api.rooms.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.rooms.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.rooms.name IS 'Room name, unique per school.';

COMMENT ON COLUMN api.rooms.type IS 'CLASSROOM, LAB, OFFICE, HALL, LIBRARY, GYM or OTHER.';

COMMENT ON COLUMN api.rooms.capacity IS 'Number of seats.';

COMMENT ON COLUMN api.rooms.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.rooms.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.school_settings WITH (security_invoker='true') AS
 SELECT school_id,
    current_academic_term_id,
    attendance_start_time,
    attendance_end_time,
    grading_scale_details,
    created_at,
    updated_at
   FROM data.school_settings;

COMMENT ON VIEW api.school_settings IS 'One row of settings per school.';

COMMENT ON COLUMN api.school_settings.school_id IS 'The school these settings belong to (one row per school).';

COMMENT ON COLUMN api.school_settings.current_academic_term_id IS 'The school''s current academic term.';

COMMENT ON COLUMN api.school_settings.attendance_start_time IS 'Time of day attendance taking opens.';

COMMENT ON COLUMN api.school_settings.attendance_end_time IS 'Time of day attendance taking closes.';

COMMENT ON COLUMN api.school_settings.grading_scale_details IS 'Grading scale (JSON object or array).';

COMMENT ON COLUMN api.school_settings.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.school_settings.updated_at IS 'When the row was last changed (set by the database).';

CREATE OR REPLACE VIEW api.student_parents WITH (security_invoker='true') AS
 SELECT id,
    student_id,
    parent_id,
    school_id,
    created_at
   FROM data.student_parents;

COMMENT ON VIEW api.student_parents IS 'Links between students and their parents or guardians.';

COMMENT ON COLUMN api.student_parents.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.student_parents.student_id IS 'The student.';

COMMENT ON COLUMN api.student_parents.parent_id IS 'The parent or guardian.';

COMMENT ON COLUMN api.student_parents.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.student_parents.created_at IS 'When the row was created (set by the database).';

CREATE OR REPLACE VIEW api.subjects WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    name,
    description,
    code,
    created_at,
    updated_at,
    sourced_id
   FROM data.subjects
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.subjects IS 'Subjects taught at the school. Deleted rows are not shown.';

COMMENT ON COLUMN api.subjects.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.subjects.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.subjects.name IS 'Subject name, unique per school.';

COMMENT ON COLUMN api.subjects.description IS 'Description.';

COMMENT ON COLUMN api.subjects.code IS 'Subject code, unique per school.';

COMMENT ON COLUMN api.subjects.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.subjects.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.subjects.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

CREATE OR REPLACE VIEW api.users WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    email,
    role,
    is_active,
    created_at,
    updated_at,
    sourced_id
   FROM data.users
  WHERE (NOT is_deleted);

COMMENT ON VIEW api.users IS 'Logins of the school (password hashes are never exposed). Deleted rows are not shown.';

COMMENT ON COLUMN api.users.id IS 'Unique identifier (uuid).';

COMMENT ON COLUMN api.users.school_id IS 'The school this row belongs to.';

COMMENT ON COLUMN api.users.email IS 'Login email, unique across the service (case-insensitive).';

COMMENT ON COLUMN api.users.role IS 'ADMIN, TEACHER, PARENT or STUDENT: the API role the login acts as.';

COMMENT ON COLUMN api.users.is_active IS 'False when the login is disabled.';

COMMENT ON COLUMN api.users.created_at IS 'When the row was created (set by the database).';

COMMENT ON COLUMN api.users.updated_at IS 'When the row was last changed (set by the database).';

COMMENT ON COLUMN api.users.sourced_id IS 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

ALTER TABLE ONLY api.academic_terms ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.announcements ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.assessments ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.assignments ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.attendance_records ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.audit_log ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.classes ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.communication_logs ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.discipline_incidents ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.enrollments ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.fee_types ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.grades ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.health_records ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.invoice_items ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.invoices ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.parents ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.payments ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.rooms ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.school_settings ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.student_parents ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.students ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.subjects ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.teachers ALTER COLUMN school_id SET DEFAULT auth.school_id();

ALTER TABLE ONLY api.users ALTER COLUMN school_id SET DEFAULT auth.school_id();

-- PostgreSQL database dump complete
