-- The OneRoster 1.2 Gradebook CSV files in the import (issue 17): categories,
-- scoreScales, lineItems and results, checked row by row and merged onto the
-- tables the gradebook REST service reads and writes (m0053: grade_categories,
-- score_scales, assignments, grades), in the caller's transaction, called by
-- roster.import_oneroster after the rostering files (a line item may name a
-- class of the same zip). Same rules as the rostering files: a reference is
-- to a row of the zip or one already here (by sourcedId, else by the row id,
-- as the REST service shows it), a bulk file deactivates the partner rows it
-- no longer names, unchanged rows are not written.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- The rows of this school the gradebook files name, by the sourcedId the
-- REST service shows (the partner's, else the row id for a row without one),
-- live rows only: pg_temp.roster_gb_refs (kind = table, sid, id), one lookup
-- per distinct name, not one per CSV row (a results file names the same line
-- items and students thousands of times). Made for the checks, and again
-- before the merges, which come after the rostering files' (a class of the
-- same zip is here by then).
create or replace function roster.resolve_gradebook_refs(p_school uuid) returns void
    language plpgsql security definer
    set search_path to ''
    as $_$
declare
    v_kind text;
    v_refs text[];
begin
    drop table if exists pg_temp.roster_gb_refs;
    create temp table roster_gb_refs (kind text, sid text, id uuid) on commit drop;
    foreach v_kind in array array['classes', 'grade_categories', 'academic_terms', 'assignments', 'students']
    loop
        v_refs := case v_kind
            when 'classes' then array(select class_sourced_id from pg_temp.roster_stage_score_scales
                                      union select class_sourced_id from pg_temp.roster_stage_line_items)
            when 'grade_categories' then array(select distinct category_sourced_id from pg_temp.roster_stage_line_items)
            when 'academic_terms' then array(select distinct academic_session_sourced_id from pg_temp.roster_stage_line_items)
            when 'assignments' then array(select distinct line_item_sourced_id from pg_temp.roster_stage_results)
            else array(select distinct student_sourced_id from pg_temp.roster_stage_results) end;
        -- Both arms are index lookups: (school_id, sourced_id) and the primary key.
        execute format($q$
            insert into pg_temp.roster_gb_refs
            select distinct on (r.sid) %1$L, r.sid, t.id
            from unnest($2::text[]) r (sid)
            join data.%1$I t on t.school_id = $1 and not t.is_deleted
                            and (t.sourced_id = r.sid
                                 or (t.sourced_id is null and t.id = case when pg_input_is_valid(r.sid, 'uuid') then r.sid::uuid end))
            where r.sid is not null
            order by r.sid, t.sourced_id is null, t.id$q$, v_kind)
        using p_school, v_refs;
    end loop;
    create index on pg_temp.roster_gb_refs (kind, sid);
    analyze pg_temp.roster_gb_refs;
end
$_$;

-- scoreScales.csv's scoreScaleValue, `{A:90-100},{B:80-89}` (the CSV binding's
-- list of itemValueLHS:itemValueRHS pairs), as the JSON the table and the REST
-- service hold; null when the text is not such a list.
create or replace function roster.scale_values(p_text text) returns jsonb
    language sql immutable
    set search_path to ''
    as $$
    select case when p_text ~ '^\s*\{[^:{}]*:[^{}]*\}(\s*,\s*\{[^:{}]*:[^{}]*\})*\s*$' then
        (select jsonb_agg(jsonb_build_object('itemValueLHS', trim(m[1]), 'itemValueRHS', trim(m[2])) order by n)
         from regexp_matches(p_text, '\{([^:{}]*):([^{}]*)\}', 'g') with ordinality as x (m, n))
    end
$$;

-- A number the gradebook columns (numeric(5,2), not negative) can hold.
-- No SET clause, so that Postgres inlines it (a call per results row costs
-- more than the check); it names nothing outside pg_catalog. CASE, not AND:
-- the cast must never run on text that is not a number.
create or replace function roster.is_score(p_text text) returns boolean
    language sql immutable
    as $$
    select case when pg_input_is_valid(p_text, 'numeric(5,2)') then p_text::numeric >= 0 else false end
$$;

-- Row checks of the four files; rejects and skips go where import_oneroster
-- collects them. p_org: this school's org (null when it has none: reported).
create or replace function roster.validate_gradebook(p_school uuid, p_modes jsonb, p_org text) returns void
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_results text := coalesce(p_modes ->> 'results', 'absent');
begin
    perform roster.resolve_gradebook_refs(p_school);
    -- Rows of other orgs are skipped, as in the rostering files.
    insert into pg_temp.roster_skips
    select 'lineItems.csv', row_no, format('wrong org: schoolSourcedId %s is not this school''s org', school_sourced_id)
    from pg_temp.roster_stage_line_items where school_sourced_id is distinct from p_org and school_sourced_id is not null;
    delete from pg_temp.roster_stage_line_items where school_sourced_id is distinct from p_org and school_sourced_id is not null;
    insert into pg_temp.roster_skips
    select 'scoreScales.csv', row_no, format('wrong org: orgSourcedId %s is not this school''s org', org_sourced_id)
    from pg_temp.roster_stage_score_scales where org_sourced_id is distinct from p_org and org_sourced_id is not null;
    delete from pg_temp.roster_stage_score_scales where org_sourced_id is distinct from p_org and org_sourced_id is not null;

    insert into pg_temp.roster_rejects
    select 'categories.csv', row_no, 'title', 'missing required field: title'
    from pg_temp.roster_stage_categories where title is null and status is distinct from 'tobedeleted'
    union all
    select 'categories.csv', row_no, 'weight', format('bad number %L: a weight from 0 to 999.99', weight)
    from pg_temp.roster_stage_categories where weight is not null and not roster.is_score(weight)
    -- scoreScales.csv
    union all
    select 'scoreScales.csv', row_no, c.col, 'missing required field: ' || c.col
    from pg_temp.roster_stage_score_scales s
    cross join lateral (values ('title', s.title), ('type', s.type)) c (col, val)
    where s.status is distinct from 'tobedeleted' and c.val is null
    union all
    select 'scoreScales.csv', row_no, 'scoreScaleValue',
           format('bad value %L: scoreScaleValue lists {itemValueLHS:itemValueRHS} pairs separated by commas, e.g. {A:90-100},{B:80-89}',
                  score_scale_value)
    from pg_temp.roster_stage_score_scales
    where status is distinct from 'tobedeleted' and roster.scale_values(score_scale_value) is null
    union all
    select f.file, f.row_no, 'classSourcedId',
           case when f.class_sourced_id is null then 'missing required field: classSourcedId'
                else format('unknown reference: class %s is neither in classes.csv nor already here', f.class_sourced_id) end
    from (select 'scoreScales.csv' as file, row_no, class_sourced_id, status from pg_temp.roster_stage_score_scales
          union all
          select 'lineItems.csv', row_no, class_sourced_id, status from pg_temp.roster_stage_line_items) f
    where f.status is distinct from 'tobedeleted'
      and not exists (select from pg_temp.roster_stage_classes c where c.sourced_id = f.class_sourced_id and c.status is distinct from 'tobedeleted')
      and not exists (select from pg_temp.roster_gb_refs g where g.kind = 'classes' and g.sid = f.class_sourced_id)
    -- lineItems.csv
    union all
    select 'lineItems.csv', row_no, 'title', 'missing required field: title'
    from pg_temp.roster_stage_line_items where title is null and status is distinct from 'tobedeleted'
    union all
    select 'lineItems.csv', l.row_no, c.col,
           case when c.val is null then 'missing required field: ' || c.col
                else format('bad date %L: use ISO 8601, e.g. 2026-11-26T15:00:00Z', c.val) end
    from pg_temp.roster_stage_line_items l
    cross join lateral (values ('assignDate', l.assign_date), ('dueDate', l.due_date)) c (col, val)
    where l.status is distinct from 'tobedeleted' and (c.val is null or not pg_input_is_valid(c.val, 'timestamptz'))
    union all
    select 'lineItems.csv', l.row_no, 'categorySourcedId',
           format('unknown reference: category %s is neither in categories.csv nor already here', l.category_sourced_id)
    from pg_temp.roster_stage_line_items l
    where l.status is distinct from 'tobedeleted' and l.category_sourced_id is not null
      and roster.line_item_type(l.category_sourced_id) is null
      and not exists (select from pg_temp.roster_stage_categories c where c.sourced_id = l.category_sourced_id and c.status is distinct from 'tobedeleted')
      and not exists (select from pg_temp.roster_gb_refs g where g.kind = 'grade_categories' and g.sid = l.category_sourced_id)
    union all
    select 'lineItems.csv', l.row_no, 'academicSessionSourcedId',
           format('unknown reference: academic session %s is neither in academicSessions.csv nor already here', l.academic_session_sourced_id)
    from pg_temp.roster_stage_line_items l
    where l.status is distinct from 'tobedeleted' and l.academic_session_sourced_id is not null
      and not exists (select from pg_temp.roster_stage_academic_sessions a where a.sourced_id = l.academic_session_sourced_id and a.status is distinct from 'tobedeleted')
      and not exists (select from pg_temp.roster_gb_refs g where g.kind = 'academic_terms' and g.sid = l.academic_session_sourced_id)
    union all
    select 'lineItems.csv', l.row_no, c.col, format('bad number %L: a value from 0 to 999.99', c.val)
    from pg_temp.roster_stage_line_items l
    cross join lateral (values ('resultValueMin', l.result_value_min), ('resultValueMax', l.result_value_max)) c (col, val)
    where c.val is not null and not roster.is_score(c.val)
    union all
    select 'lineItems.csv', row_no, 'resultValueMin', 'bad number: resultValueMin is above resultValueMax'
    from pg_temp.roster_stage_line_items
    where roster.is_score(result_value_min) and roster.is_score(result_value_max) and result_value_min::numeric > result_value_max::numeric
    -- results.csv
    union all
    select 'results.csv', r.row_no, 'lineItemSourcedId',
           format('unknown reference: line item %s is neither in lineItems.csv nor already here', r.line_item_sourced_id)
    from pg_temp.roster_stage_results r
    where r.status is distinct from 'tobedeleted' and r.line_item_sourced_id is not null
      and not exists (select from pg_temp.roster_stage_line_items l where l.sourced_id = r.line_item_sourced_id and l.status is distinct from 'tobedeleted')
      and not exists (select from pg_temp.roster_gb_refs g where g.kind = 'assignments' and g.sid = r.line_item_sourced_id)
    union all
    select 'results.csv', r.row_no, 'studentSourcedId',
           format('unknown reference: student %s is neither a student in users.csv nor already here', r.student_sourced_id)
    from pg_temp.roster_stage_results r
    where r.status is distinct from 'tobedeleted' and r.student_sourced_id is not null
      and not exists (select from pg_temp.roster_people p where p.sourced_id = r.student_sourced_id and p.db_role = 'STUDENT' and p.status is distinct from 'tobedeleted')
      and not exists (select from pg_temp.roster_gb_refs g where g.kind = 'students' and g.sid = r.student_sourced_id)
    union all
    select 'results.csv', r.row_no, c.col, 'missing required field: ' || c.col
    from pg_temp.roster_stage_results r
    cross join lateral (values ('lineItemSourcedId', r.line_item_sourced_id), ('studentSourcedId', r.student_sourced_id)) c (col, val)
    where r.status is distinct from 'tobedeleted' and c.val is null
    union all
    select 'results.csv', row_no, 'scoreStatus',
           format('bad enum value %L: exempt, fully graded, not submitted, partially graded or submitted', score_status)
    from pg_temp.roster_stage_results
    where status is distinct from 'tobedeleted'
      and (score_status is null or score_status not in ('exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted'))
    union all
    select 'results.csv', row_no, 'score', format('bad number %L: a score from 0 to 999.99', score)
    from pg_temp.roster_stage_results where score is not null and not roster.is_score(score)
    union all
    select 'results.csv', row_no, 'scoreDate', format('bad date %L: use YYYY-MM-DD', score_date)
    from pg_temp.roster_stage_results where score_date is not null and not pg_input_is_valid(left(score_date, 10), 'date')
    union all
    select 'results.csv', row_no, 'textScore', format('too long: textScore %L has more than 10 characters', text_score)
    from pg_temp.roster_stage_results where length(text_score) > 10
    union all
    -- One live result per student and line item (data.grades_assignment_id_student_id_key).
    select 'results.csv', row_no, 'studentSourcedId',
           format('duplicate result of student %s for line item %s (first on row %s)', student_sourced_id, line_item_sourced_id, first_row)
    from (select row_no, student_sourced_id, line_item_sourced_id,
                 min(row_no) over (partition by student_sourced_id, line_item_sourced_id) as first_row
          from pg_temp.roster_stage_results where status is distinct from 'tobedeleted') d
    where row_no <> first_row
      -- the window's sort by two text keys only when a hash aggregate found a duplicate (import.sql)
      and exists (select from pg_temp.roster_stage_results where status is distinct from 'tobedeleted'
                  group by student_sourced_id, line_item_sourced_id having count(*) > 1);

    if v_results = 'absent' then return; end if;
    -- Results already here: a student's grade of the same line item under
    -- another sourcedId that stays, and a score over the maximum of a line
    -- item entered here (the file's own line items allow extra credit, as a
    -- OneRoster PUT does: db/integrity/triggers.sql).
    create temp table roster_result_targets on commit drop as
    select r.row_no, r.sourced_id, r.line_item_sourced_id, r.student_sourced_id, r.score, a.id as assignment_id,
           st.id as student_id
    from pg_temp.roster_stage_results r
    left join pg_temp.roster_gb_refs a on a.kind = 'assignments' and a.sid = r.line_item_sourced_id
    left join pg_temp.roster_gb_refs st on st.kind = 'students' and st.sid = r.student_sourced_id
    where r.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_result_targets;
    insert into pg_temp.roster_rejects
    select 'results.csv', t.row_no, 'sourcedId',
           format('student %s already has result %s for line item %s here: send %s as tobedeleted in the same file, or use that sourcedId',
                  t.student_sourced_id, g.sourced_id, t.line_item_sourced_id, g.sourced_id)
    from pg_temp.roster_result_targets t
    join data.grades g on g.school_id = p_school and g.assignment_id = t.assignment_id and g.student_id = t.student_id
                      and not g.is_deleted and g.sourced_id is not null and g.sourced_id <> t.sourced_id
    where exists (select from pg_temp.roster_stage_results k where k.sourced_id = g.sourced_id and k.status is distinct from 'tobedeleted')
       or (v_results = 'delta' and not exists (select from pg_temp.roster_stage_results k where k.sourced_id = g.sourced_id))
    union all
    select 'results.csv', t.row_no, 'score',
           format('score %s is above the maximum %s of line item %s', t.score, a.max_score, t.line_item_sourced_id)
    from pg_temp.roster_result_targets t
    join data.assignments a on a.school_id = p_school and a.id = t.assignment_id
    where roster.is_score(t.score) and t.score::numeric > a.max_score and not a.allows_extra_credit
      and not exists (select from pg_temp.roster_stage_line_items l where l.sourced_id = t.line_item_sourced_id);
end
$$;

-- A category sourcedId `type:<assignment type>` names one of the categories
-- every school has (oneroster.categories): the line item gets that type.
create or replace function roster.line_item_type(p_category text) returns text
    language sql immutable
    set search_path to ''
    as $$
    select case when p_category like 'type:%' and upper(substr(p_category, 6))
                     in ('HOMEWORK', 'QUIZ', 'PROJECT', 'ESSAY', 'LAB', 'CLASSWORK', 'OTHER')
                then upper(substr(p_category, 6)) end
$$;

-- The four merges, in dependency order; per file inserted, updated,
-- unchanged, deactivated.
create or replace function roster.merge_gradebook(p_school uuid, p_modes jsonb) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_files jsonb := '{}';
begin
    if coalesce(p_modes ->> 'categories', 'absent') <> 'absent' then
        v_files := v_files || jsonb_build_object('categories.csv', roster.merge_categories(p_school, p_modes ->> 'categories'));
    end if;
    if coalesce(p_modes ->> 'score_scales', 'absent') <> 'absent' then
        v_files := v_files || jsonb_build_object('scoreScales.csv', roster.merge_score_scales(p_school, p_modes ->> 'score_scales'));
    end if;
    if coalesce(p_modes ->> 'line_items', 'absent') <> 'absent' then
        v_files := v_files || jsonb_build_object('lineItems.csv', roster.merge_line_items(p_school, p_modes ->> 'line_items'));
    end if;
    if coalesce(p_modes ->> 'results', 'absent') <> 'absent' then
        v_files := v_files || jsonb_build_object('results.csv', roster.merge_results(p_school, p_modes ->> 'results'));
    end if;
    return v_files;
end
$$;

create or replace function roster.merge_categories(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_deact bigint := roster.deactivate(p_school, 'grade_categories', 'roster_stage_categories', p_mode, 'is_deleted = true');
begin
    create temp table roster_src_categories on commit drop as
    select s.sourced_id, s.title, s.weight::numeric as weight, s.metadata
    from pg_temp.roster_stage_categories s where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_categories;
    with changed as (
        update data.grade_categories t set title = s.title, weight = s.weight, metadata = s.metadata, is_deleted = false
        from pg_temp.roster_src_categories s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.title, t.weight, t.metadata, t.is_deleted) is distinct from (s.title, s.weight, s.metadata, false)
        returning 1),
    added as (
        insert into data.grade_categories (school_id, title, weight, metadata, sourced_id)
        select p_school, s.title, s.weight, s.metadata, s.sourced_id from pg_temp.roster_src_categories s
        where not exists (select from data.grade_categories t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select (select count(*) from changed), (select count(*) from added) into v_upd, v_ins;
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd,
        'unchanged', (select count(*) from pg_temp.roster_src_categories) - v_ins - v_upd, 'deactivated', v_deact);
end
$$;

create or replace function roster.merge_score_scales(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_deact bigint := roster.deactivate(p_school, 'score_scales', 'roster_stage_score_scales', p_mode, 'is_deleted = true');
begin
    perform roster.resolve_gradebook_refs(p_school);  -- after the merges before this one
    create temp table roster_src_score_scales on commit drop as
    select s.sourced_id, s.title, s.type, (select g.id from pg_temp.roster_gb_refs g where g.kind = 'classes' and g.sid = s.class_sourced_id) as class_id,
           roster.scale_values(s.score_scale_value) as scale_values, s.metadata
    from pg_temp.roster_stage_score_scales s where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_score_scales;
    with changed as (
        update data.score_scales t
        set title = s.title, type = s.type, class_id = s.class_id, scale_values = s.scale_values, metadata = s.metadata,
            is_deleted = false
        from pg_temp.roster_src_score_scales s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.title, t.type, t.class_id, t.scale_values, t.metadata, t.is_deleted)
              is distinct from (s.title, s.type, s.class_id, s.scale_values, s.metadata, false)
        returning 1),
    added as (
        insert into data.score_scales (school_id, title, type, class_id, scale_values, metadata, sourced_id)
        select p_school, s.title, s.type, s.class_id, s.scale_values, s.metadata, s.sourced_id
        from pg_temp.roster_src_score_scales s
        where not exists (select from data.score_scales t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select (select count(*) from changed), (select count(*) from added) into v_upd, v_ins;
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd,
        'unchanged', (select count(*) from pg_temp.roster_src_score_scales) - v_ins - v_upd, 'deactivated', v_deact);
end
$$;

-- Line items are assignments; like a OneRoster PUT, they allow extra credit
-- (resultValueMax is the scale, not a cap). Their score scale is not in
-- lineItems.csv (lineItemScoreScales.csv, not imported) and stays as it is.
create or replace function roster.merge_line_items(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_deact bigint := roster.deactivate(p_school, 'assignments', 'roster_stage_line_items', p_mode, 'is_deleted = true');
begin
    perform roster.resolve_gradebook_refs(p_school);  -- after the merges before this one
    create temp table roster_src_line_items on commit drop as
    select s.sourced_id, s.title, s.description, s.assign_date::timestamptz as assigned_date,
           s.due_date::timestamptz as due_date, (select g.id from pg_temp.roster_gb_refs g where g.kind = 'classes' and g.sid = s.class_sourced_id) as class_id,
           roster.line_item_type(s.category_sourced_id) as type,
           case when roster.line_item_type(s.category_sourced_id) is null
                then (select g.id from pg_temp.roster_gb_refs g where g.kind = 'grade_categories' and g.sid = s.category_sourced_id) end as category_id,
           (select g.id from pg_temp.roster_gb_refs g where g.kind = 'academic_terms' and g.sid = s.academic_session_sourced_id) as academic_term_id,
           s.result_value_min::numeric as min_score, s.result_value_max::numeric as max_score, s.metadata
    from pg_temp.roster_stage_line_items s where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_line_items;
    with changed as (
        update data.assignments t
        set title = s.title, description = s.description, assigned_date = s.assigned_date, due_date = s.due_date,
            class_id = s.class_id, type = s.type, category_id = s.category_id, academic_term_id = s.academic_term_id,
            min_score = s.min_score, max_score = s.max_score, allows_extra_credit = true, metadata = s.metadata,
            is_deleted = false
        from pg_temp.roster_src_line_items s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.title, t.description, t.assigned_date, t.due_date, t.class_id, t.type, t.category_id, t.academic_term_id,
               t.min_score, t.max_score, t.allows_extra_credit, t.metadata, t.is_deleted)
              is distinct from (s.title, s.description, s.assigned_date, s.due_date, s.class_id, s.type, s.category_id,
                                s.academic_term_id, s.min_score, s.max_score, true, s.metadata, false)
        returning 1),
    added as (
        insert into data.assignments (school_id, title, description, assigned_date, due_date, class_id, type, category_id,
                                      academic_term_id, min_score, max_score, allows_extra_credit, metadata, sourced_id)
        select p_school, s.title, s.description, s.assigned_date, s.due_date, s.class_id, s.type, s.category_id,
               s.academic_term_id, s.min_score, s.max_score, true, s.metadata, s.sourced_id
        from pg_temp.roster_src_line_items s
        where not exists (select from data.assignments t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select (select count(*) from changed), (select count(*) from added) into v_upd, v_ins;
    perform roster.analyze_after('assignments', v_ins);
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd,
        'unchanged', (select count(*) from pg_temp.roster_src_line_items) - v_ins - v_upd, 'deactivated', v_deact);
end
$$;

-- Results are grades of assignments. A grade entered here (no sourcedId) of
-- the same student and line item is taken over, as enrollments are.
create or replace function roster.merge_results(p_school uuid, p_mode text) returns jsonb
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    v_ins bigint;
    v_upd bigint;
    v_deact bigint;
begin
    -- Only grades of line items (the results' table holds assessment grades too).
    update data.grades t set is_deleted = true
    where t.school_id = p_school and t.sourced_id is not null and not t.is_deleted and t.assignment_id is not null
      and t.sourced_id in (
          select s.sourced_id from pg_temp.roster_stage_results s where s.status = 'tobedeleted'
          union all
          select k.sourced_id from data.grades k
          where p_mode = 'bulk' and k.school_id = p_school and k.sourced_id is not null and k.assignment_id is not null
            and not exists (select from pg_temp.roster_stage_results s
                            where s.sourced_id = k.sourced_id and s.status is distinct from 'tobedeleted'));
    get diagnostics v_deact = row_count;
    perform roster.resolve_gradebook_refs(p_school);  -- after the line items' merge
    create temp table roster_src_results on commit drop as
    select s.sourced_id, a.id as assignment_id, st.id as student_id,
           s.score::numeric as score, s.text_score as grade, s.comment as feedback,
           upper(replace(s.score_status, ' ', '_')) as score_status, left(s.score_date, 10)::date as score_date, s.metadata
    from pg_temp.roster_stage_results s
    left join pg_temp.roster_gb_refs a on a.kind = 'assignments' and a.sid = s.line_item_sourced_id
    left join pg_temp.roster_gb_refs st on st.kind = 'students' and st.sid = s.student_sourced_id
    where s.status is distinct from 'tobedeleted';
    analyze pg_temp.roster_src_results;
    create temp table roster_adopted_results (sourced_id text) on commit drop;
    with adopted as (
        update data.grades t set sourced_id = s.sourced_id
        from pg_temp.roster_src_results s
        where t.school_id = p_school and t.sourced_id is null and not t.is_deleted
          and t.assignment_id = s.assignment_id and t.student_id = s.student_id
          and not exists (select from data.grades o where o.school_id = p_school and o.sourced_id = s.sourced_id)
        returning t.sourced_id)
    insert into pg_temp.roster_adopted_results select sourced_id from adopted;
    with changed as (
        update data.grades t
        set assignment_id = s.assignment_id, student_id = s.student_id, score = s.score, grade = s.grade,
            feedback = s.feedback, score_status = s.score_status, score_date = s.score_date, metadata = s.metadata,
            recorded_at = now(), is_deleted = false
        from pg_temp.roster_src_results s
        where t.school_id = p_school and t.sourced_id = s.sourced_id
          and (t.assignment_id, t.student_id, t.score, t.grade, t.feedback, t.score_status, t.score_date, t.metadata, t.is_deleted)
              is distinct from (s.assignment_id, s.student_id, s.score, s.grade, s.feedback, s.score_status, s.score_date,
                                s.metadata, false)
        returning t.sourced_id),
    added as (
        insert into data.grades (school_id, assignment_id, student_id, score, grade, feedback, score_status, score_date,
                                 metadata, sourced_id)
        select p_school, s.assignment_id, s.student_id, s.score, s.grade, s.feedback, s.score_status, s.score_date,
               s.metadata, s.sourced_id
        from pg_temp.roster_src_results s
        where not exists (select from data.grades t where t.school_id = p_school and t.sourced_id = s.sourced_id)
        returning 1)
    select (select count(*) from (select sourced_id from changed
                                  union select a.sourced_id from pg_temp.roster_adopted_results a) c),
           (select count(*) from added)
    into v_upd, v_ins;
    perform roster.analyze_after('grades', v_ins);
    return jsonb_build_object('inserted', v_ins, 'updated', v_upd,
        'unchanged', (select count(*) from pg_temp.roster_src_results) - v_ins - v_upd, 'deactivated', v_deact)
        || case when exists (select from pg_temp.roster_adopted_results)
                then jsonb_build_object('adopted', (select count(*) from pg_temp.roster_adopted_results)) else '{}' end;
end
$$;

revoke all on function roster.resolve_gradebook_refs(p_school uuid) from public;

revoke all on function roster.validate_gradebook(p_school uuid, p_modes jsonb, p_org text) from public;

revoke all on function roster.merge_gradebook(p_school uuid, p_modes jsonb) from public;

revoke all on function roster.merge_categories(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_score_scales(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_line_items(p_school uuid, p_mode text) from public;

revoke all on function roster.merge_results(p_school uuid, p_mode text) from public;
