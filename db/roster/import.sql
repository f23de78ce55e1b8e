-- The OneRoster 1.2 CSV import: validation and set-based merge of staged
-- files, in the caller's transaction.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- analyze_after: statistics of the key columns only, which the import's
-- later statements join and filter on; the whole table's took twice as long
-- (0.35 s of a first load). Autovacuum analyzes the rest after the commit.
create or replace function roster.analyze_after(p_table text, p_rows bigint) returns void
    language plpgsql security definer
    set search_path to ''
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

-- OneRoster import speed (issue 7): how these statements are written so that
-- Postgres runs them fast.
--
-- Per-row subplans the planner could not turn into joins, now hash joins (the
-- staging tables' indexes, gateway/roster_import/run.py, made them probes; a
-- probe per row of a 300,000-row table is still ~0.5 s):
--   * roster.deactivate and the enrollments' end date: `exists (...) or (bulk and
--     not exists (...))` ran a lookup per row of the school's table (300,000 index
--     probes for enrollments). Now `sourced_id in (the tobedeleted rows union all
--     the table's rows missing from a bulk file)`: an IN at the top of WHERE becomes
--     a hash semi-join, the NOT EXISTS a hash anti-join. (school_id, sourced_id) is
--     unique, so a row is in that set exactly when the old condition held for it;
--   * import_oneroster's first primary role per user: a LIMIT 1 lateral subquery
--     per user, now the role rows whose row number is their user's smallest
--     (a hash aggregate; row_no is unique), joined by hash.
-- Sorts by text keys are dear under the database's libc collation (300,000
-- enrollments by user and class: ~0.5 s), so the duplicate checks (sourcedId of
-- every file, email, student number, enrollment) keep their window query, which
-- names the first row, but run it only when a hash aggregate (no sort) has found
-- a duplicate: an uncorrelated EXISTS is a one-time filter over the window.
-- import_oneroster runs with work_mem = 64MB (SET clause; the merge functions it
-- calls inherit it): at the 4MB default the 300,000-row hashes and sorts of a
-- large school spilled to disk in batches.
create or replace function roster.deactivate(p_school uuid, p_table text, p_stage text, p_mode text, p_set text) returns bigint
    language plpgsql security definer
    set search_path to ''
    as $_$
declare
    n bigint;
begin
    execute format($q$
        update data.%1$I t set %2$s
        where t.school_id = $1 and t.sourced_id is not null and not t.is_deleted
          and t.sourced_id in (
              select s.sourced_id from pg_temp.%3$I s where s.status = 'tobedeleted'
              union all
              select k.sourced_id from data.%1$I k
              where $2 = 'bulk' and k.school_id = $1 and k.sourced_id is not null
                and not exists (select from pg_temp.%3$I s where s.sourced_id = k.sourced_id
                                and s.status is distinct from 'tobedeleted'))$q$,
        p_table, p_set, p_stage)
    using p_school, p_mode;
    get diagnostics n = row_count;
    return n;
end
$_$;

-- A staging table's file name, as reports name it: academic_sessions -> academicSessions.csv.
create or replace function roster.csv_file(p_stage text) returns text
    language sql immutable
    set search_path to ''
    as $$
    select case p_stage when 'academic_sessions' then 'academicSessions.csv' when 'line_items' then 'lineItems.csv'
                        when 'score_scales' then 'scoreScales.csv' else p_stage || '.csv' end
$$;

create or replace function roster.import_oneroster(p_modes jsonb) returns jsonb
    language plpgsql security definer
    set search_path to ''
    set work_mem to '64MB'
    as $_$
declare
    v_school uuid := roster.require_role(array['school_admin', 'partner_sync']);
    v_admin boolean := auth.role() = 'school_admin';
    v_org text;
    v_file text;
    v_mode text;
    v_files jsonb := '{}';
    v_tables jsonb := '{}';
    v_ins bigint;
    v_upd bigint;
    v_del bigint;
    v_rows bigint;
    v_adopt boolean := false;
    v_rejects jsonb;
    v_skips jsonb;
    v_count bigint;
    files constant text[] := array['orgs', 'academic_sessions', 'courses', 'classes', 'users', 'roles', 'enrollments', 'demographics',
                                   'categories', 'score_scales', 'line_items', 'results'];
    v_org_upd int := 0;
begin
    if not v_admin and not (coalesce(auth.claims() ->> 'scope', '') ~ '(^| )urn:school-data-api:scope:roster\.import( |$)') then
        raise exception 'permission denied: this token lacks the scope urn:school-data-api:scope:roster.import'
            using errcode = '42501';
    end if;

    create temp table roster_rejects (file text, row_no int, column_name text, reason text) on commit drop;
    create temp table roster_skips (file text, row_no int, reason text) on commit drop;

    -- (1b) Booleans as partners write them: the 1.2 binding spells them
    -- true/false, exports send TRUE/False (Moodle's fixtures; Moodle itself
    -- compares them lowercased). Read without case, checked below as before.
    update pg_temp.roster_stage_users set enabled_user = lower(enabled_user) where enabled_user <> lower(enabled_user);
    update pg_temp.roster_stage_enrollments set is_primary = lower(is_primary) where is_primary <> lower(is_primary);

    -- (2a) Checks every file shares: sourcedId, status, dateLastModified.
    foreach v_file in array files
    loop
        v_mode := coalesce(p_modes ->> v_file, 'absent');
        continue when v_mode = 'absent';
        execute format($q$
            insert into pg_temp.roster_rejects
            select %1$L, row_no, 'sourcedId', 'missing required field: sourcedId' from pg_temp.%2$I where sourced_id is null
            union all
            select %1$L, row_no, 'sourcedId', format('duplicate sourcedId %%s (first on row %%s)', sourced_id, first_row)
            from (select row_no, sourced_id, min(row_no) over (partition by sourced_id) as first_row
                  from pg_temp.%2$I where sourced_id is not null) d
            where row_no <> first_row
              and exists (select from pg_temp.%2$I where sourced_id is not null group by sourced_id having count(*) > 1)
            union all
            select %1$L, row_no, 'status', format('bad enum value %%L: %%s', status,
                   case when %3$L = 'bulk' then 'leave it empty (or active) in a bulk file' else 'active or tobedeleted' end)
            from pg_temp.%2$I
            where (%3$L = 'bulk' and status is not null and status <> 'active')
               or (%3$L = 'delta' and status is distinct from 'active' and status is distinct from 'tobedeleted')
            union all
            select %1$L, row_no, 'dateLastModified',
                   case when date_last_modified is null then 'missing required field: dateLastModified (delta files need it)'
                        else format('bad date %%L: use ISO 8601, e.g. 2026-11-26T15:00:00Z', date_last_modified) end
            from pg_temp.%2$I
            where (date_last_modified is not null and not pg_input_is_valid(date_last_modified, 'timestamptz'))
               or (%3$L = 'delta' and date_last_modified is null)$q$,
            roster.csv_file(v_file), 'roster_stage_' || v_file, v_mode);
    end loop;

    -- (2b) The school's org: its stored sourcedId, or adopted from orgs.csv's only school.
    select s.sourced_id into v_org from data.schools s where s.id = v_school;
    if v_org is null and p_modes ->> 'orgs' is not null and p_modes ->> 'orgs' <> 'absent' then
        select min(o.sourced_id) into v_org from pg_temp.roster_stage_orgs o
        where o.type = 'school' and o.status is distinct from 'tobedeleted'
        having count(*) = 1;
        if v_org is null then
            insert into pg_temp.roster_rejects values ('orgs.csv', null, 'type',
                'cannot tell which org is this school: orgs.csv must hold exactly one org of type school, or the school''s sourced_id must be set');
        elsif exists (select from data.schools s where s.sourced_id = v_org and s.id <> v_school) then
            insert into pg_temp.roster_rejects values ('orgs.csv', null, 'sourcedId',
                format('wrong org: %s is already the org of another school', v_org));
            v_org := null;
        else
            v_adopt := true;
        end if;
    elsif v_org is null then
        insert into pg_temp.roster_rejects values ('orgs.csv', null, null,
            'this school has no OneRoster org yet: include orgs.csv with its org (type school) once');
    end if;
    insert into pg_temp.roster_skips
    select 'orgs.csv', o.row_no, format('wrong org: %s is not this school''s org (%s)', o.sourced_id, v_org)
    from pg_temp.roster_stage_orgs o where o.sourced_id is distinct from v_org and o.sourced_id is not null;

    -- Rows of other orgs are skipped (a district export names many schools).
    insert into pg_temp.roster_skips
    select 'courses.csv', row_no, format('wrong org: orgSourcedId %s is not this school''s org', org_sourced_id)
    from pg_temp.roster_stage_courses where (org_sourced_id is not null and org_sourced_id <> v_org) or (org_sourced_id is null and status is distinct from 'tobedeleted');
    delete from pg_temp.roster_stage_courses where (org_sourced_id is not null and org_sourced_id <> v_org) or (org_sourced_id is null and status is distinct from 'tobedeleted');
    insert into pg_temp.roster_skips
    select 'classes.csv', row_no, format('wrong org: schoolSourcedId %s is not this school''s org', school_sourced_id)
    from pg_temp.roster_stage_classes where (school_sourced_id is not null and school_sourced_id <> v_org) or (school_sourced_id is null and status is distinct from 'tobedeleted');
    delete from pg_temp.roster_stage_classes where (school_sourced_id is not null and school_sourced_id <> v_org) or (school_sourced_id is null and status is distinct from 'tobedeleted');
    insert into pg_temp.roster_skips
    select 'enrollments.csv', row_no, format('wrong org: schoolSourcedId %s is not this school''s org', school_sourced_id)
    from pg_temp.roster_stage_enrollments where (school_sourced_id is not null and school_sourced_id <> v_org) or (school_sourced_id is null and status is distinct from 'tobedeleted');
    delete from pg_temp.roster_stage_enrollments where (school_sourced_id is not null and school_sourced_id <> v_org) or (school_sourced_id is null and status is distinct from 'tobedeleted');
    insert into pg_temp.roster_skips
    select 'roles.csv', row_no, format('wrong org: orgSourcedId %s is not this school''s org', org_sourced_id)
    from pg_temp.roster_stage_roles where (org_sourced_id is not null and org_sourced_id <> v_org) or (org_sourced_id is null and status is distinct from 'tobedeleted');
    delete from pg_temp.roster_stage_roles where (org_sourced_id is not null and org_sourced_id <> v_org) or (org_sourced_id is null and status is distinct from 'tobedeleted');

    -- (2c) academicSessions.csv -> data.academic_terms
    insert into pg_temp.roster_rejects
    select 'academicSessions.csv', row_no, 'title', 'missing required field: title' from pg_temp.roster_stage_academic_sessions where title is null and status is distinct from 'tobedeleted'
    union all
    select 'academicSessions.csv', row_no, 'type', format('bad enum value %L: schoolYear, semester, term or gradingPeriod', type)
    from pg_temp.roster_stage_academic_sessions where status is distinct from 'tobedeleted' and type is distinct from 'schoolYear' and type is distinct from 'semester' and type is distinct from 'term' and type is distinct from 'gradingPeriod'
    union all
    select 'academicSessions.csv', row_no, c.col, format('bad date %L: use YYYY-MM-DD', c.val)
    from pg_temp.roster_stage_academic_sessions s
    cross join lateral (values ('startDate', s.start_date), ('endDate', s.end_date)) c (col, val)
    where s.status is distinct from 'tobedeleted' and (c.val is null or not pg_input_is_valid(c.val, 'date'))
    union all
    select 'academicSessions.csv', row_no, 'endDate', 'bad date: endDate is before startDate'
    from pg_temp.roster_stage_academic_sessions
    where pg_input_is_valid(start_date, 'date') and pg_input_is_valid(end_date, 'date') and end_date::date < start_date::date
    union all
    select 'academicSessions.csv', s.row_no, 'parentSourcedId', format('unknown reference: academic session %s is neither in academicSessions.csv nor already here', s.parent_sourced_id)
    from pg_temp.roster_stage_academic_sessions s
    where s.parent_sourced_id is not null and s.status is distinct from 'tobedeleted'
      and not exists (select from pg_temp.roster_stage_academic_sessions p where p.sourced_id = s.parent_sourced_id and p.status is distinct from 'tobedeleted')
      and not exists (select from data.academic_terms t where t.school_id = v_school and t.sourced_id = s.parent_sourced_id and not t.is_deleted);

    -- (2d) courses.csv -> data.subjects (unique per school by name and by code)
    insert into pg_temp.roster_rejects
    select 'courses.csv', row_no, 'title', 'missing required field: title' from pg_temp.roster_stage_courses where title is null and status is distinct from 'tobedeleted'
    union all
    select 'courses.csv', row_no, 'title', format('duplicate title %L: subjects are unique by name in a school (first on row %s)', title, first_row)
    from (select row_no, title, status, min(row_no) over (partition by title) first_row from pg_temp.roster_stage_courses where status is distinct from 'tobedeleted') d
    where title is not null and row_no <> first_row;

    -- (2e) classes.csv -> data.classes
    insert into pg_temp.roster_rejects
    select 'classes.csv', row_no, 'title', 'missing required field: title' from pg_temp.roster_stage_classes where title is null and status is distinct from 'tobedeleted'
    union all
    select 'classes.csv', c.row_no, 'courseSourcedId',
           case when c.course_sourced_id is null then 'missing required field: courseSourcedId'
                else format('unknown reference: course %s is neither in courses.csv nor already here', c.course_sourced_id) end
    from pg_temp.roster_stage_classes c
    where c.status is distinct from 'tobedeleted'
      and not exists (select from pg_temp.roster_stage_courses x where x.sourced_id = c.course_sourced_id and x.status is distinct from 'tobedeleted')
      and not exists (select from data.subjects s where s.school_id = v_school and s.sourced_id = c.course_sourced_id and not s.is_deleted)
    union all
    select 'classes.csv', c.row_no, 'termSourcedIds',
           case when c.term_sourced_ids is null then 'missing required field: termSourcedIds'
                else format('unknown reference: academic session %s is neither in academicSessions.csv nor already here', split_part(c.term_sourced_ids, ',', 1)) end
    from pg_temp.roster_stage_classes c
    where c.status is distinct from 'tobedeleted'
      and not exists (select from pg_temp.roster_stage_academic_sessions x where x.sourced_id = trim(split_part(c.term_sourced_ids, ',', 1)) and x.status is distinct from 'tobedeleted')
      and not exists (select from data.academic_terms t where t.school_id = v_school and t.sourced_id = trim(split_part(c.term_sourced_ids, ',', 1)) and not t.is_deleted);

    -- (2f) users.csv + roles.csv -> data.users and the profiles
    -- db_role computed in the same pass (0012 updated every row after).
    create temp table roster_people on commit drop as
    select p.*, case
        when p.or_role = 'student' then 'STUDENT'
        when p.or_role = 'teacher' then 'TEACHER'
        when p.or_role in ('guardian', 'parent', 'relative') then 'PARENT'
        when p.or_role in ('administrator', 'districtAdministrator', 'siteAdministrator', 'systemAdministrator', 'principal') then 'ADMIN'
    end as db_role
    from (
        select u.row_no, u.sourced_id, u.status,
               lower(coalesce(u.email, case when u.username like '%@%' then u.username end)) as email,
               u.enabled_user, u.given_name, u.family_name,
               left(coalesce(u.identifier, u.sourced_id), 50) as number,
               u.agent_sourced_ids, u.metadata,
               coalesce(r.role, case e.role when 'STUDENT' then 'student' when 'TEACHER' then 'teacher' when 'PARENT' then 'parent' when 'ADMIN' then 'administrator' end) as or_role,
               e.id as existing_id, e.role as existing_role
        from pg_temp.roster_stage_users u
        left join (select x.user_sourced_id, x.role from pg_temp.roster_stage_roles x
                   where x.row_no in (select min(f.row_no) from pg_temp.roster_stage_roles f
                                      where f.role_type = 'primary' and f.status is distinct from 'tobedeleted'
                                      group by f.user_sourced_id)) r on r.user_sourced_id = u.sourced_id
        left join data.users e on e.school_id = v_school and e.sourced_id = u.sourced_id
    ) p;
    create index on pg_temp.roster_people (sourced_id);
    analyze pg_temp.roster_people;

    insert into pg_temp.roster_rejects
    select 'roles.csv', r.row_no, 'userSourcedId', format('unknown reference: user %s is neither in users.csv nor already here', r.user_sourced_id)
    from pg_temp.roster_stage_roles r
    where not exists (select from pg_temp.roster_stage_users u where u.sourced_id = r.user_sourced_id)
      and not exists (select from data.users u where u.school_id = v_school and u.sourced_id = r.user_sourced_id)
    union all
    select 'roles.csv', row_no, 'roleType', format('bad enum value %L: primary or secondary', role_type)
    from pg_temp.roster_stage_roles where role_type is distinct from 'primary' and role_type is distinct from 'secondary'
    union all
    select 'roles.csv', row_no, c.col, format('bad date %L: use YYYY-MM-DD', c.val)
    from pg_temp.roster_stage_roles s cross join lateral (values ('beginDate', s.begin_date), ('endDate', s.end_date)) c (col, val)
    where c.val is not null and not pg_input_is_valid(c.val, 'date')
    union all
    select 'roles.csv', row_no, 'role', format('bad enum value %L', role)
    from pg_temp.roster_stage_roles where role is null or role not in (
        'administrator', 'aide', 'guardian', 'parent', 'proctor', 'relative', 'student', 'teacher', 'counselor',
        'districtAdministrator', 'principal', 'siteAdministrator', 'systemAdministrator')
    union all
    select 'users.csv', row_no, c.col, 'missing required field: ' || c.col
    from pg_temp.roster_people p
    cross join lateral (values ('givenName', p.given_name), ('familyName', p.family_name)) c (col, val)
    where p.status is distinct from 'tobedeleted' and c.val is null
    union all
    select 'users.csv', s.row_no, 'enabledUser', format('bad enum value %L: true or false', s.enabled_user)
    from pg_temp.roster_stage_users s where s.status is distinct from 'tobedeleted' and s.enabled_user is distinct from 'true' and s.enabled_user is distinct from 'false'
    union all
    select 'users.csv', row_no, 'role', 'missing required field: no primary role for this user in roles.csv'
    from pg_temp.roster_people where status is distinct from 'tobedeleted' and or_role is null
    union all
    select 'users.csv', row_no, 'email', format('bad value %L: not an email address', email)
    from pg_temp.roster_people where status is distinct from 'tobedeleted' and email is not null and email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
    union all
    select 'users.csv', row_no, 'email', format('duplicate email %s (first on row %s)', email, first_row)
    from (select row_no, email, min(row_no) over (partition by email) first_row from pg_temp.roster_people
          where email is not null and status is distinct from 'tobedeleted' and db_role is not null) d
    where row_no <> first_row
      and exists (select from pg_temp.roster_people where email is not null and status is distinct from 'tobedeleted'
                  and db_role is not null group by email having count(*) > 1)
    union all
    -- Emails are unique per school (m0052, issue 13 F7): only this school's
    -- logins can hold an address; another school's are never looked at, so
    -- the report cannot tell that an address is a login elsewhere.
    select 'users.csv', p.row_no, 'email', format('email %s is already used by another login of this school', p.email)
    from pg_temp.roster_people p
    where p.status is distinct from 'tobedeleted' and p.db_role is not null
      and exists (select from data.users u where lower(u.email) = p.email and u.school_id = v_school and not u.is_deleted
                  and u.sourced_id is distinct from p.sourced_id
                  and not (u.sourced_id is null and p.existing_id is null))  -- taken over (roster.validate_rules)
    union all
    select 'users.csv', row_no, 'identifier', format('duplicate student number %s (first on row %s)', number, first_row)
    from (select row_no, number, min(row_no) over (partition by number) first_row from pg_temp.roster_people
          where db_role = 'STUDENT' and status is distinct from 'tobedeleted') d
    where row_no <> first_row
      and exists (select from pg_temp.roster_people where db_role = 'STUDENT' and status is distinct from 'tobedeleted'
                  group by number having count(*) > 1)
    union all
    select 'users.csv', p.row_no, 'identifier', format('student number %s is already used by another student of this school', p.number)
    from pg_temp.roster_people p
    where p.db_role = 'STUDENT' and p.status is distinct from 'tobedeleted'
      and exists (select from data.students s where s.school_id = v_school and s.student_number = p.number and not s.is_deleted
                  and s.sourced_id is distinct from p.sourced_id
                  -- a hand-entered student is taken over, unless this row's student is already here
                  and (s.sourced_id is not null
                       or exists (select from data.students o where o.school_id = v_school and o.sourced_id = p.sourced_id)));

    -- Partners never create or change ADMIN logins (tenancy rule, 0004 policies);
    -- roles this schema has no place for are skipped too.
    insert into pg_temp.roster_skips
    select 'users.csv', row_no, case
        when db_role is null then format('role %s is not imported: only student, teacher, guardian/parent/relative and administrator', or_role)
        else 'partners never create or change administrator logins: ask a school admin to import this row' end
    from pg_temp.roster_people
    where (db_role is null and or_role is not null) or (not v_admin and (db_role = 'ADMIN' or existing_role = 'ADMIN'));
    delete from pg_temp.roster_people
    where (db_role is null and or_role is not null) or (not v_admin and (db_role = 'ADMIN' or existing_role = 'ADMIN'));

    -- (2g) enrollments.csv
    insert into pg_temp.roster_rejects
    select 'enrollments.csv', e.row_no, 'classSourcedId', format('unknown reference: class %s is neither in classes.csv nor already here', e.class_sourced_id)
    from pg_temp.roster_stage_enrollments e
    where e.status is distinct from 'tobedeleted'
      and not exists (select from pg_temp.roster_stage_classes c where c.sourced_id = e.class_sourced_id and c.status is distinct from 'tobedeleted')
      and not exists (select from data.classes c where c.school_id = v_school and c.sourced_id = e.class_sourced_id and not c.is_deleted)
    union all
    select 'enrollments.csv', e.row_no, 'userSourcedId', format('unknown reference: user %s is neither in users.csv nor already here', e.user_sourced_id)
    from pg_temp.roster_stage_enrollments e
    where e.status is distinct from 'tobedeleted'
      and not exists (select from pg_temp.roster_people p where p.sourced_id = e.user_sourced_id and p.status is distinct from 'tobedeleted')
      and not exists (select from data.users u where u.school_id = v_school and u.sourced_id = e.user_sourced_id and not u.is_deleted)
    union all
    select 'enrollments.csv', row_no, 'role', format('bad enum value %L: administrator, proctor, student, teacher', role)
    from pg_temp.roster_stage_enrollments where role is null or role not in ('administrator', 'proctor', 'student', 'teacher')
    union all
    select 'enrollments.csv', row_no, 'primary', format('bad enum value %L: true or false', is_primary)
    from pg_temp.roster_stage_enrollments where is_primary is not null and is_primary not in ('true', 'false')
    union all
    select 'enrollments.csv', row_no, c.col, format('bad date %L: use YYYY-MM-DD', c.val)
    from pg_temp.roster_stage_enrollments s cross join lateral (values ('beginDate', s.begin_date), ('endDate', s.end_date)) c (col, val)
    where c.val is not null and not pg_input_is_valid(c.val, 'date')
    union all
    select 'enrollments.csv', row_no, 'userSourcedId', format('duplicate enrollment of user %s in class %s (first on row %s)', user_sourced_id, class_sourced_id, first_row)
    from (select row_no, user_sourced_id, class_sourced_id, min(row_no) over (partition by user_sourced_id, class_sourced_id) first_row
          from pg_temp.roster_stage_enrollments where role = 'student' and status is distinct from 'tobedeleted') d
    where row_no <> first_row
      and exists (select from pg_temp.roster_stage_enrollments where role = 'student' and status is distinct from 'tobedeleted'
                  group by user_sourced_id, class_sourced_id having count(*) > 1);

    -- (2h) demographics.csv
    insert into pg_temp.roster_rejects
    select 'demographics.csv', row_no, 'birthDate', format('bad date %L: use YYYY-MM-DD', birth_date)
    from pg_temp.roster_stage_demographics where birth_date is not null and not pg_input_is_valid(birth_date, 'date')
    union all
    select 'demographics.csv', row_no, 'sex', format('bad enum value %L: female, male, other or unspecified', sex)
    from pg_temp.roster_stage_demographics where sex is not null and sex not in ('female', 'male', 'other', 'unspecified')
    union all
    select 'demographics.csv', d.row_no, 'sourcedId', format('unknown reference: user %s is neither in users.csv nor already here', d.sourced_id)
    from pg_temp.roster_stage_demographics d
    where not exists (select from pg_temp.roster_stage_users u where u.sourced_id = d.sourced_id)
      and not exists (select from data.users u where u.school_id = v_school and u.sourced_id = d.sourced_id);

    -- (2i) The Gradebook files (import_gradebook.sql).
    perform roster.validate_gradebook(v_school, p_modes, v_org);

    -- (2j) Adoption of rows entered here, and conflicts that are per-row rejects.
    perform roster.validate_rules(v_school, p_modes);

    select coalesce(jsonb_agg(jsonb_build_object('file', file, 'row', row_no, 'column', column_name, 'reason', reason)
                              order by file, row_no nulls first, column_name), '[]')
    into v_rejects from pg_temp.roster_rejects;
    select coalesce(jsonb_agg(jsonb_build_object('file', file, 'row', row_no, 'reason', reason) order by file, row_no), '[]')
    into v_skips from pg_temp.roster_skips;
    if jsonb_array_length(v_rejects) > 0 then
        return jsonb_build_object('status', 'REJECTED', 'rejected', v_rejects, 'skipped', v_skips,
                                  'files', (select jsonb_object_agg(f, jsonb_build_object('rejected',
                                            (select count(*) from pg_temp.roster_rejects r where r.file = f)))
                                            from (select distinct file as f from pg_temp.roster_rejects) x));
    end if;

    -- (3) Merge, in dependency order.
    perform roster.adopt_existing(v_school, p_modes);
    if v_adopt then
        update data.schools set sourced_id = v_org where id = v_school;
    end if;
    -- The school's own org row carries its extension columns (m0057).
    update data.schools s set metadata = o.metadata
    from pg_temp.roster_stage_orgs o
    where s.id = v_school and o.sourced_id = v_org and o.status is distinct from 'tobedeleted'
      and s.metadata is distinct from o.metadata;
    get diagnostics v_org_upd = row_count;
    v_org_upd := greatest(v_org_upd, case when v_adopt then 1 else 0 end);
    v_files := v_files || jsonb_build_object('orgs.csv', jsonb_build_object('inserted', 0,
        'updated', v_org_upd,
        'unchanged', (select count(*) from pg_temp.roster_stage_orgs where sourced_id = v_org) - v_org_upd,
        'deactivated', 0));

    v_files := v_files || jsonb_build_object('academicSessions.csv', roster.merge_terms(v_school, coalesce(p_modes ->> 'academic_sessions', 'absent')));
    v_files := v_files || jsonb_build_object('courses.csv', roster.merge_subjects(v_school, coalesce(p_modes ->> 'courses', 'absent')));
    v_files := v_files || jsonb_build_object('classes.csv', roster.merge_classes(v_school, coalesce(p_modes ->> 'classes', 'absent')));
    v_files := v_files || jsonb_build_object('users.csv', roster.merge_people(v_school, coalesce(p_modes ->> 'users', 'absent'), v_admin));
    v_files := v_files || jsonb_build_object('roles.csv', jsonb_build_object('rows', (select count(*) from pg_temp.roster_stage_roles)));
    v_files := v_files || jsonb_build_object('enrollments.csv', roster.merge_enrollments(v_school, coalesce(p_modes ->> 'enrollments', 'absent')));
    v_count := roster.clear_dropped_teachers(v_school, coalesce(p_modes ->> 'enrollments', 'absent'));
    if v_count > 0 then
        v_files := jsonb_set(v_files, '{enrollments.csv,deactivated}',
                             to_jsonb((v_files #>> '{enrollments.csv,deactivated}')::bigint + v_count));
    end if;
    v_files := v_files || jsonb_build_object('demographics.csv', roster.merge_demographics(v_school, coalesce(p_modes ->> 'demographics', 'absent')));
    v_files := v_files || roster.merge_gradebook(v_school, p_modes);

    -- Rows taken over are updated rows; the merges of courses and enrollments
    -- found them already equal (adopt_existing set their values), merge_people
    -- counted them itself.
    select v_files || coalesce(jsonb_object_agg(a.file, (v_files -> a.file) || jsonb_build_object(
               'updated', (v_files #>> array[a.file, 'updated'])::bigint + a.extra,
               'unchanged', (v_files #>> array[a.file, 'unchanged'])::bigint - a.extra, 'adopted', a.n)), '{}')
    into v_files
    from (select d.file, count(distinct d.sourced_id) as n,
                 case when d.file = 'users.csv' then 0 else count(distinct d.sourced_id) end as extra
          from pg_temp.roster_adopted d group by d.file) a
    where v_files ? a.file;

    -- Only the files the zip holds.
    select jsonb_object_agg(k, v) into v_files from jsonb_each(v_files) e (k, v)
    where exists (select from jsonb_each_text(p_modes) m (stage, mode) where roster.csv_file(m.stage) = k and m.mode <> 'absent');
    -- Skipped rows per file.
    select coalesce(v_files, '{}') || coalesce(jsonb_object_agg(f, coalesce(v_files -> f, '{}') || jsonb_build_object('skipped', n)), '{}')
    into v_files from (select file as f, count(*) as n from pg_temp.roster_skips group by file) s;
    return jsonb_build_object('status', 'APPLIED', 'files', v_files, 'rejected', '[]'::jsonb, 'skipped', v_skips);
end
$_$;

create or replace function roster.merge_classes(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint;
    v_upd bigint;
begin
    if p_mode = 'absent' then return '{}'; end if;
    create temp table roster_src_classes on commit drop as
    select s.sourced_id, s.title as name, subj.id as subject_id, term.id as academic_term_id,
           left(coalesce(case when term.type = 'YEAR' then term.name end, year.name, term.name), 50) as academic_year,
           s.metadata
    from pg_temp.roster_stage_classes s
    left join data.subjects subj on subj.school_id = p_school and subj.sourced_id = s.course_sourced_id
    left join data.academic_terms term on term.school_id = p_school and term.sourced_id = trim(split_part(s.term_sourced_ids, ',', 1))
    left join data.academic_terms year on year.school_id = p_school and year.id = term.parent_id
    where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_classes;
    with changed as (
        update data.classes t
        set name = s.name, subject_id = s.subject_id, academic_term_id = s.academic_term_id,
            academic_year = s.academic_year, metadata = s.metadata, is_deleted = false
        from pg_temp.roster_src_classes s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.name, t.subject_id, t.academic_term_id, t.academic_year, t.metadata, t.is_deleted)
              is distinct from (s.name, s.subject_id, s.academic_term_id, s.academic_year, s.metadata, false)
        returning 1),
    added as (
        insert into data.classes (school_id, name, subject_id, academic_term_id, academic_year, metadata, sourced_id)
        select p_school, s.name, s.subject_id, s.academic_term_id, s.academic_year, s.metadata, s.sourced_id
        from pg_temp.roster_src_classes s
        where not exists (select from data.classes t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select (select count(*) from changed), (select count(*) from added) into v_upd, v_ins;
    perform roster.analyze_after('classes', v_ins);
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd,
        'unchanged', (select count(*) from pg_temp.roster_src_classes) - v_ins - v_upd,
        'deactivated', roster.deactivate(p_school, 'classes', 'roster_stage_classes', p_mode, 'is_deleted = true'));
end
$$;

create or replace function roster.merge_demographics(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_upd bigint;
    v_total bigint;
begin
    if p_mode = 'absent' then return '{}'; end if;
    v_total := (select count(*) from pg_temp.roster_stage_demographics d
                join data.students st on st.school_id = p_school and st.sourced_id = d.sourced_id
                where d.status is distinct from 'tobedeleted');
    with changed as (
        update data.students t
        set date_of_birth = d.birth_date::date,
            gender = case d.sex when 'female' then 'FEMALE' when 'male' then 'MALE' when 'other' then 'OTHER'
                                when 'unspecified' then 'UNDISCLOSED' end
        from pg_temp.roster_stage_demographics d
        where t.school_id = p_school and t.sourced_id = d.sourced_id and d.status is distinct from 'tobedeleted'
          and (t.date_of_birth, t.gender) is distinct from (d.birth_date::date,
               case d.sex when 'female' then 'FEMALE' when 'male' then 'MALE' when 'other' then 'OTHER'
                          when 'unspecified' then 'UNDISCLOSED' end)
        returning 1)
    select count(*) into v_upd from changed;
    return jsonb_build_object('inserted', 0, 'updated', v_upd, 'unchanged', v_total - v_upd, 'deactivated', 0);
end
$$;

create or replace function roster.merge_enrollments(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
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
    select s.sourced_id, st.id as student_id, c.id as class_id, s.begin_date::date as enrollment_date, s.end_date::date as completion_date,
           s.metadata
    from pg_temp.roster_stage_enrollments s
    join data.students st on st.school_id = p_school and st.sourced_id = s.user_sourced_id and not st.is_deleted
    join data.classes c on c.school_id = p_school and c.sourced_id = s.class_sourced_id and not c.is_deleted
    left join data.enrollments y on y.school_id = p_school and y.sourced_id = s.sourced_id
    where s.role = 'student' and s.status is distinct from 'tobedeleted'
      and (y.id is null or (y.student_id, y.class_id, y.enrollment_date, y.completion_date, y.metadata)
                           is distinct from (st.id, c.id, s.begin_date::date, s.end_date::date, s.metadata));
    analyze pg_temp.roster_src_enrollments;
    v_total := (select count(*) from pg_temp.roster_stage_enrollments where status is distinct from 'tobedeleted');
    -- An enrollment made here (no sourcedId) of the same student and class is adopted.
    with adopted as (
        update data.enrollments t
        set enrollment_date = s.enrollment_date, completion_date = s.completion_date, sourced_id = s.sourced_id,
            metadata = s.metadata
        from pg_temp.roster_src_enrollments s
        where t.school_id = p_school and t.sourced_id is null and t.student_id = s.student_id and t.class_id = s.class_id
          and not exists (select from data.enrollments o where o.school_id = p_school and o.sourced_id = s.sourced_id)
        returning 1),
    changed as (
        update data.enrollments t
        set student_id = s.student_id, class_id = s.class_id, enrollment_date = s.enrollment_date,
            completion_date = s.completion_date, metadata = s.metadata
        from pg_temp.roster_src_enrollments s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.student_id, t.class_id, t.enrollment_date, t.completion_date, t.metadata)
              is distinct from (s.student_id, s.class_id, s.enrollment_date, s.completion_date, s.metadata)
        returning 1),
    added as (
        insert into data.enrollments (id, school_id, student_id, class_id, enrollment_date, completion_date, metadata, sourced_id)
        select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.student_id, s.class_id, s.enrollment_date, s.completion_date,
               s.metadata, s.sourced_id
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

create or replace function roster.merge_people(p_school uuid, p_mode text, p_admin boolean) returns jsonb
    language plpgsql security definer
    set search_path to ''
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
        update data.users t set email = s.email, role = s.db_role, is_active = (s.enabled_user = 'true'), metadata = s.metadata,
                                is_deleted = false
        from pg_temp.roster_src_people s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (p_admin or (t.role <> 'ADMIN' and s.db_role <> 'ADMIN'))
          and (t.email, t.role, t.is_active, t.metadata, t.is_deleted)
              is distinct from (s.email, s.db_role, s.enabled_user = 'true', s.metadata, false)
        returning t.sourced_id)
    insert into pg_temp.roster_changed select sourced_id from changed;
    v_ids := uuidv7();
    with added as (
        insert into data.users (id, school_id, email, role, is_active, metadata, sourced_id)
        select data.uuidv7_batch(v_ids, row_number() over ()), p_school, s.email, s.db_role, s.enabled_user = 'true', s.metadata,
               s.sourced_id
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

create or replace function roster.merge_subjects(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_deact bigint;
begin
    if p_mode = 'absent' then return '{}'; end if;
    create temp table roster_src_subjects on commit drop as
    select s.sourced_id, s.title as name, s.course_code as code, s.metadata
    from pg_temp.roster_stage_courses s where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_subjects;
    -- Deactivate first: a removed course frees its name for a new one.
    v_deact := roster.deactivate(p_school, 'subjects', 'roster_stage_courses', p_mode, 'is_deleted = true');
    with changed as (
        update data.subjects t set name = s.name, code = s.code, metadata = s.metadata, is_deleted = false
        from pg_temp.roster_src_subjects s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.name, t.code, t.metadata, t.is_deleted) is distinct from (s.name, s.code, s.metadata, false)
        returning 1),
    added as (
        insert into data.subjects (school_id, name, code, metadata, sourced_id)
        select p_school, s.name, s.code, s.metadata, s.sourced_id from pg_temp.roster_src_subjects s
        where not exists (select from data.subjects t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select (select count(*) from changed), (select count(*) from added) into v_upd, v_ins;
    perform roster.analyze_after('subjects', v_ins);
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd,
        'unchanged', (select count(*) from pg_temp.roster_src_subjects) - v_ins - v_upd, 'deactivated', v_deact);
end
$$;

create or replace function roster.merge_terms(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint := 0;
    v_step bigint;
    v_upd bigint;
    v_total bigint;
begin
    if p_mode = 'absent' then return '{}'; end if;
    create temp table roster_src_terms on commit drop as
    select s.sourced_id, s.title as name, s.start_date::date as start_date, s.end_date::date as end_date,
           case s.type when 'schoolYear' then 'YEAR' when 'semester' then 'SEMESTER' when 'term' then 'TERM'
                       when 'gradingPeriod' then 'GRADING_PERIOD' end as type,
           s.parent_sourced_id, s.metadata
    from pg_temp.roster_stage_academic_sessions s where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_terms;
    v_total := (select count(*) from pg_temp.roster_src_terms);
    -- New rows, parents before children (a year before its semesters).
    loop
        insert into data.academic_terms (school_id, name, start_date, end_date, type, parent_id, metadata, sourced_id)
        select p_school, s.name, s.start_date, s.end_date, s.type, p.id, s.metadata, s.sourced_id
        from pg_temp.roster_src_terms s
        left join data.academic_terms p on p.school_id = p_school and p.sourced_id = s.parent_sourced_id
        where not exists (select from data.academic_terms t where t.school_id = p_school and t.sourced_id = s.sourced_id)
          and (s.parent_sourced_id is null or p.id is not null);
        get diagnostics v_step = row_count;
        v_ins := v_ins + v_step;
        exit when v_step = 0;
    end loop;
    with changed as (
        update data.academic_terms t
        set name = s.name, start_date = s.start_date, end_date = s.end_date, type = s.type, parent_id = p.id,
            metadata = s.metadata, is_deleted = false
        from pg_temp.roster_src_terms s
        left join data.academic_terms p on p.school_id = p_school and p.sourced_id = s.parent_sourced_id
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.name, t.start_date, t.end_date, t.type, t.parent_id, t.metadata, t.is_deleted)
              is distinct from (s.name, s.start_date, s.end_date, s.type, p.id, s.metadata, false)
        returning 1)
    select count(*) into v_upd from changed;
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd, 'unchanged', v_total - v_ins - v_upd,
        'deactivated', roster.deactivate(p_school, 'academic_terms', 'roster_stage_academic_sessions', p_mode, 'is_deleted = true'));
end
$$;

revoke all on function roster.analyze_after(p_table text, p_rows bigint) from public;

revoke all on function roster.deactivate(p_school uuid, p_table text, p_stage text, p_mode text, p_set text) from public;

revoke all on function roster.import_oneroster(p_modes jsonb) from public;
grant all on function roster.import_oneroster(p_modes jsonb) to school_admin;
grant all on function roster.import_oneroster(p_modes jsonb) to partner_sync;

revoke all on function roster.merge_classes(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_demographics(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_enrollments(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_people(p_school uuid, p_mode text, p_admin boolean) from public;

revoke all on function roster.merge_subjects(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_terms(p_school uuid, p_mode text) from public;

-- PostgreSQL database dump complete
