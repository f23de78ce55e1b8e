-- Integrity a constraint cannot express: created_at/updated_at stamps, a grade
-- within its maximum, communication-log parties that exist.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION data.communication_logs_check_party() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE OR REPLACE FUNCTION data.communication_logs_check_party_kept() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

CREATE OR REPLACE FUNCTION data.grades_check_score_within_max() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    maximum numeric;
begin
    if new.score is null then
        return new;
    end if;
    if new.assignment_id is not null then
        select max_score into maximum from data.assignments
        where school_id = new.school_id and id = new.assignment_id;
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

CREATE OR REPLACE FUNCTION data.stamp_created_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if tg_op = 'INSERT' then
        new.created_at := now();
    else
        new.created_at := old.created_at;
    end if;
    return new;
end
$$;

CREATE OR REPLACE FUNCTION data.stamp_timestamps() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE OR REPLACE TRIGGER communication_logs_check_party BEFORE INSERT OR UPDATE OF party_type, party_id, school_id ON data.communication_logs FOR EACH ROW EXECUTE FUNCTION data.communication_logs_check_party();

CREATE OR REPLACE TRIGGER grades_check_score_within_max BEFORE INSERT OR UPDATE OF score, assignment_id, assessment_id ON data.grades FOR EACH ROW EXECUTE FUNCTION data.grades_check_score_within_max();

CREATE OR REPLACE TRIGGER parents_check_communication_logs AFTER DELETE OR UPDATE OF school_id, id ON data.parents FOR EACH ROW EXECUTE FUNCTION data.communication_logs_check_party_kept('PARENT');

CREATE OR REPLACE TRIGGER students_check_communication_logs AFTER DELETE OR UPDATE OF school_id, id ON data.students FOR EACH ROW EXECUTE FUNCTION data.communication_logs_check_party_kept('STUDENT');

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
        where n.nspname = 'data' and c.relkind = 'r'
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
