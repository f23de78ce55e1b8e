-- api.purge_student: removes a student and everything about them, for a school
-- admin.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Erasure of a student's personal data (a parent's or a regulator's request),
-- as opposed to soft delete, which only hides a row.
--
-- Removed for real: health records, discipline incidents, communication logs
-- with the student, guardian links; the student row is anonymised in place and
-- the student's login disabled and anonymised.
-- Kept, linked to the now pseudonymous student row: what the school must keep
-- (attendance, grades, enrollments, invoices and payments).
--
-- Trade-off, on purpose: the audit log's earlier entries about the student are
-- NOT rewritten. The log is append-only for everyone (db/audit), and an erasure
-- that could edit the log would make the log worthless as evidence. The purge
-- itself adds no personal data to it: while it runs, the audit trigger writes
-- PURGE entries without old data (db/audit, audit.purges_in_progress). Reading
-- old entries is limited to the school's admins by row-level security; a
-- retention policy for the log is the place to age them out (db/lifecycle/README.md).
create or replace function api.purge_student(p_student_id uuid, p_reason text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    caller_school uuid := auth.school_id();
    student_user uuid;
    removed jsonb := '{}';
    n bigint;
    actor record;
begin
    -- SECURITY DEFINER sees every school (the owner's policies), so the caller's
    -- role and school are checked here, and every statement below names the school.
    -- The same error for "not an admin" and "no such student in your school": a
    -- purge must not reveal which ids exist in other schools.
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school admin may purge a student'
            using errcode = '42501';
    end if;
    select s.user_id into student_user
    from data.students s
    where s.school_id = caller_school and s.id = p_student_id
    for update;
    if not found then
        raise exception 'only a school admin of the student''s school may purge this student'
            using errcode = '42501';
    end if;
    if p_reason is null or btrim(p_reason) = '' then
        raise exception 'a purge needs a reason'
            using errcode = '22023', hint = 'Give the request it answers, e.g. "erasure request of 2026-11-20, ref 1234".';
    end if;

    insert into audit.purges_in_progress (transaction_id, school_id, student_id)
    values (pg_catalog.pg_current_xact_id(), caller_school, p_student_id)
    on conflict (transaction_id) do nothing;

    delete from data.health_records where school_id = caller_school and student_id = p_student_id;
    get diagnostics n = row_count;
    removed := removed || jsonb_build_object('health_records', n);

    delete from data.discipline_incidents where school_id = caller_school and student_id = p_student_id;
    get diagnostics n = row_count;
    removed := removed || jsonb_build_object('discipline_incidents', n);

    delete from data.communication_logs
    where school_id = caller_school and party_type = 'STUDENT' and party_id = p_student_id;
    get diagnostics n = row_count;
    removed := removed || jsonb_build_object('communication_logs', n);

    delete from data.student_parents where school_id = caller_school and student_id = p_student_id;
    get diagnostics n = row_count;
    removed := removed || jsonb_build_object('student_parents', n);

    -- The full id, not a prefix: uuidv7 ids begin with their creation time, so
    -- two students imported in the same minute share their first 8 characters and
    -- the second purge would break (school_id, student_number) uniqueness.
    update data.students
    set first_name = 'Erased',
        last_name = 'Erased',
        date_of_birth = null,
        gender = null,
        student_number = 'ERASED-' || id::text
    where school_id = caller_school and id = p_student_id;

    if student_user is not null then
        -- '!' is no argon2 hash: verification always fails (db/passwords.py).
        update data.users
        set email = 'erased-' || id::text || '@erased.invalid',
            password_hash = '!',
            is_active = false,
            is_deleted = true
        where school_id = caller_school and id = student_user;
    end if;

    delete from audit.purges_in_progress where transaction_id = pg_catalog.pg_current_xact_id();

    select * into actor from audit.current_actor();
    insert into audit.audit_log
        (school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
    values (
        caller_school,
        case when actor.user_school_id = caller_school then actor.user_id end,
        actor.actor_role, actor.actor_sub, 'students', p_student_id, 'PURGE', null,
        jsonb_build_object('reason', p_reason, 'removed', removed),
        actor.request_id
    );

    return jsonb_build_object('student_id', p_student_id, 'removed', removed);
end
$$;

revoke all on function api.purge_student(p_student_id uuid, p_reason text) from public;
grant all on function api.purge_student(p_student_id uuid, p_reason text) to school_admin;

-- PostgreSQL database dump complete
