-- Integrity a constraint cannot express: created_at/updated_at stamps, a grade
-- within its maximum, communication-log parties that exist.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- communication_logs.party_id names a parent or a student, by party_type, of the
-- same school. Polymorphic, so triggers do what a foreign key would, at both ends.
create or replace function data.communication_logs_check_party() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    -- A missing id or an unknown party type is not a missing party: leave them to
    -- NOT NULL (23502) and communication_logs_party_type_check (23514), which run after
    -- BEFORE triggers.
    if new.party_id is null or new.party_type not in ('PARENT', 'STUDENT') then
        return new;
    end if;
    if new.party_type = 'PARENT' then
        perform from data.parents where school_id = new.school_id and id = new.party_id;
    else
        perform from data.students where school_id = new.school_id and id = new.party_id;
    end if;
    if not found then
        raise exception 'no % with id % in this school', lower(new.party_type), new.party_id
            using errcode = '23503', constraint = 'communication_logs_party_fkey';
    end if;
    return new;
end
$$;

-- The other end of that key: a parent or student a log names cannot be deleted, nor
-- moved to another school, like the no-action keys above (23503). The party type
-- is the trigger's argument.
create or replace function data.communication_logs_check_party_kept() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    if tg_op = 'UPDATE' and (new.school_id, new.id) = (old.school_id, old.id) then
        return null;
    end if;
    perform from data.communication_logs
    where school_id = old.school_id and party_type = tg_argv[0] and party_id = old.id;
    if found then
        raise exception 'this % is named by communication logs', lower(tg_argv[0])
            using errcode = '23503', constraint = 'communication_logs_party_fkey',
                  detail = format('Key (school_id, id)=(%s, %s) is referenced from table "communication_logs".', old.school_id, old.id);
    end if;
    return null;
end
$$;

-- A score above the maximum of its assignment or assessment is refused
-- (a CHECK cannot look at another row), unless the assignment allows extra
-- credit. SQLSTATE 23514 like any check.
create or replace function data.grades_check_score_within_max() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    maximum numeric;
begin
    if new.score is null then
        return new;
    end if;
    if new.assignment_id is not null then
        -- A OneRoster line item's maximum is its scale, not a cap (extra
        -- credit, issue 17): allows_extra_credit lets a higher score pass.
        select max_score into maximum from data.assignments
        where school_id = new.school_id and id = new.assignment_id and not allows_extra_credit;
    else
        select max_score into maximum from data.assessments
        where school_id = new.school_id and id = new.assessment_id;
    end if;
    if maximum is not null and new.score > maximum then
        raise exception 'score % is above the maximum of %', new.score, maximum
            using errcode = '23514', constraint = 'grades_score_within_max_check',
                  hint = 'Record a score between 0 and the maximum score.';
    end if;
    return new;
end
$$;

-- The same for a table that has created_at only (student_parents).
create or replace function data.stamp_created_at() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'INSERT' then
        new.created_at := now();
    else
        new.created_at := old.created_at;
    end if;
    return new;
end
$$;

-- (9) Triggers.
-- Timestamps are the database's: created_at is set once, updated_at on every
-- change, whatever a client sends.
create or replace function data.stamp_timestamps() returns trigger
    language plpgsql
    as $$
begin
    if tg_op = 'INSERT' then
        new.created_at := now();
    else
        new.created_at := old.created_at;
    end if;
    new.updated_at := now();
    return new;
end
$$;

create or replace trigger communication_logs_check_party before insert or update of party_type, party_id, school_id on data.communication_logs for each row execute function data.communication_logs_check_party();

create or replace trigger grades_check_score_within_max before insert or update of score, assignment_id, assessment_id on data.grades for each row execute function data.grades_check_score_within_max();

create or replace trigger parents_check_communication_logs after delete or update of school_id, id on data.parents for each row execute function data.communication_logs_check_party_kept('PARENT');

create or replace trigger students_check_communication_logs after delete or update of school_id, id on data.students for each row execute function data.communication_logs_check_party_kept('STUDENT');

-- PostgreSQL database dump complete

-- created_at/updated_at on every data table that has them. On UPDATE always;
-- on INSERT only when a client sent its own values (the column defaults are
-- already now()): a bulk insert does not pay a trigger call per row.
do $$
declare
    t regclass;
    stamp text;
    sent_own text;
begin
    for t, stamp in
        select c.oid::regclass,
               case when exists (select from pg_attribute u where u.attrelid = c.oid and u.attname = 'updated_at' and not u.attisdropped)
                    then 'stamp_timestamps' else 'stamp_created_at' end
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'data' and c.relkind in ('r', 'p') and not c.relispartition
          and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'created_at' and not a.attisdropped)
    loop
        sent_own := case stamp
            when 'stamp_timestamps' then 'new.created_at is distinct from now() or new.updated_at is distinct from now()'
            else 'new.created_at is distinct from now()' end;
        execute format('create or replace trigger %I before update on %s for each row execute function data.%I()',
                       stamp, t, stamp);
        execute format('create or replace trigger %I before insert on %s for each row when (%s) execute function data.%I()',
                       stamp || '_sent', t, sent_own, stamp);
    end loop;
end
$$;
