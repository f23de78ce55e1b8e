-- Reporting views for BI tools connecting straight to Postgres, and per-school
-- reporting logins.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- (2) Per-school reporting logins.
-- A LOGIN role per school, member of `reporting` (whose grants and policies it
-- inherits) and registered in auth.reporting_logins so auth.school_id() knows
-- its school without a JWT. The name is opaque (`rpt_` and 32 random hex
-- digits): a login name is seen in logs, pg_stat_activity and BI tools'
-- settings, and must not tell which school it reads (issue 13 F4). Logins made
-- before carry `reporting_<school hex>`; rotate keeps a login's name.
-- Read-only by privilege (reporting holds SELECT only); the role settings are
-- defence in depth and guard the server from runaway BI queries (a session may
-- still change them: PostgreSQL has no per-role locked settings, but
-- temp_file_limit needs a privilege the login lacks). Their values are the
-- operator's, not the school admin's: the database settings
-- school_data.reporting_statement_timeout, _work_mem, _temp_file_limit and
-- _connection_limit (ALTER DATABASE ... SET, or the CLI's REPORTING_* variables),
-- defaults 30s, 32MB, 1GB and 5.
-- SECURITY DEFINER so that school_owner (CREATEROLE, ADMIN on reporting; enough
-- on PostgreSQL 16+; SET on temp_file_limit from db/bootstrap.sql) creates the
-- role; the caller must be a school admin.
create or replace function api.create_reporting_login(password text) returns text
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    caller_school constant uuid := auth.school_id();
    login_name text;
    guard_timeout constant text := coalesce(nullif(current_setting('school_data.reporting_statement_timeout', true), ''), '30s');
    guard_work_mem constant text := coalesce(nullif(current_setting('school_data.reporting_work_mem', true), ''), '32MB');
    guard_temp constant text := coalesce(nullif(current_setting('school_data.reporting_temp_file_limit', true), ''), '1GB');
    guard_connections constant int := coalesce(nullif(current_setting('school_data.reporting_connection_limit', true), '')::int, 5);
begin
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school administrator can manage the reporting login'
            using errcode = '42501';
    end if;
    if password is null or length(password) < 16 then
        raise exception 'the reporting password must be at least 16 characters long'
            using errcode = '22023', hint = 'Use a long random password; BI tools store it once.';
    end if;
    select r.role_name into login_name from auth.reporting_logins r where r.school_id = caller_school;

    if login_name is not null and exists (select from pg_catalog.pg_roles r where r.rolname = login_name) then
        -- Rotate: the same name, a new password; the guards are (re)applied below.
        execute format('alter role %I with login password %L connection limit %s', login_name, password, guard_connections);
    else
        login_name := 'rpt_' || replace(pg_catalog.gen_random_uuid()::text, '-', '');
        execute format('create role %I with login password %L connection limit %s in role reporting',
                       login_name, password, guard_connections);
    end if;
    execute format('alter role %I set default_transaction_read_only = on', login_name);
    execute format('alter role %I set statement_timeout = %L', login_name, guard_timeout);
    execute format('alter role %I set work_mem = %L', login_name, guard_work_mem);
    execute format('alter role %I set temp_file_limit = %L', login_name, guard_temp);
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

comment on function api.create_reporting_login(password text) is 'Create (or rotate the password of) your school''s read-only reporting login for BI tools; returns the login name.';

create or replace function api.drop_reporting_login() returns boolean
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    caller_school constant uuid := auth.school_id();
    login_name text;
begin
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school administrator can manage the reporting login'
            using errcode = '42501';
    end if;
    -- The registered name (opaque), or the name logins had before issue 15.
    select r.role_name into login_name from auth.reporting_logins r where r.school_id = caller_school;
    login_name := coalesce(login_name, 'reporting_' || replace(caller_school::text, '-', ''));
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

comment on function api.drop_reporting_login() is 'Drop your school''s reporting login; returns false when there was none.';

create or replace view reporting.attendance_daily with (security_invoker='true') as
 select school_id,
    date,
    count(*) as marks,
    count(*) filter (where ((status)::text = 'PRESENT'::text)) as present,
    count(*) filter (where ((status)::text = 'LATE'::text)) as late,
    count(*) filter (where ((status)::text = 'ABSENT'::text)) as absent,
    count(*) filter (where ((status)::text = 'EXCUSED'::text)) as excused,
    count(distinct student_id) as students_marked,
    round(((count(*) filter (where (status in ('PRESENT', 'LATE'))))::numeric / (count(*))::numeric), 4) as attendance_rate
   from data.attendance_records a
  group by school_id, date;

comment on view reporting.attendance_daily is 'Attendance per school and day: marks by status and the attendance rate.';

comment on column reporting.attendance_daily.school_id is 'The school.';

comment on column reporting.attendance_daily.date is 'The day.';

comment on column reporting.attendance_daily.marks is 'Attendance marks recorded that day (all sessions).';

comment on column reporting.attendance_daily.present is 'Marks with status PRESENT.';

comment on column reporting.attendance_daily.late is 'Marks with status LATE.';

comment on column reporting.attendance_daily.absent is 'Marks with status ABSENT.';

comment on column reporting.attendance_daily.excused is 'Marks with status EXCUSED.';

comment on column reporting.attendance_daily.students_marked is 'Distinct students with at least one mark that day.';

comment on column reporting.attendance_daily.attendance_rate is 'Share of marks that are PRESENT or LATE, between 0 and 1 (4 decimals).';

create or replace view reporting.enrollment_counts with (security_invoker='true') as
 select id as class_id,
    school_id,
    name as class_name,
    academic_year,
    academic_term_id,
    subject_id,
    teacher_id,
    ( select count(*) as count
           from (data.enrollments e
             join data.students s on (((s.school_id = e.school_id) and (s.id = e.student_id))))
          where ((e.school_id = c.school_id) and (e.class_id = c.id) and (not s.is_deleted))) as enrolled_students
   from data.classes c
  where (not is_deleted);

comment on view reporting.enrollment_counts is 'One row per (not deleted) class with its number of enrolled students.';

comment on column reporting.enrollment_counts.class_id is 'The class''s id (api.classes.id).';

comment on column reporting.enrollment_counts.school_id is 'The school.';

comment on column reporting.enrollment_counts.class_name is 'Class name.';

comment on column reporting.enrollment_counts.academic_year is 'Academic year label.';

comment on column reporting.enrollment_counts.academic_term_id is 'The term the class runs in.';

comment on column reporting.enrollment_counts.subject_id is 'The subject taught.';

comment on column reporting.enrollment_counts.teacher_id is 'The teacher.';

comment on column reporting.enrollment_counts.enrolled_students is 'Number of (not deleted) students enrolled.';

create or replace view reporting.invoice_balances with (security_invoker='true') as
 select id as invoice_id,
    school_id,
    invoice_number,
    status,
    issue_date,
    due_date,
    student_id,
    parent_id,
    total_amount,
    (coalesce(( select sum(p.amount) as sum
           from data.payments p
          where ((p.school_id = i.school_id) and (p.invoice_id = i.id) and (not p.is_deleted))), (0)::numeric))::numeric(10,2) as paid_amount,
    balance_due,
        case
            when ((balance_due > (0)::numeric) and (status not in ('PAID', 'CANCELLED')) and (due_date < current_date)) then (current_date - due_date)
            else 0
        end as days_overdue
   from data.invoices i
  where (not is_deleted);

comment on view reporting.invoice_balances is 'One row per (not deleted) invoice: total, paid, balance and days overdue.';

comment on column reporting.invoice_balances.invoice_id is 'The invoice''s id (api.invoices.id).';

comment on column reporting.invoice_balances.school_id is 'The school.';

comment on column reporting.invoice_balances.invoice_number is 'Invoice number, unique per school.';

comment on column reporting.invoice_balances.status is 'DRAFT, SENT, PARTIALLY_PAID, PAID or CANCELLED.';

comment on column reporting.invoice_balances.issue_date is 'Date of issue.';

comment on column reporting.invoice_balances.due_date is 'Date payment is due.';

comment on column reporting.invoice_balances.student_id is 'The student billed, if any.';

comment on column reporting.invoice_balances.parent_id is 'The parent billed, if any.';

comment on column reporting.invoice_balances.total_amount is 'Invoice total.';

comment on column reporting.invoice_balances.paid_amount is 'Sum of the (not deleted) payments.';

comment on column reporting.invoice_balances.balance_due is 'Amount still due.';

comment on column reporting.invoice_balances.days_overdue is 'Days past the due date while a balance is open (0 otherwise).';

-- (1) The views.
create or replace view reporting.students with (security_invoker='true') as
 select id as student_id,
    school_id,
    student_number,
    first_name,
    last_name,
    date_of_birth,
    gender,
    enrollment_status,
    ( select count(*) as count
           from data.enrollments e
          where ((e.school_id = s.school_id) and (e.student_id = s.id))) as class_count,
    created_at
   from data.students s
  where (not is_deleted);

comment on view reporting.students is 'One row per (not deleted) student, with the number of classes they are enrolled in.';

comment on column reporting.students.student_id is 'The student''s id (api.students.id).';

comment on column reporting.students.school_id is 'The school.';

comment on column reporting.students.student_number is 'The school''s own student code.';

comment on column reporting.students.first_name is 'First name.';

comment on column reporting.students.last_name is 'Last name.';

comment on column reporting.students.date_of_birth is 'Date of birth.';

comment on column reporting.students.gender is 'FEMALE, MALE, NON_BINARY, OTHER or UNDISCLOSED.';

comment on column reporting.students.enrollment_status is 'ACTIVE, INACTIVE, SUSPENDED, GRADUATED, TRANSFERRED or WITHDRAWN.';

comment on column reporting.students.class_count is 'Number of classes the student is enrolled in.';

comment on column reporting.students.created_at is 'When the student was added.';

revoke all on function api.create_reporting_login(password text) from public;
grant all on function api.create_reporting_login(password text) to school_admin;

revoke all on function api.drop_reporting_login() from public;
grant all on function api.drop_reporting_login() to school_admin;

-- PostgreSQL database dump complete
