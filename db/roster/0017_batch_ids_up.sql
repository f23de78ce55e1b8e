-- The import's inserts take their ids in batches (db/audit/0017_bulk_writes_up.sql
-- (1): one uuidv7() per statement, not per row; ~1 s of a 100,000-user first
-- load). merge_people is 0015_import_rules_up.sql's and merge_enrollments
-- 0013_import_speed_up.sql's, with an `id` from data.uuidv7_batch in each INSERT.

-- analyze_after (0012): statistics of the key columns only, which the import's
-- later statements join and filter on; the whole table's took twice as long
-- (0.35 s of a first load). Autovacuum analyzes the rest after the commit.
create or replace function roster.analyze_after(p_table text, p_rows bigint) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
begin
    if p_rows >= 1000 then
        execute format('analyze data.%I (%s)', p_table, (
            select string_agg(quote_ident(a.attname), ', ' order by a.attnum)
            from pg_catalog.pg_attribute a
            where a.attrelid = format('data.%I', p_table)::regclass and a.attnum > 0 and not a.attisdropped
              and (a.attname in ('id', 'sourced_id', 'is_deleted', 'email', 'student_number', 'completion_date')
                   or a.attname like '%\_id')));
    end if;
end
$$;

create or replace function roster.merge_people(p_school uuid, p_mode text, p_admin boolean) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_total bigint;
    v_deact bigint;
    v_ids uuid;  -- the first id of each INSERT's batch
begin
    if p_mode = 'absent' then return '{}'; end if;
    create temp table if not exists roster_changed (sourced_id text) on commit drop;
    create temp table roster_src_people on commit drop as
    select p.* from pg_temp.roster_people p where p.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_people;
    v_total := (select count(*) from pg_temp.roster_src_people);

    with changed as (
        update data.users t set email = s.email, role = s.db_role, is_active = (s.enabled_user = 'true'), is_deleted = false
        from pg_temp.roster_src_people s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (p_admin or (t.role <> 'ADMIN' and s.db_role <> 'ADMIN'))
          and (t.email, t.role, t.is_active, t.is_deleted) is distinct from (s.email, s.db_role, s.enabled_user = 'true', false)
        returning t.sourced_id)
    insert into pg_temp.roster_changed select sourced_id from changed;
    v_ids := uuidv7();
    with added as (
        insert into data.users (id, school_id, email, role, is_active, sourced_id)
        select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.email, s.db_role, s.enabled_user = 'true', s.sourced_id
        from pg_temp.roster_src_people s
        where (p_admin or s.db_role <> 'ADMIN')
          and not exists (select from data.users t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select count(*) into v_ins from added;
    perform roster.analyze_after('users', v_ins);

    -- Profiles, keyed by the user's sourcedId too.
    with changed as (
        update data.students t set student_number = s.number, first_name = s.given_name, last_name = s.family_name,
                                   user_id = u.id, is_deleted = false
        from pg_temp.roster_src_people s join data.users u on u.school_id = p_school and u.sourced_id = s.sourced_id
        where s.db_role = 'STUDENT' and t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.student_number, t.first_name, t.last_name, t.user_id, t.is_deleted)
              is distinct from (s.number, s.given_name, s.family_name, u.id, false)
        returning t.sourced_id)
    insert into pg_temp.roster_changed select sourced_id from changed;
    v_ids := uuidv7();
    insert into data.students (id, school_id, student_number, first_name, last_name, user_id, sourced_id)
    select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.number, s.given_name, s.family_name, u.id, s.sourced_id
    from pg_temp.roster_src_people s join data.users u on u.school_id = p_school and u.sourced_id = s.sourced_id
    where s.db_role = 'STUDENT'
      and not exists (select from data.students t where t.school_id = p_school and t.sourced_id = s.sourced_id);

    with changed as (
        update data.teachers t set first_name = s.given_name, last_name = s.family_name, user_id = u.id, is_deleted = false
        from pg_temp.roster_src_people s join data.users u on u.school_id = p_school and u.sourced_id = s.sourced_id
        where s.db_role = 'TEACHER' and t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.first_name, t.last_name, t.user_id, t.is_deleted) is distinct from (s.given_name, s.family_name, u.id, false)
        returning t.sourced_id)
    insert into pg_temp.roster_changed select sourced_id from changed;
    v_ids := uuidv7();
    insert into data.teachers (id, school_id, first_name, last_name, user_id, sourced_id)
    select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.given_name, s.family_name, u.id, s.sourced_id
    from pg_temp.roster_src_people s join data.users u on u.school_id = p_school and u.sourced_id = s.sourced_id
    where s.db_role = 'TEACHER'
      and not exists (select from data.teachers t where t.school_id = p_school and t.sourced_id = s.sourced_id);

    with changed as (
        update data.parents t set first_name = s.given_name, last_name = s.family_name, user_id = u.id,
                                  relation_to_student = case s.or_role when 'relative' then 'OTHER' else 'GUARDIAN' end,
                                  contact_email = s.email, is_deleted = false
        from pg_temp.roster_src_people s join data.users u on u.school_id = p_school and u.sourced_id = s.sourced_id
        where s.db_role = 'PARENT' and t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.first_name, t.last_name, t.user_id, t.relation_to_student, t.contact_email, t.is_deleted)
              is distinct from (s.given_name, s.family_name, u.id, case s.or_role when 'relative' then 'OTHER' else 'GUARDIAN' end, s.email, false)
        returning t.sourced_id)
    insert into pg_temp.roster_changed select sourced_id from changed;
    v_ids := uuidv7();
    insert into data.parents (id, school_id, first_name, last_name, user_id, relation_to_student, contact_email, sourced_id)
    select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.given_name, s.family_name, u.id, case s.or_role when 'relative' then 'OTHER' else 'GUARDIAN' end,
           s.email, s.sourced_id
    from pg_temp.roster_src_people s join data.users u on u.school_id = p_school and u.sourced_id = s.sourced_id
    where s.db_role = 'PARENT'
      and not exists (select from data.parents t where t.school_id = p_school and t.sourced_id = s.sourced_id);

    perform roster.analyze_after('students', v_ins);
    perform roster.analyze_after('teachers', v_ins / 10);
    perform roster.analyze_after('parents', v_ins / 10);

    -- Guardian links (agentSourcedIds, both ways); a changed link changes the
    -- person the file names, counted as updated when that person was here before.
    insert into pg_temp.roster_changed
    select l.sid from roster.sync_guardian_links(p_school, p_mode) l (sid)
    where l.sid in (select p.sourced_id from pg_temp.roster_people p where p.existing_id is not null);

    -- Updated: people who were here before (by sourcedId, or taken over by
    -- roster.adopt_existing) and changed or were taken over; a person whose
    -- login is new counts as inserted only.
    v_upd := (select count(distinct c.sourced_id)
              from (select sourced_id from pg_temp.roster_changed
                    union all select sourced_id from pg_temp.roster_adopted where file = 'users.csv') c
              where c.sourced_id in (select p.sourced_id from pg_temp.roster_people p where p.existing_id is not null)
                 or c.sourced_id in (select m.sourced_id from pg_temp.roster_matches m where m.table_name = 'users'));
    -- A partner never deactivates an ADMIN login: its rows left roster_people and
    -- the users deactivation skips them.
    v_deact := roster.deactivate(p_school, 'users', 'roster_stage_users', p_mode,
                                 'is_deleted = true, is_active = false') ;
    perform roster.deactivate(p_school, 'students', 'roster_stage_users', p_mode, 'is_deleted = true');
    perform roster.deactivate(p_school, 'teachers', 'roster_stage_users', p_mode, 'is_deleted = true');
    perform roster.deactivate(p_school, 'parents', 'roster_stage_users', p_mode, 'is_deleted = true');
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd, 'unchanged', v_total - v_ins - v_upd, 'deactivated', v_deact);
end
$$;

create or replace function roster.merge_enrollments(p_school uuid, p_mode text) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_teach bigint;
    v_deact bigint;
    v_total bigint;
    v_ids uuid := uuidv7();  -- the first id of the new enrollments' batch
begin
    if p_mode = 'absent' then return '{}'; end if;
    -- Only the file's rows that are new here or differ from the row their
    -- sourcedId names: the three statements below join this table to the
    -- school's enrollments, and on an unchanged re-import it is empty.
    create temp table roster_src_enrollments on commit drop as
    select s.sourced_id, st.id as student_id, c.id as class_id, s.begin_date::date as enrollment_date, s.end_date::date as completion_date
    from pg_temp.roster_stage_enrollments s
    join data.students st on st.school_id = p_school and st.sourced_id = s.user_sourced_id and not st.is_deleted
    join data.classes c on c.school_id = p_school and c.sourced_id = s.class_sourced_id and not c.is_deleted
    left join data.enrollments y on y.school_id = p_school and y.sourced_id = s.sourced_id
    where s.role = 'student' and s.status is distinct from 'tobedeleted'
      and (y.id is null or (y.student_id, y.class_id, y.enrollment_date, y.completion_date)
                           is distinct from (st.id, c.id, s.begin_date::date, s.end_date::date));
    analyze pg_temp.roster_src_enrollments;
    v_total := (select count(*) from pg_temp.roster_stage_enrollments where status is distinct from 'tobedeleted');
    -- An enrollment made here (no sourcedId) of the same student and class is adopted.
    with adopted as (
        update data.enrollments t
        set enrollment_date = s.enrollment_date, completion_date = s.completion_date, sourced_id = s.sourced_id
        from pg_temp.roster_src_enrollments s
        where t.school_id = p_school and t.sourced_id is null and t.student_id = s.student_id and t.class_id = s.class_id
          and not exists (select from data.enrollments o where o.school_id = p_school and o.sourced_id = s.sourced_id)
        returning 1),
    changed as (
        update data.enrollments t
        set student_id = s.student_id, class_id = s.class_id, enrollment_date = s.enrollment_date,
            completion_date = s.completion_date
        from pg_temp.roster_src_enrollments s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.student_id, t.class_id, t.enrollment_date, t.completion_date)
              is distinct from (s.student_id, s.class_id, s.enrollment_date, s.completion_date)
        returning 1),
    added as (
        insert into data.enrollments (id, school_id, student_id, class_id, enrollment_date, completion_date, sourced_id)
        select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.student_id, s.class_id, s.enrollment_date, s.completion_date, s.sourced_id
        from pg_temp.roster_src_enrollments s
        where not exists (select from data.enrollments t where t.school_id = p_school and t.sourced_id = s.sourced_id)
          and not exists (select from data.enrollments t where t.school_id = p_school
                          and t.student_id = s.student_id and t.class_id = s.class_id)
        returning 1)
    select (select count(*) from changed) + (select count(*) from adopted), (select count(*) from added) into v_upd, v_ins;
    perform roster.analyze_after('enrollments', v_ins);

    -- A class's primary teacher (the schema holds one teacher per class): the
    -- few teacher rows first, so the join to classes never walks the students'.
    create temp table roster_src_teaching on commit drop as
    select distinct on (s.class_sourced_id) s.class_sourced_id, s.user_sourced_id
    from pg_temp.roster_stage_enrollments s
    where s.role = 'teacher' and s.is_primary = 'true' and s.status is distinct from 'tobedeleted'
    order by s.class_sourced_id, s.row_no;
    analyze pg_temp.roster_src_teaching;
    with changed as (
        update data.classes c set teacher_id = t.id
        from pg_temp.roster_src_teaching x
        join data.teachers t on t.school_id = p_school and t.sourced_id = x.user_sourced_id and not t.is_deleted
        where c.school_id = p_school and c.sourced_id = x.class_sourced_id and not c.is_deleted
          and c.teacher_id is distinct from t.id
        returning 1)
    select count(*) into v_teach from changed;

    -- Enrollments have no soft delete: a removed one ends today (its history stays).
    update data.enrollments t set completion_date = current_date
    where t.school_id = p_school and t.sourced_id is not null
      and (t.completion_date is null or t.completion_date > current_date)
      and t.sourced_id in (
          select s.sourced_id from pg_temp.roster_stage_enrollments s where s.status = 'tobedeleted'
          union all
          select k.sourced_id from data.enrollments k
          where p_mode = 'bulk' and k.school_id = p_school and k.sourced_id is not null
            and not exists (select from pg_temp.roster_stage_enrollments s
                            where s.sourced_id = k.sourced_id and s.status is distinct from 'tobedeleted'));
    get diagnostics v_deact = row_count;
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd + v_teach,
                              'unchanged', v_total - v_ins - v_upd - v_teach, 'deactivated', v_deact);
end
$$;
