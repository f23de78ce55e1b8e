-- Reporting views for BI tools connecting straight to Postgres, and per-school
-- reporting logins.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION api.create_reporting_login(password text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    caller_school constant uuid := auth.school_id();
    login_name text;
begin
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school administrator can manage the reporting login'
            using errcode = '42501';
    end if;
    if password is null or length(password) < 16 then
        raise exception 'the reporting password must be at least 16 characters long'
            using errcode = '22023', hint = 'Use a long random password; BI tools store it once.';
    end if;
    -- 'reporting_' and 32 hex digits: 42 characters, within the 63 of a role name.
    login_name := 'reporting_' || replace(caller_school::text, '-', '');

    if exists (select from pg_catalog.pg_roles r where r.rolname = login_name) then
        -- Rotate: the same name, a new password; settings are (re)applied below.
        execute format('alter role %I with login password %L connection limit 5', login_name, password);
    else
        execute format('create role %I with login password %L connection limit 5 in role reporting',
                       login_name, password);
    end if;
    execute format('alter role %I set default_transaction_read_only = on', login_name);
    execute format('alter role %I set statement_timeout = %L', login_name, '30s');
    execute format('alter role %I set idle_in_transaction_session_timeout = %L', login_name, '5min');
    execute format('alter role %I set search_path = reporting, api', login_name);

    -- CONNECT on this database. school_owner can grant it only when it holds it
    -- WITH GRANT OPTION (bootstrap); otherwise the login connects through the
    -- PUBLIC default, and if that was revoked there is no way in: say so.
    if pg_catalog.has_database_privilege(current_user, pg_catalog.current_database(), 'CONNECT WITH GRANT OPTION') then
        execute format('grant connect on database %I to %I', pg_catalog.current_database(), login_name);
    elsif not pg_catalog.has_database_privilege('public', pg_catalog.current_database(), 'CONNECT') then
        raise exception 'the reporting login could not be given access to this database'
            using errcode = '42501',
                  hint = 'The operator must grant school_owner CONNECT on the database WITH GRANT OPTION.';
    end if;

    insert into auth.reporting_logins (role_name, school_id)
    values (login_name, caller_school)
    on conflict (role_name) do nothing;
    return login_name;
end
$$;

COMMENT ON FUNCTION api.create_reporting_login(password text) IS 'Create (or rotate the password of) your school''s read-only reporting login for BI tools; returns the login name.';

CREATE OR REPLACE FUNCTION api.drop_reporting_login() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    caller_school constant uuid := auth.school_id();
    login_name text;
begin
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school administrator can manage the reporting login'
            using errcode = '42501';
    end if;
    login_name := 'reporting_' || replace(caller_school::text, '-', '');
    delete from auth.reporting_logins where role_name = login_name;
    if not exists (select from pg_catalog.pg_roles r where r.rolname = login_name) then
        return false;
    end if;
    -- A role that holds a privilege cannot be dropped; CONNECT is its only one.
    execute format('revoke connect on database %I from %I', pg_catalog.current_database(), login_name);
    execute format('drop role %I', login_name);
    return true;
end
$$;

COMMENT ON FUNCTION api.drop_reporting_login() IS 'Drop your school''s reporting login; returns false when there was none.';

CREATE OR REPLACE VIEW reporting.attendance_daily WITH (security_invoker='true') AS
 SELECT school_id,
    date,
    count(*) AS marks,
    count(*) FILTER (WHERE ((status)::text = 'PRESENT'::text)) AS present,
    count(*) FILTER (WHERE ((status)::text = 'LATE'::text)) AS late,
    count(*) FILTER (WHERE ((status)::text = 'ABSENT'::text)) AS absent,
    count(*) FILTER (WHERE ((status)::text = 'EXCUSED'::text)) AS excused,
    count(DISTINCT student_id) AS students_marked,
    round(((count(*) FILTER (WHERE (status IN ('PRESENT', 'LATE'))))::numeric / (count(*))::numeric), 4) AS attendance_rate
   FROM data.attendance_records a
  GROUP BY school_id, date;

COMMENT ON VIEW reporting.attendance_daily IS 'Attendance per school and day: marks by status and the attendance rate.';

COMMENT ON COLUMN reporting.attendance_daily.school_id IS 'The school.';

COMMENT ON COLUMN reporting.attendance_daily.date IS 'The day.';

COMMENT ON COLUMN reporting.attendance_daily.marks IS 'Attendance marks recorded that day (all sessions).';

COMMENT ON COLUMN reporting.attendance_daily.present IS 'Marks with status PRESENT.';

COMMENT ON COLUMN reporting.attendance_daily.late IS 'Marks with status LATE.';

COMMENT ON COLUMN reporting.attendance_daily.absent IS 'Marks with status ABSENT.';

COMMENT ON COLUMN reporting.attendance_daily.excused IS 'Marks with status EXCUSED.';

COMMENT ON COLUMN reporting.attendance_daily.students_marked IS 'Distinct students with at least one mark that day.';

COMMENT ON COLUMN reporting.attendance_daily.attendance_rate IS 'Share of marks that are PRESENT or LATE, between 0 and 1 (4 decimals).';

CREATE OR REPLACE VIEW reporting.enrollment_counts WITH (security_invoker='true') AS
 SELECT id AS class_id,
    school_id,
    name AS class_name,
    academic_year,
    academic_term_id,
    subject_id,
    teacher_id,
    ( SELECT count(*) AS count
           FROM (data.enrollments e
             JOIN data.students s ON (((s.school_id = e.school_id) AND (s.id = e.student_id))))
          WHERE ((e.school_id = c.school_id) AND (e.class_id = c.id) AND (NOT s.is_deleted))) AS enrolled_students
   FROM data.classes c
  WHERE (NOT is_deleted);

COMMENT ON VIEW reporting.enrollment_counts IS 'One row per (not deleted) class with its number of enrolled students.';

COMMENT ON COLUMN reporting.enrollment_counts.class_id IS 'The class''s id (api.classes.id).';

COMMENT ON COLUMN reporting.enrollment_counts.school_id IS 'The school.';

COMMENT ON COLUMN reporting.enrollment_counts.class_name IS 'Class name.';

COMMENT ON COLUMN reporting.enrollment_counts.academic_year IS 'Academic year label.';

COMMENT ON COLUMN reporting.enrollment_counts.academic_term_id IS 'The term the class runs in.';

COMMENT ON COLUMN reporting.enrollment_counts.subject_id IS 'The subject taught.';

COMMENT ON COLUMN reporting.enrollment_counts.teacher_id IS 'The teacher.';

COMMENT ON COLUMN reporting.enrollment_counts.enrolled_students IS 'Number of (not deleted) students enrolled.';

CREATE OR REPLACE VIEW reporting.invoice_balances WITH (security_invoker='true') AS
 SELECT id AS invoice_id,
    school_id,
    invoice_number,
    status,
    issue_date,
    due_date,
    student_id,
    parent_id,
    total_amount,
    (COALESCE(( SELECT sum(p.amount) AS sum
           FROM data.payments p
          WHERE ((p.school_id = i.school_id) AND (p.invoice_id = i.id) AND (NOT p.is_deleted))), (0)::numeric))::numeric(10,2) AS paid_amount,
    balance_due,
        CASE
            WHEN ((balance_due > (0)::numeric) AND (status NOT IN ('PAID', 'CANCELLED')) AND (due_date < CURRENT_DATE)) THEN (CURRENT_DATE - due_date)
            ELSE 0
        END AS days_overdue
   FROM data.invoices i
  WHERE (NOT is_deleted);

COMMENT ON VIEW reporting.invoice_balances IS 'One row per (not deleted) invoice: total, paid, balance and days overdue.';

COMMENT ON COLUMN reporting.invoice_balances.invoice_id IS 'The invoice''s id (api.invoices.id).';

COMMENT ON COLUMN reporting.invoice_balances.school_id IS 'The school.';

COMMENT ON COLUMN reporting.invoice_balances.invoice_number IS 'Invoice number, unique per school.';

COMMENT ON COLUMN reporting.invoice_balances.status IS 'DRAFT, SENT, PARTIALLY_PAID, PAID or CANCELLED.';

COMMENT ON COLUMN reporting.invoice_balances.issue_date IS 'Date of issue.';

COMMENT ON COLUMN reporting.invoice_balances.due_date IS 'Date payment is due.';

COMMENT ON COLUMN reporting.invoice_balances.student_id IS 'The student billed, if any.';

COMMENT ON COLUMN reporting.invoice_balances.parent_id IS 'The parent billed, if any.';

COMMENT ON COLUMN reporting.invoice_balances.total_amount IS 'Invoice total.';

COMMENT ON COLUMN reporting.invoice_balances.paid_amount IS 'Sum of the (not deleted) payments.';

COMMENT ON COLUMN reporting.invoice_balances.balance_due IS 'Amount still due.';

COMMENT ON COLUMN reporting.invoice_balances.days_overdue IS 'Days past the due date while a balance is open (0 otherwise).';

CREATE OR REPLACE VIEW reporting.students WITH (security_invoker='true') AS
 SELECT id AS student_id,
    school_id,
    student_number,
    first_name,
    last_name,
    date_of_birth,
    gender,
    enrollment_status,
    ( SELECT count(*) AS count
           FROM data.enrollments e
          WHERE ((e.school_id = s.school_id) AND (e.student_id = s.id))) AS class_count,
    created_at
   FROM data.students s
  WHERE (NOT is_deleted);

COMMENT ON VIEW reporting.students IS 'One row per (not deleted) student, with the number of classes they are enrolled in.';

COMMENT ON COLUMN reporting.students.student_id IS 'The student''s id (api.students.id).';

COMMENT ON COLUMN reporting.students.school_id IS 'The school.';

COMMENT ON COLUMN reporting.students.student_number IS 'The school''s own student code.';

COMMENT ON COLUMN reporting.students.first_name IS 'First name.';

COMMENT ON COLUMN reporting.students.last_name IS 'Last name.';

COMMENT ON COLUMN reporting.students.date_of_birth IS 'Date of birth.';

COMMENT ON COLUMN reporting.students.gender IS 'FEMALE, MALE, NON_BINARY, OTHER or UNDISCLOSED.';

COMMENT ON COLUMN reporting.students.enrollment_status IS 'ACTIVE, INACTIVE, SUSPENDED, GRADUATED, TRANSFERRED or WITHDRAWN.';

COMMENT ON COLUMN reporting.students.class_count IS 'Number of classes the student is enrolled in.';

COMMENT ON COLUMN reporting.students.created_at IS 'When the student was added.';

REVOKE ALL ON FUNCTION api.create_reporting_login(password text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.create_reporting_login(password text) TO school_admin;

REVOKE ALL ON FUNCTION api.drop_reporting_login() FROM PUBLIC;
GRANT ALL ON FUNCTION api.drop_reporting_login() TO school_admin;

-- PostgreSQL database dump complete
