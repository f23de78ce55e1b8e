-- OneRoster import rules: adoption by natural key, per-row conflicts, guardian
-- links, dropped teachers.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- After validation passed: take over the matched rows, and re-key an
-- enrollment whose old sourcedId this file removes to the new one of the same
-- student and class (one row per student and class). Returns per file the
-- sourcedIds adopted, for the report.
create or replace function roster.adopt_existing(p_school uuid, p_modes jsonb) returns void
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    create temp table roster_adopted (file text, sourced_id text) on commit drop;
    -- merge_people records its changes here; the report reads it even without users.csv.
    create temp table roster_changed (sourced_id text) on commit drop;
    with s as (
        update data.subjects t set sourced_id = m.sourced_id, name = c.title, code = c.course_code
        from pg_temp.roster_matches m join pg_temp.roster_stage_courses c on c.row_no = m.row_no
        where m.table_name = 'subjects' and t.id = m.id and t.school_id = p_school
        returning t.sourced_id)
    insert into pg_temp.roster_adopted select distinct 'courses.csv', sourced_id from s;
    with u as (
        update data.users t set sourced_id = m.sourced_id
        from pg_temp.roster_matches m
        where m.table_name = 'users' and t.id = m.id and t.school_id = p_school
        returning t.id, t.sourced_id)
    insert into pg_temp.roster_adopted select 'users.csv', sourced_id from u;
    -- The adopted login's profile comes along.
    update data.students t set sourced_id = u.sourced_id
    from data.users u where u.school_id = p_school and t.school_id = p_school and t.user_id = u.id and not t.is_deleted
      and t.sourced_id is null and u.sourced_id in (select a.sourced_id from pg_temp.roster_adopted a where a.file = 'users.csv')
      and not exists (select from data.students o where o.school_id = p_school and o.sourced_id = u.sourced_id);
    update data.teachers t set sourced_id = u.sourced_id
    from data.users u where u.school_id = p_school and t.school_id = p_school and t.user_id = u.id and not t.is_deleted
      and t.sourced_id is null and u.sourced_id in (select a.sourced_id from pg_temp.roster_adopted a where a.file = 'users.csv')
      and not exists (select from data.teachers o where o.school_id = p_school and o.sourced_id = u.sourced_id);
    update data.parents t set sourced_id = u.sourced_id
    from data.users u where u.school_id = p_school and t.school_id = p_school and t.user_id = u.id and not t.is_deleted
      and t.sourced_id is null and u.sourced_id in (select a.sourced_id from pg_temp.roster_adopted a where a.file = 'users.csv')
      and not exists (select from data.parents o where o.school_id = p_school and o.sourced_id = u.sourced_id);
    with s as (
        update data.students t set sourced_id = m.sourced_id
        from pg_temp.roster_matches m
        where m.table_name = 'students' and t.id = m.id and t.school_id = p_school and t.sourced_id is null
          and not exists (select from data.students o where o.school_id = p_school and o.sourced_id = m.sourced_id)
        returning t.sourced_id)
    insert into pg_temp.roster_adopted select 'users.csv', sourced_id from s
    where sourced_id not in (select a.sourced_id from pg_temp.roster_adopted a where a.file = 'users.csv');

    if coalesce(p_modes ->> 'enrollments', 'absent') = 'absent' then return; end if;
    with e as (
        update data.enrollments x set sourced_id = m.sourced_id, enrollment_date = e.begin_date::date,
                                      completion_date = e.end_date::date
        from pg_temp.roster_enrollment_moves m
        join pg_temp.roster_stage_enrollments e on e.row_no = m.row_no
        where m.existing_id is null and x.school_id = p_school and x.student_id = m.student_id and x.class_id = m.class_id
          and x.sourced_id is not null
          and not exists (select from pg_temp.roster_stage_enrollments k where k.sourced_id = x.sourced_id and k.status is distinct from 'tobedeleted')
        returning m.sourced_id)
    insert into pg_temp.roster_adopted select 'enrollments.csv', sourced_id from e;
end
$$;

-- A class's teacher that came from a teacher enrollment this file drops
-- (tobedeleted, or missing from a bulk file) and no other teacher enrollment
-- replaced: the class has no teacher. A teacher set here by hand stays.
create or replace function roster.clear_dropped_teachers(p_school uuid, p_mode text) returns bigint
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    n bigint;
begin
    if p_mode = 'absent' then return 0; end if;
    update data.classes c set teacher_id = null
    from data.teachers t
    where c.school_id = p_school and t.school_id = p_school and t.id = c.teacher_id
      and c.sourced_id is not null and t.sourced_id is not null and not c.is_deleted
      and not exists (select from pg_temp.roster_stage_enrollments e
                      where e.class_sourced_id = c.sourced_id and e.user_sourced_id = t.sourced_id
                        and e.role = 'teacher' and e.status is distinct from 'tobedeleted')
      and (p_mode = 'bulk'
           or (c.sourced_id, t.sourced_id) in (select e.class_sourced_id, e.user_sourced_id
                                               from pg_temp.roster_stage_enrollments e
                                               where e.role = 'teacher' and e.status = 'tobedeleted'));
    get diagnostics n = row_count;
    return n;
end
$$;

-- Natural-key matches of file rows to hand-entered rows, filled by
-- roster.validate_rules (which rejects the ambiguous ones) and applied by
-- roster.adopt_existing after validation passed.
create or replace function roster.match_existing(p_school uuid) returns void
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    create temp table roster_matches (file text, row_no int, sourced_id text, table_name text, id uuid, how text)
        on commit drop;
    -- courses.csv -> subjects by name, by code.
    insert into pg_temp.roster_matches
    select 'courses.csv', c.row_no, c.sourced_id, 'subjects', s.id, m.how
    from pg_temp.roster_stage_courses c
    cross join lateral (values ('title', c.title), ('courseCode', c.course_code)) m (how, val)
    join data.subjects s on s.school_id = p_school and not s.is_deleted and s.sourced_id is null
                        and m.val is not null and (case m.how when 'title' then s.name else s.code end) = m.val
    where c.status is distinct from 'tobedeleted'
      and not exists (select from data.subjects o where o.school_id = p_school and o.sourced_id = c.sourced_id);
    -- users.csv -> a login by email, then its profile; students by number.
    insert into pg_temp.roster_matches
    select 'users.csv', p.row_no, p.sourced_id, 'users', u.id, 'email'
    from pg_temp.roster_people p
    join data.users u on u.school_id = p_school and lower(u.email) = p.email and not u.is_deleted and u.sourced_id is null
    where p.status is distinct from 'tobedeleted' and p.db_role is not null and p.existing_id is null;
    insert into pg_temp.roster_matches
    select 'users.csv', p.row_no, p.sourced_id, 'students', s.id, 'identifier'
    from pg_temp.roster_people p
    join data.students s on s.school_id = p_school and s.student_number = p.number and not s.is_deleted and s.sourced_id is null
    where p.status is distinct from 'tobedeleted' and p.db_role = 'STUDENT'
      and not exists (select from data.students o where o.school_id = p_school and o.sourced_id = p.sourced_id);
    analyze pg_temp.roster_matches;
end
$$;

-- Guardian links from agentSourcedIds, both ways (a student's agents are its
-- guardians, a guardian's agents its students). The wanted links are added;
-- a link between a partner student and a partner guardian (both with a
-- sourcedId) that the file speaks for and no longer names is removed; links
-- made here by hand stay. Returns the sourcedIds of the students and guardians
-- whose links changed.
create or replace function roster.sync_guardian_links(p_school uuid, p_mode text) returns setof text
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    create temp table roster_links on commit drop as
    select distinct st.id as student_id, pa.id as parent_id, st.sourced_id as student_sid, pa.sourced_id as parent_sid
    from pg_temp.roster_src_people s
    cross join lateral (select trim(x) as agent from unnest(string_to_array(s.agent_sourced_ids, ',')) x) a
    join data.students st on st.school_id = p_school and not st.is_deleted
                         and st.sourced_id = case s.db_role when 'STUDENT' then s.sourced_id else a.agent end
    join data.parents pa on pa.school_id = p_school and not pa.is_deleted
                        and pa.sourced_id = case s.db_role when 'PARENT' then s.sourced_id else a.agent end
    where s.db_role in ('STUDENT', 'PARENT') and s.agent_sourced_ids is not null;
    return query
    with added as (
        insert into data.student_parents (school_id, student_id, parent_id)
        select p_school, l.student_id, l.parent_id from pg_temp.roster_links l
        on conflict do nothing
        returning student_id, parent_id),
    removed as (
        delete from data.student_parents sp
        using data.students st, data.parents pa
        where sp.school_id = p_school and st.school_id = p_school and pa.school_id = p_school
          and st.id = sp.student_id and pa.id = sp.parent_id
          and st.sourced_id is not null and pa.sourced_id is not null
          -- the file speaks for this link: a bulk file names the student or the
          -- guardian; a delta row names one of them with agentSourcedIds given
          -- (an empty field in a delta row says nothing about links)
          -- (uncorrelated INs: hashed once, not a lookup per link)
          and (st.sourced_id in (select s.sourced_id from pg_temp.roster_src_people s
                                 where s.db_role = 'STUDENT' and (p_mode = 'bulk' or s.agent_sourced_ids is not null))
               or pa.sourced_id in (select s.sourced_id from pg_temp.roster_src_people s
                                    where s.db_role = 'PARENT' and (p_mode = 'bulk' or s.agent_sourced_ids is not null)))
          and not exists (select from pg_temp.roster_links l where l.student_id = sp.student_id and l.parent_id = sp.parent_id)
        returning sp.student_id, sp.parent_id)
    select x.sid::text from (select student_id, parent_id from added union all select student_id, parent_id from removed) c
    join data.students st on st.id = c.student_id
    join data.parents pa on pa.id = c.parent_id
    cross join lateral (values (st.sourced_id), (pa.sourced_id)) x (sid)
    where x.sid is not null;
end
$$;

create or replace function roster.validate_rules(p_school uuid, p_modes jsonb) returns void
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_enrollments text := coalesce(p_modes ->> 'enrollments', 'absent');
    v_courses text := coalesce(p_modes ->> 'courses', 'absent');
begin
    perform roster.match_existing(p_school);
    insert into pg_temp.roster_rejects
    -- One file row may take over one hand-entered row, and the other way round.
    select m.file, m.row_no, case m.how when 'title' then 'title' when 'courseCode' then 'courseCode' else m.how end,
           format('ambiguous: this row''s title and courseCode match two different subjects entered here; make them agree or rename one')
    from pg_temp.roster_matches m
    where m.table_name = 'subjects'
      and exists (select from pg_temp.roster_matches o where o.file = m.file and o.row_no = m.row_no
                  and o.table_name = 'subjects' and o.id <> m.id)
      and m.how = 'title'
    union all
    select m.file, m.row_no, case m.how when 'email' then 'email' when 'identifier' then 'identifier' else m.how end,
           format('ambiguous: the %s row entered here (id %s) is matched by rows %s of this file',
                  m.table_name, m.id, (select string_agg(o.row_no::text, ', ' order by o.row_no)
                                       from pg_temp.roster_matches o where o.table_name = m.table_name and o.id = m.id))
    from pg_temp.roster_matches m
    where exists (select from pg_temp.roster_matches o where o.table_name = m.table_name and o.id = m.id and o.row_no <> m.row_no)
    union all
    select 'users.csv', m.row_no, 'identifier',
           format('ambiguous: identifier %s matches a student entered here, but the login with this email belongs to another student', p.number)
    from pg_temp.roster_matches m
    join pg_temp.roster_people p on p.row_no = m.row_no
    join pg_temp.roster_matches u on u.row_no = m.row_no and u.table_name = 'users'
    where m.table_name = 'students'
      and exists (select from data.students o where o.school_id = p_school and o.user_id = u.id and o.id <> m.id and not o.is_deleted)
    union all
    -- A login is taken over only for the role it has.
    select 'users.csv', p.row_no, 'email',
           format('email %s belongs to a %s login entered here; this file makes it a %s', p.email, lower(u.role), lower(p.db_role))
    from pg_temp.roster_matches m
    join pg_temp.roster_people p on p.row_no = m.row_no
    join data.users u on u.id = m.id
    where m.table_name = 'users' and u.role <> p.db_role
    union all
    -- A subject name or code held by another partner course that this file keeps.
    select 'courses.csv', c.row_no, x.col,
           format('a subject with %s %L already belongs to course %s: rename one, or remove that course in the same file',
                  x.label, x.val, s.sourced_id)
    from pg_temp.roster_stage_courses c
    cross join lateral (values ('title', 'name', c.title), ('courseCode', 'code', c.course_code)) x (col, label, val)
    join data.subjects s on s.school_id = p_school and not s.is_deleted and s.sourced_id is not null
                        and s.sourced_id <> c.sourced_id
                        and x.val is not null and (case x.col when 'title' then s.name else s.code end) = x.val
    where c.status is distinct from 'tobedeleted'
      and v_courses <> 'absent'
      -- still in this file (bulk keeps what it names; delta keeps what it does not delete)
      and (exists (select from pg_temp.roster_stage_courses k where k.sourced_id = s.sourced_id and k.status is distinct from 'tobedeleted')
           or (v_courses = 'delta' and not exists (select from pg_temp.roster_stage_courses k where k.sourced_id = s.sourced_id)))
    union all
    -- agentSourcedIds: each must name a user in this file or already here.
    select 'users.csv', p.row_no, 'agentSourcedIds',
           format('unknown reference: agent %s is neither in users.csv nor already here', a.agent)
    from pg_temp.roster_people p
    cross join lateral (select distinct trim(x) as agent from unnest(string_to_array(p.agent_sourced_ids, ',')) x) a
    where p.status is distinct from 'tobedeleted' and p.agent_sourced_ids is not null and a.agent <> ''
      and not exists (select from pg_temp.roster_people o where o.sourced_id = a.agent and o.status is distinct from 'tobedeleted')
      and not exists (select from data.users u where u.school_id = p_school and u.sourced_id = a.agent and not u.is_deleted);

    if v_enrollments = 'absent' then return; end if;
    -- The file's student enrollments of students and classes already here, with
    -- the row each names by sourcedId. Only rows that are new or move to another
    -- student or class can collide with a row here (one row per student and
    -- class), so an unchanged re-import checks nothing further.
    create temp table roster_enrollment_moves on commit drop as
    select e.row_no, e.sourced_id, e.user_sourced_id, e.class_sourced_id, st.id as student_id, c.id as class_id,
           y.id as existing_id
    from pg_temp.roster_stage_enrollments e
    join data.students st on st.school_id = p_school and st.sourced_id = e.user_sourced_id and not st.is_deleted
    join data.classes c on c.school_id = p_school and c.sourced_id = e.class_sourced_id and not c.is_deleted
    left join data.enrollments y on y.school_id = p_school and y.sourced_id = e.sourced_id
    where e.role = 'student' and e.status is distinct from 'tobedeleted'
      and (y.id is null or (y.student_id, y.class_id) <> (st.id, c.id));
    analyze pg_temp.roster_enrollment_moves;
    insert into pg_temp.roster_rejects
    -- A new enrollment of a student in a class that has one here under a
    -- sourcedId this file keeps (a removed one is re-keyed: adopt_existing).
    select 'enrollments.csv', m.row_no, 'sourcedId',
           format('user %s is already enrolled in class %s here as enrollment %s: send %s as tobedeleted in the same file, or use that sourcedId',
                  m.user_sourced_id, m.class_sourced_id, x.sourced_id, x.sourced_id)
    from pg_temp.roster_enrollment_moves m
    join data.enrollments x on x.school_id = p_school and x.student_id = m.student_id and x.class_id = m.class_id
                           and x.sourced_id is not null
    where m.existing_id is null and v_enrollments = 'delta'
      and not exists (select from pg_temp.roster_stage_enrollments k where k.sourced_id = x.sourced_id)
    union all
    -- An enrollment moved to a student and class that already have one.
    select 'enrollments.csv', m.row_no, 'classSourcedId',
           format('enrollment %s cannot move to class %s: user %s already has enrollment %s there',
                  m.sourced_id, m.class_sourced_id, m.user_sourced_id, coalesce(x.sourced_id, x.id::text))
    from pg_temp.roster_enrollment_moves m
    join data.enrollments x on x.school_id = p_school and x.student_id = m.student_id and x.class_id = m.class_id
    where m.existing_id is not null;
end
$$;

revoke all on function roster.adopt_existing(p_school uuid, p_modes jsonb) from public;

revoke all on function roster.clear_dropped_teachers(p_school uuid, p_mode text) from public;

revoke all on function roster.match_existing(p_school uuid) from public;

revoke all on function roster.sync_guardian_links(p_school uuid, p_mode text) from public;

revoke all on function roster.validate_rules(p_school uuid, p_modes jsonb) from public;

-- PostgreSQL database dump complete
