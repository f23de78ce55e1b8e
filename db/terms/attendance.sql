-- api.mark_class_attendance: a class register in one call.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Taking the register: a whole class for one date (and optional session) in one
-- call, as a teacher does it on a tablet. Kept beside the terms because both are
-- about the school calendar; attendance rules proper (policies) live in tenancy.
--
-- SECURITY INVOKER, through the api views (API roles have no USAGE on `data`):
-- the caller's row-level policies decide which classes it may
-- mark (a teacher: the classes they teach; an admin: the school), which
-- enrollments it sees, and which existing marks it may overwrite. The function
-- adds only what a policy cannot say: every student must be enrolled in the
-- class on that date, and each student appears once.
-- Re-marking is an upsert on the (school, student, date, session) key, which
-- treats a null session as a value (NULLS NOT DISTINCT, 0002): a day-level mark
-- is replaced, not duplicated.
create or replace function api.mark_class_attendance(p_class_id uuid, p_date date, p_records jsonb, p_session text default null::text) returns integer
    language plpgsql
    set search_path to ''
    as $$
declare
    caller_school uuid := auth.school_id();
    recorder uuid := auth.user_id();
    strays text;
    written integer;
begin
    if auth.role() is distinct from 'school_admin' and auth.role() is distinct from 'teacher' then
        raise exception 'only teachers and school admins may mark attendance'
            using errcode = '42501';
    end if;
    if recorder is null or caller_school is null then
        raise exception 'marking attendance needs a signed-in user of a school'
            using errcode = '42501';
    end if;
    if p_class_id is null or p_date is null then
        raise exception 'class and date are required'
            using errcode = '22023';
    end if;
    if jsonb_typeof(p_records) is distinct from 'array'
       or exists (
           select from jsonb_array_elements(p_records) e
           where jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'student_id') is distinct from 'string'
                 or jsonb_typeof(e -> 'status') is distinct from 'string'
       ) then
        raise exception 'records must be an array of {"student_id": ..., "status": ...}'
            using errcode = '22023', hint = 'status is one of PRESENT, ABSENT, LATE, EXCUSED.';
    end if;
    if exists (
        select from jsonb_to_recordset(p_records) as r(student_id uuid)
        group by r.student_id having count(*) > 1
    ) then
        raise exception 'a student appears more than once in the records'
            using errcode = '22023';
    end if;

    -- A class the caller's policies hide (another teacher's) gets the same answer
    -- as one that does not exist.
    perform from api.classes c where c.school_id = caller_school and c.id = p_class_id;
    if not found then
        raise exception 'class % is not one you may mark attendance for', p_class_id
            using errcode = '42501';
    end if;

    select string_agg(r.student_id::text, ', ') into strays
    from jsonb_to_recordset(p_records) as r(student_id uuid)
    where not exists (
        select from api.enrollments e
        where e.school_id = caller_school and e.class_id = p_class_id and e.student_id = r.student_id
          and (e.enrollment_date is null or e.enrollment_date <= p_date)
          and (e.completion_date is null or e.completion_date >= p_date)
    );
    if strays is not null then
        raise exception 'not enrolled in this class on %: %', p_date, strays
            using errcode = '23503', constraint = 'attendance_records_enrollment_check',
                  hint = 'Mark only students enrolled in the class on that date.';
    end if;

    insert into api.attendance_records as a (school_id, class_id, student_id, date, session, status, recorded_by_id)
    select caller_school, p_class_id, r.student_id, p_date, p_session, r.status, recorder
    from jsonb_to_recordset(p_records) as r(student_id uuid, status text)
    -- Inferred from the columns (ON CONSTRAINT cannot name a constraint through a
    -- view): the unique attendance_records_student_day_session_key.
    on conflict (school_id, student_id, date, session) do update
        set status = excluded.status, class_id = excluded.class_id, recorded_by_id = excluded.recorded_by_id;
    get diagnostics written = row_count;
    return written;
end
$$;

revoke all on function api.mark_class_attendance(p_class_id uuid, p_date date, p_records jsonb, p_session text) from public;
grant all on function api.mark_class_attendance(p_class_id uuid, p_date date, p_records jsonb, p_session text) to school_admin;
grant all on function api.mark_class_attendance(p_class_id uuid, p_date date, p_records jsonb, p_session text) to teacher;

-- PostgreSQL database dump complete
