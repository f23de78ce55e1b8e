-- OneRoster 1.2 Gradebook (issue 17): read views (schema oneroster, read by
-- the gradebook routes only), the row views the writes go through, and the
-- PUT/DELETE functions. Assignments are line items, grades with an assignment
-- results, assessments assessment line items and their grades assessment
-- results; categories and score scales have tables of their own (m0053).
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- Every school has the assignment types as categories of its own, sourcedId
-- `type:<type>`, beside the categories partners create: a line item always
-- has a category (the 1.2 schema requires one), and a school with none yet
-- still answers GET classes/{id}/categories with some (Google's suite PUTs
-- its line item into the first one it gets).
create or replace view oneroster.categories with (security_invoker='true') as
 select g.id,
    g.school_id,
    coalesce(g.sourced_id, ((g.id)::text)::character varying)::text as sourced_id,
    case when g.is_deleted then 'tobedeleted'::text else 'active'::text end as status,
    g.updated_at as date_last_modified,
    g.title::text as title,
    g.weight,
    -- The imported row's extension columns (m0057): the objects' `metadata`.
    g.metadata
   from data.grade_categories g
union all
 select md5(s.id::text || t.type)::uuid,
    s.id,
    'type:' || lower(t.type),
    'active'::text,
    s.created_at,
    t.title,
    null::numeric,
    null::jsonb
   from data.schools s
   cross join (values ('HOMEWORK', 'Homework'), ('QUIZ', 'Quiz'), ('PROJECT', 'Project'), ('ESSAY', 'Essay'),
                      ('LAB', 'Lab'), ('CLASSWORK', 'Classwork'), ('OTHER', 'Other')) as t(type, title)
  where not exists (select from data.grade_categories g
                    where g.school_id = s.id and g.sourced_id = 'type:' || lower(t.type));

comment on view oneroster.categories is 'OneRoster categories: the school''s own, and its assignment types as type:<type>.';

create or replace view oneroster.score_scales with (security_invoker='true') as
 select ss.id,
    ss.school_id,
    coalesce(ss.sourced_id, ((ss.id)::text)::character varying)::text as sourced_id,
    case when ss.is_deleted or c.is_deleted then 'tobedeleted'::text else 'active'::text end as status,
    ss.updated_at as date_last_modified,
    ss.title::text as title,
    ss.type::text as type,
    ss.class_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying)::text as class_sourced_id,
    ss.scale_values,
    ss.metadata
   from data.score_scales ss
   join data.classes c on c.school_id = ss.school_id and c.id = ss.class_id;

comment on view oneroster.score_scales is 'OneRoster score scales of classes, soft-deleted ones as tobedeleted.';

create or replace view oneroster.line_items with (security_invoker='true') as
 select a.id,
    a.school_id,
    coalesce(a.sourced_id, ((a.id)::text)::character varying)::text as sourced_id,
    case when a.is_deleted or c.is_deleted then 'tobedeleted'::text else 'active'::text end as status,
    a.updated_at as date_last_modified,
    a.title::text as title,
    a.description,
    a.assigned_date as assign_date,
    -- The schema requires a due date; an assignment without one is due when assigned.
    coalesce(a.due_date, a.assigned_date) as due_date,
    a.class_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying)::text as class_sourced_id,
    coalesce(s.sourced_id, ((s.id)::text)::character varying)::text as school_sourced_id,
    coalesce(g.sourced_id::text, (g.id)::text, 'type:' || lower(coalesce(a.type, 'OTHER'))) as category_sourced_id,
    -- Its own grading period, else its class's term.
    coalesce(t.sourced_id, ((t.id)::text)::character varying)::text as academic_session_sourced_id,
    case when t.type = 'GRADING_PERIOD' then coalesce(t.sourced_id, ((t.id)::text)::character varying)::text end
        as grading_period_sourced_id,
    coalesce(ss.sourced_id, ((ss.id)::text)::character varying)::text as score_scale_sourced_id,
    a.min_score as result_value_min,
    a.max_score as result_value_max,
    a.metadata
   from data.assignments a
   join data.classes c on c.school_id = a.school_id and c.id = a.class_id
   join data.schools s on s.id = a.school_id
   left join data.grade_categories g on g.school_id = a.school_id and g.id = a.category_id
   left join data.academic_terms t on t.school_id = a.school_id and t.id = coalesce(a.academic_term_id, c.academic_term_id)
   left join data.score_scales ss on ss.school_id = a.school_id and ss.id = a.score_scale_id;

comment on view oneroster.line_items is 'OneRoster line items (assignments), soft-deleted ones as tobedeleted.';

create or replace function oneroster.score_status(p_status text, p_score numeric, p_grade text) returns text
    language sql immutable
    set search_path to ''
    as $$
    select case p_status
               when 'EXEMPT' then 'exempt'
               when 'FULLY_GRADED' then 'fully graded'
               when 'NOT_SUBMITTED' then 'not submitted'
               when 'PARTIALLY_GRADED' then 'partially graded'
               when 'SUBMITTED' then 'submitted'
               -- A grade recorded here without a status: graded if it has a mark.
               else case when p_score is null and p_grade is null then 'not submitted' else 'fully graded' end
           end
$$;

create or replace view oneroster.results with (security_invoker='true') as
 select r.id,
    r.school_id,
    coalesce(r.sourced_id, ((r.id)::text)::character varying)::text as sourced_id,
    case when r.is_deleted or a.is_deleted or st.is_deleted then 'tobedeleted'::text else 'active'::text end as status,
    r.updated_at as date_last_modified,
    r.assignment_id as line_item_id,
    coalesce(a.sourced_id, ((a.id)::text)::character varying)::text as line_item_sourced_id,
    r.student_id,
    coalesce(st.sourced_id, ((st.id)::text)::character varying)::text as student_sourced_id,
    a.class_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying)::text as class_sourced_id,
    coalesce(ss.sourced_id, ((ss.id)::text)::character varying)::text as score_scale_sourced_id,
    oneroster.score_status(r.score_status, r.score, r.grade) as score_status,
    r.score,
    r.grade::text as text_score,
    coalesce(r.score_date, (r.recorded_at at time zone 'UTC')::date) as score_date,
    r.feedback as comment,
    r.metadata
   from data.grades r
   join data.assignments a on a.school_id = r.school_id and a.id = r.assignment_id
   join data.classes c on c.school_id = a.school_id and c.id = a.class_id
   join data.students st on st.school_id = r.school_id and st.id = r.student_id
   left join data.score_scales ss on ss.school_id = a.school_id and ss.id = a.score_scale_id;

comment on view oneroster.results is 'OneRoster results (grades of assignments), soft-deleted ones as tobedeleted.';

create or replace view oneroster.assessment_line_items with (security_invoker='true') as
 select x.id,
    x.school_id,
    (x.id)::text as sourced_id,
    case when x.is_deleted then 'tobedeleted'::text else 'active'::text end as status,
    x.updated_at as date_last_modified,
    x.name::text as title,
    x.class_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying)::text as class_sourced_id,
    x.max_score as result_value_max
   from data.assessments x
   left join data.classes c on c.school_id = x.school_id and c.id = x.class_id;

comment on view oneroster.assessment_line_items is 'OneRoster assessment line items (assessments), soft-deleted ones as tobedeleted.';

create or replace view oneroster.assessment_results with (security_invoker='true') as
 select r.id,
    r.school_id,
    coalesce(r.sourced_id, ((r.id)::text)::character varying)::text as sourced_id,
    case when r.is_deleted or x.is_deleted or st.is_deleted then 'tobedeleted'::text else 'active'::text end as status,
    r.updated_at as date_last_modified,
    r.assessment_id as assessment_line_item_id,
    (x.id)::text as assessment_line_item_sourced_id,
    r.student_id,
    coalesce(st.sourced_id, ((st.id)::text)::character varying)::text as student_sourced_id,
    oneroster.score_status(r.score_status, r.score, r.grade) as score_status,
    r.score,
    r.grade::text as text_score,
    coalesce(r.score_date, (r.recorded_at at time zone 'UTC')::date) as score_date,
    r.feedback as comment
   from data.grades r
   join data.assessments x on x.school_id = r.school_id and x.id = r.assessment_id
   join data.students st on st.school_id = r.school_id and st.id = r.student_id;

comment on view oneroster.assessment_results is 'OneRoster assessment results (grades of assessments), soft-deleted ones as tobedeleted.';

-- The rows the writes go through: plain views over the tables, so that a
-- partner's PUT and DELETE run as partner_sync under the tables' own row-level
-- security (db/tenancy/policies.sql) and audit triggers; API roles have no
-- USAGE on schema data.
create or replace view oneroster.assignment_rows with (security_invoker='true') as select * from data.assignments;
create or replace view oneroster.grade_rows with (security_invoker='true') as select * from data.grades;
create or replace view oneroster.category_rows with (security_invoker='true') as select * from data.grade_categories;
create or replace view oneroster.score_scale_rows with (security_invoker='true') as select * from data.score_scales;

-- A rostering object of the caller's school by its OneRoster sourcedId
-- (the partner's, else the row id), whatever roster scope the token holds:
-- a gradebook token names classes and students it may not list.
create or replace function oneroster.roster_id(p_kind text, p_sourced_id text) returns uuid
    language plpgsql stable security definer
    set search_path to ''
    as $$
declare
    found uuid;
begin
    if p_sourced_id is null then
        return null;
    end if;
    if p_kind = 'class' then
        select id into found from data.classes
        where school_id = auth.school_id() and not is_deleted and coalesce(sourced_id, id::text) = p_sourced_id
        order by sourced_id is null, id limit 1;
    elsif p_kind = 'student' then
        select id into found from data.students
        where school_id = auth.school_id() and not is_deleted and coalesce(sourced_id, id::text) = p_sourced_id
        order by sourced_id is null, id limit 1;
    elsif p_kind = 'academicSession' then
        select id into found from data.academic_terms
        where school_id = auth.school_id() and not is_deleted and coalesce(sourced_id, id::text) = p_sourced_id
        order by sourced_id is null, id limit 1;
    end if;
    return found;
end
$$;

comment on function oneroster.roster_id(text, text) is 'The id of a class, student or academic session of the caller''s school, by sourcedId.';

-- A reference a write names: its sourcedId, or a 400 naming what is missing.
create or replace function oneroster.required_ref(p_body jsonb, p_field text) returns text
    language plpgsql immutable
    set search_path to ''
    as $$
begin
    if jsonb_typeof(p_body -> p_field -> 'sourcedId') is distinct from 'string' then
        raise exception 'The % reference (%.sourcedId) is required', p_field, p_field
            using errcode = 'P0001', hint = 'Send {"sourcedId": "..."}.';
    end if;
    return p_body -> p_field ->> 'sourcedId';
end
$$;

-- PUT lineItems/{sourcedId}: creates or replaces the line item (an assignment)
-- keyed by the partner's sourcedId; a deleted one comes back. True when created.
create or replace function oneroster.put_line_item(p_sourced_id text, p_item jsonb) returns boolean
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school uuid := auth.school_id();
    v_class uuid := oneroster.roster_id('class', oneroster.required_ref(p_item, 'class'));
    v_category_ref text := p_item -> 'category' ->> 'sourcedId';
    v_category uuid;
    v_type text;
    v_term uuid := oneroster.roster_id('academicSession',
                                       coalesce(p_item -> 'gradingPeriod' ->> 'sourcedId', p_item -> 'academicSession' ->> 'sourcedId'));
    v_scale uuid;
    v_id uuid;
begin
    if v_class is null then
        raise exception 'No class with sourcedId %', p_item -> 'class' ->> 'sourcedId' using errcode = 'P0001';
    end if;
    if coalesce(btrim(p_item ->> 'title'), '') = '' then
        raise exception 'A line item needs a title' using errcode = 'P0001';
    end if;
    if v_category_ref like 'type:%' and upper(substr(v_category_ref, 6))
            in ('HOMEWORK', 'QUIZ', 'PROJECT', 'ESSAY', 'LAB', 'CLASSWORK', 'OTHER') then
        v_type := upper(substr(v_category_ref, 6));
    end if;
    if v_category_ref is not null then
        select id into v_category from oneroster.category_rows
        where school_id = v_school and sourced_id = v_category_ref and not is_deleted;
        if v_category is null and v_type is null then
            raise exception 'No category with sourcedId %', v_category_ref using errcode = 'P0001';
        end if;
    end if;
    if p_item -> 'scoreScale' ->> 'sourcedId' is not null then
        select id into v_scale from oneroster.score_scale_rows
        where school_id = v_school and sourced_id = p_item -> 'scoreScale' ->> 'sourcedId' and not is_deleted;
        if v_scale is null then
            raise exception 'No score scale with sourcedId %', p_item -> 'scoreScale' ->> 'sourcedId' using errcode = 'P0001';
        end if;
    end if;
    select id into v_id from oneroster.assignment_rows
    where school_id = v_school and sourced_id = p_sourced_id;
    if v_id is null then
        insert into oneroster.assignment_rows
            (school_id, class_id, title, description, assigned_date, due_date, type, category_id, academic_term_id,
             score_scale_id, min_score, max_score, allows_extra_credit, sourced_id)
        values (v_school, v_class, p_item ->> 'title', p_item ->> 'description',
                coalesce((p_item ->> 'assignDate')::timestamptz, now()), (p_item ->> 'dueDate')::timestamptz,
                v_type, v_category, v_term, v_scale, (p_item ->> 'resultValueMin')::numeric,
                (p_item ->> 'resultValueMax')::numeric, true, p_sourced_id);
        return true;
    end if;
    update oneroster.assignment_rows
    set class_id = v_class, title = p_item ->> 'title', description = p_item ->> 'description',
        assigned_date = coalesce((p_item ->> 'assignDate')::timestamptz, assigned_date),
        due_date = (p_item ->> 'dueDate')::timestamptz, type = v_type, category_id = v_category,
        academic_term_id = v_term, score_scale_id = v_scale, min_score = (p_item ->> 'resultValueMin')::numeric,
        max_score = (p_item ->> 'resultValueMax')::numeric, allows_extra_credit = true, is_deleted = false
    where school_id = v_school and id = v_id;
    return false;
end
$$;

-- PUT results/{sourcedId}: creates or replaces the result (a grade of the line
-- item's student) keyed by the partner's sourcedId. True when created.
create or replace function oneroster.put_result(p_sourced_id text, p_result jsonb) returns boolean
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school uuid := auth.school_id();
    v_line_item uuid;
    v_student uuid := oneroster.roster_id('student', oneroster.required_ref(p_result, 'student'));
    v_status text := p_result ->> 'scoreStatus';
    v_id uuid;
begin
    select id into v_line_item from oneroster.assignment_rows
    where school_id = v_school and not is_deleted
      and coalesce(sourced_id, id::text) = oneroster.required_ref(p_result, 'lineItem');
    if v_line_item is null then
        raise exception 'No line item with sourcedId %', p_result -> 'lineItem' ->> 'sourcedId' using errcode = 'P0001';
    end if;
    if v_student is null then
        raise exception 'No student with sourcedId %', p_result -> 'student' ->> 'sourcedId' using errcode = 'P0001';
    end if;
    if v_status is not null and v_status not in ('exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted') then
        raise exception 'scoreStatus % is not one this service records', v_status using errcode = 'P0001',
            hint = 'One of exempt, fully graded, not submitted, partially graded, submitted.';
    end if;
    v_status := upper(replace(v_status, ' ', '_'));
    select id into v_id from oneroster.grade_rows where school_id = v_school and sourced_id = p_sourced_id;
    if v_id is null then
        insert into oneroster.grade_rows
            (school_id, assignment_id, student_id, score, grade, feedback, score_status, score_date, sourced_id)
        values (v_school, v_line_item, v_student, (p_result ->> 'score')::numeric, p_result ->> 'textScore',
                nullif(p_result ->> 'comment', ''), v_status, left(p_result ->> 'scoreDate', 10)::date, p_sourced_id);
        return true;
    end if;
    update oneroster.grade_rows
    set assignment_id = v_line_item, student_id = v_student, score = (p_result ->> 'score')::numeric,
        grade = p_result ->> 'textScore', feedback = nullif(p_result ->> 'comment', ''), score_status = v_status,
        score_date = left(p_result ->> 'scoreDate', 10)::date, recorded_at = now(), is_deleted = false
    where school_id = v_school and id = v_id;
    return false;
end
$$;

-- PUT categories/{sourcedId}. True when created.
create or replace function oneroster.put_category(p_sourced_id text, p_category jsonb) returns boolean
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school uuid := auth.school_id();
    v_id uuid;
begin
    if coalesce(btrim(p_category ->> 'title'), '') = '' then
        raise exception 'A category needs a title' using errcode = 'P0001';
    end if;
    select id into v_id from oneroster.category_rows where school_id = v_school and sourced_id = p_sourced_id;
    if v_id is null then
        insert into oneroster.category_rows (school_id, title, weight, sourced_id)
        values (v_school, p_category ->> 'title', (p_category ->> 'weight')::numeric, p_sourced_id);
        return true;
    end if;
    update oneroster.category_rows
    set title = p_category ->> 'title', weight = (p_category ->> 'weight')::numeric, is_deleted = false
    where school_id = v_school and id = v_id;
    return false;
end
$$;

-- PUT scoreScales/{sourcedId}. True when created.
create or replace function oneroster.put_score_scale(p_sourced_id text, p_scale jsonb) returns boolean
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school uuid := auth.school_id();
    v_class uuid := oneroster.roster_id('class', oneroster.required_ref(p_scale, 'class'));
    v_values jsonb := p_scale -> 'scoreScaleValue';
    v_id uuid;
begin
    if v_class is null then
        raise exception 'No class with sourcedId %', p_scale -> 'class' ->> 'sourcedId' using errcode = 'P0001';
    end if;
    if coalesce(btrim(p_scale ->> 'title'), '') = '' or coalesce(btrim(p_scale ->> 'type'), '') = '' then
        raise exception 'A score scale needs a title and a type' using errcode = 'P0001';
    end if;
    if jsonb_typeof(v_values) is distinct from 'array' or jsonb_array_length(v_values) = 0
       or exists (select from jsonb_array_elements(v_values) v
                  where jsonb_typeof(v -> 'itemValueLHS') is distinct from 'string'
                     or jsonb_typeof(v -> 'itemValueRHS') is distinct from 'string') then
        raise exception 'scoreScaleValue must list at least one {itemValueLHS, itemValueRHS} pair of strings'
            using errcode = 'P0001';
    end if;
    v_values := (select jsonb_agg(jsonb_build_object('itemValueLHS', v ->> 'itemValueLHS', 'itemValueRHS', v ->> 'itemValueRHS'))
                 from jsonb_array_elements(v_values) v);
    select id into v_id from oneroster.score_scale_rows where school_id = v_school and sourced_id = p_sourced_id;
    if v_id is null then
        insert into oneroster.score_scale_rows (school_id, title, type, class_id, scale_values, sourced_id)
        values (v_school, p_scale ->> 'title', p_scale ->> 'type', v_class, v_values, p_sourced_id);
        return true;
    end if;
    update oneroster.score_scale_rows
    set title = p_scale ->> 'title', type = p_scale ->> 'type', class_id = v_class, scale_values = v_values,
        is_deleted = false
    where school_id = v_school and id = v_id;
    return false;
end
$$;

-- DELETE <collection>/{sourcedId}: the row is marked deleted (soft delete,
-- db/lifecycle/soft_delete.sql) and reads answer it as tobedeleted. A live
-- object that is not there (or of another school: RLS) is a 404 (P0002).
create or replace function oneroster.delete_object(p_kind text, p_sourced_id text) returns void
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school uuid := auth.school_id();
    v_id uuid;
begin
    if p_kind = 'lineItems' then
        select id into v_id from oneroster.assignment_rows
        where school_id = v_school and not is_deleted and coalesce(sourced_id, id::text) = p_sourced_id;
        delete from oneroster.assignment_rows where school_id = v_school and id = v_id;
    elsif p_kind = 'results' then
        select id into v_id from oneroster.grade_rows
        where school_id = v_school and not is_deleted and assignment_id is not null
          and coalesce(sourced_id, id::text) = p_sourced_id;
        delete from oneroster.grade_rows where school_id = v_school and id = v_id;
    elsif p_kind = 'categories' then
        select id into v_id from oneroster.category_rows
        where school_id = v_school and not is_deleted and coalesce(sourced_id, id::text) = p_sourced_id;
        delete from oneroster.category_rows where school_id = v_school and id = v_id;
    elsif p_kind = 'scoreScales' then
        select id into v_id from oneroster.score_scale_rows
        where school_id = v_school and not is_deleted and coalesce(sourced_id, id::text) = p_sourced_id;
        delete from oneroster.score_scale_rows where school_id = v_school and id = v_id;
    end if;
    if v_id is null then
        raise exception 'No object with sourcedId %', p_sourced_id using errcode = 'P0002';
    end if;
end
$$;
