-- OneRoster 1.2 read views (schema oneroster), read by the OneRoster REST
-- routes only.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

create or replace view oneroster.academic_sessions with (security_invoker='true') as
 select t.id,
    t.school_id,
    coalesce(t.sourced_id, ((t.id)::text)::character varying) as sourced_id,
        case
            when t.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    t.updated_at as date_last_modified,
    t.name as title,
        case t.type
            when 'YEAR'::text then 'schoolYear'::text
            when 'SEMESTER'::text then 'semester'::text
            when 'GRADING_PERIOD'::text then 'gradingPeriod'::text
            else 'term'::text
        end as type,
    t.start_date,
    t.end_date,
    ((extract(year from t.end_date))::integer)::text as school_year,
    t.parent_id,
    coalesce(p.sourced_id, ((p.id)::text)::character varying) as parent_sourced_id,
    array( select coalesce(c.sourced_id, ((c.id)::text)::character varying) as "coalesce"
           from data.academic_terms c
          where ((c.school_id = t.school_id) and (c.parent_id = t.id) and (not c.is_deleted))
          order by c.start_date, c.id) as children_sourced_ids,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as org_sourced_id,
    -- The imported row's extension columns (m0057): the objects' `metadata`.
    t.metadata
   from ((data.academic_terms t
     join data.schools s on ((s.id = t.school_id)))
     left join data.academic_terms p on (((p.school_id = t.school_id) and (p.id = t.parent_id))));

comment on view oneroster.academic_sessions is 'OneRoster academicSessions (terms), soft-deleted ones as tobedeleted.';

create or replace view oneroster.agents with (security_invoker='true') as
 select sp.school_id,
    sp.student_id as user_id,
    pa.id as agent_id,
    coalesce(pa.sourced_id, ((pa.id)::text)::character varying) as agent_sourced_id
   from (data.student_parents sp
     join data.parents pa on (((pa.school_id = sp.school_id) and (pa.id = sp.parent_id))))
  where (not pa.is_deleted)
union all
 select sp.school_id,
    sp.parent_id as user_id,
    st.id as agent_id,
    coalesce(st.sourced_id, ((st.id)::text)::character varying) as agent_sourced_id
   from (data.student_parents sp
     join data.students st on (((st.school_id = sp.school_id) and (st.id = sp.student_id))))
  where (not st.is_deleted);

comment on view oneroster.agents is 'OneRoster agents: the parents of each student and the children of each parent.';

create or replace view oneroster.classes with (security_invoker='true') as
 select c.id,
    c.school_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying) as sourced_id,
        case
            when c.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    c.updated_at as date_last_modified,
    c.name as title,
    c.name as class_code,
    'scheduled'::text as class_type,
    r.name as location,
    -- a class without a subject has a course of its own (oneroster.courses)
    coalesce(c.subject_id, c.id) as course_id,
    coalesce(sj.sourced_id, ((sj.id)::text)::character varying,
             ((coalesce(c.sourced_id, ((c.id)::text)::character varying))::text || ':course')::character varying) as course_sourced_id,
    c.academic_term_id as term_id,
    coalesce(t.sourced_id, ((t.id)::text)::character varying) as term_sourced_id,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as school_sourced_id,
    c.teacher_id,
    c.metadata
   from ((((data.classes c
     join data.schools s on ((s.id = c.school_id)))
     left join data.subjects sj on (((sj.school_id = c.school_id) and (sj.id = c.subject_id))))
     left join data.academic_terms t on (((t.school_id = c.school_id) and (t.id = c.academic_term_id))))
     left join data.rooms r on (((r.school_id = c.school_id) and (r.id = c.room_id))));

comment on view oneroster.classes is 'OneRoster classes, soft-deleted ones as tobedeleted.';

create or replace view oneroster.courses with (security_invoker='true') as
 select c.id,
    c.school_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying) as sourced_id,
        case
            when c.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    c.updated_at as date_last_modified,
    c.name as title,
    c.code as course_code,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as org_sourced_id,
    c.metadata
   from (data.subjects c
     join data.schools s on ((s.id = c.school_id)))
-- OneRoster 1.2 requires a course on every class (issue 17), but a class here
-- may have no subject: such a class is served with a course of its own,
-- derived from it (sourcedId = the class's sourcedId || ':course', title = its
-- name, courseCode its first 50 characters, its status and dateLastModified).
-- Its id is the class's id, so GET /courses/{id}/classes finds the class.
union all
 select k.id,
    k.school_id,
    ((coalesce(k.sourced_id, ((k.id)::text)::character varying))::text || ':course')::character varying,
        case
            when k.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end,
    k.updated_at,
    k.name,
    (left((k.name)::text, 50))::character varying(50),
    coalesce(s.sourced_id, ((s.id)::text)::character varying),
    null::jsonb
   from (data.classes k
     join data.schools s on ((s.id = k.school_id)))
  where (k.subject_id is null);

comment on view oneroster.courses is 'OneRoster courses (subjects; a class without a subject has a course of its own), soft-deleted ones as tobedeleted.';

-- Demographics: the students' rows the policies let through (a read scope),
-- and only for a caller that may read demographics too.
create or replace view oneroster.demographics with (security_invoker='true') as
 select id,
    school_id,
    coalesce(sourced_id, ((id)::text)::character varying) as sourced_id,
        case
            when is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    updated_at as date_last_modified,
    date_of_birth as birth_date,
        case gender
            when 'FEMALE'::text then 'female'::text
            when 'MALE'::text then 'male'::text
            when 'UNDISCLOSED'::text then 'unspecified'::text
            when 'NON_BINARY'::text then 'other'::text
            when 'OTHER'::text then 'other'::text
            else null::text
        end as sex
   from data.students p
  where ( select auth.may_read_demographics() as may_read_demographics);

comment on view oneroster.demographics is 'OneRoster demographics of students, soft-deleted ones as tobedeleted.';

create or replace view oneroster.enrollments with (security_invoker='true') as
 select e.id,
    e.school_id,
    coalesce(e.sourced_id, ((e.id)::text)::character varying) as sourced_id,
        case
            when (st.is_deleted or c.is_deleted) then 'tobedeleted'::text
            else 'active'::text
        end as status,
        case
            when (st.is_deleted or c.is_deleted) then greatest(e.updated_at, st.updated_at, c.updated_at)
            else e.updated_at
        end as date_last_modified,
    'student'::text as role,
    false as is_primary,
    e.enrollment_date as begin_date,
    e.completion_date as end_date,
    e.student_id as user_id,
    coalesce(st.sourced_id, ((st.id)::text)::character varying) as user_sourced_id,
    e.class_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying) as class_sourced_id,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as school_sourced_id,
    e.metadata
   from (((data.enrollments e
     join data.students st on (((st.school_id = e.school_id) and (st.id = e.student_id))))
     join data.classes c on (((c.school_id = e.school_id) and (c.id = e.class_id))))
     join data.schools s on ((s.id = e.school_id)))
union all
 select c.id,
    c.school_id,
    (((coalesce(c.sourced_id, ((c.id)::text)::character varying))::text || ':'::text) || (coalesce(t.sourced_id, ((t.id)::text)::character varying))::text) as sourced_id,
        case
            when (t.is_deleted or c.is_deleted) then 'tobedeleted'::text
            else 'active'::text
        end as status,
    greatest(c.updated_at, t.updated_at) as date_last_modified,
    'teacher'::text as role,
    true as is_primary,
    null::date as begin_date,
    null::date as end_date,
    t.id as user_id,
    coalesce(t.sourced_id, ((t.id)::text)::character varying) as user_sourced_id,
    c.id as class_id,
    coalesce(c.sourced_id, ((c.id)::text)::character varying) as class_sourced_id,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as school_sourced_id,
    null::jsonb as metadata
   from ((data.classes c
     join data.teachers t on (((t.school_id = c.school_id) and (t.id = c.teacher_id))))
     join data.schools s on ((s.id = c.school_id)));

comment on view oneroster.enrollments is 'OneRoster enrollments (students and class teachers), tobedeleted when their person or class is deleted.';

create or replace view oneroster.orgs with (security_invoker='true') as
 select id,
    id as school_id,
    coalesce(sourced_id, ((id)::text)::character varying) as sourced_id,
    'active'::text as status,
    updated_at as date_last_modified,
    name,
    'school'::text as type,
    metadata
   from data.schools s;

comment on view oneroster.orgs is 'OneRoster orgs: the caller''s school (read by the OneRoster REST endpoints).';

create or replace view oneroster.users with (security_invoker='true') as
 select p.id,
    p.school_id,
    coalesce(p.sourced_id, ((p.id)::text)::character varying) as sourced_id,
        case
            when p.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    greatest(p.updated_at, u.updated_at) as date_last_modified,
    'student'::text as role,
    coalesce((u.is_active and (not u.is_deleted)), true) as enabled_user,
    coalesce(u.email, p.student_number) as username,
    p.first_name as given_name,
    p.last_name as family_name,
    u.email,
    p.student_number as identifier,
    null::text as phone,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as org_sourced_id,
    u.metadata
   from ((data.students p
     join data.schools s on ((s.id = p.school_id)))
     left join data.users u on (((u.school_id = p.school_id) and (u.id = p.user_id))))
union all
 select p.id,
    p.school_id,
    coalesce(p.sourced_id, ((p.id)::text)::character varying) as sourced_id,
        case
            when p.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    greatest(p.updated_at, u.updated_at) as date_last_modified,
    'teacher'::text as role,
    coalesce((u.is_active and (not u.is_deleted)), true) as enabled_user,
    coalesce(u.email, p.employee_id) as username,
    p.first_name as given_name,
    p.last_name as family_name,
    u.email,
    p.employee_id as identifier,
    p.contact_phone as phone,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as org_sourced_id,
    u.metadata
   from ((data.teachers p
     join data.schools s on ((s.id = p.school_id)))
     left join data.users u on (((u.school_id = p.school_id) and (u.id = p.user_id))))
union all
 select p.id,
    p.school_id,
    coalesce(p.sourced_id, ((p.id)::text)::character varying) as sourced_id,
        case
            when p.is_deleted then 'tobedeleted'::text
            else 'active'::text
        end as status,
    greatest(p.updated_at, u.updated_at) as date_last_modified,
        case p.relation_to_student
            when 'GUARDIAN'::text then 'guardian'::text
            when 'MOTHER'::text then 'parent'::text
            when 'FATHER'::text then 'parent'::text
            else 'relative'::text
        end as role,
    coalesce((u.is_active and (not u.is_deleted)), true) as enabled_user,
    coalesce(u.email, p.contact_email) as username,
    p.first_name as given_name,
    p.last_name as family_name,
    coalesce(u.email, p.contact_email) as email,
    null::text as identifier,
    p.contact_phone as phone,
    coalesce(s.sourced_id, ((s.id)::text)::character varying) as org_sourced_id,
    u.metadata
   from ((data.parents p
     join data.schools s on ((s.id = p.school_id)))
     left join data.users u on (((u.school_id = p.school_id) and (u.id = p.user_id))));

comment on view oneroster.users is 'OneRoster users (students, teachers, parents), soft-deleted ones as tobedeleted.';

-- Page keys (issue 17): each OneRoster collection's live rows by source table,
-- keyed as the views above key them (sourced_id, then id). A page walks these
-- in the order of m0056's indexes, merges them and cuts its LIMIT before the
-- view builds its 100 rows (gateway/oneroster/render.py `_keys`): the union
-- views themselves are planned as subqueries, so the page sorted the school.
-- One table each (the class teachers' rows excepted: one per class), so each
-- is pulled up into the page's query and read by index. The people's views
-- also carry family_name: `sort=familyName` walks m0059's indexes the same way.
create or replace view oneroster.student_keys with (security_invoker='true') as
 select k.school_id, coalesce(k.sourced_id, ((k.id)::text)::character varying) as sid, k.id,
    k.last_name as family_name
   from data.students k
  where (not k.is_deleted);

create or replace view oneroster.teacher_keys with (security_invoker='true') as
 select k.school_id, coalesce(k.sourced_id, ((k.id)::text)::character varying) as sid, k.id,
    k.last_name as family_name
   from data.teachers k
  where (not k.is_deleted);

create or replace view oneroster.parent_keys with (security_invoker='true') as
 select k.school_id, coalesce(k.sourced_id, ((k.id)::text)::character varying) as sid, k.id,
    k.last_name as family_name
   from data.parents k
  where (not k.is_deleted);

create or replace view oneroster.class_keys with (security_invoker='true') as
 select k.school_id, coalesce(k.sourced_id, ((k.id)::text)::character varying) as sid, k.id
   from data.classes k
  where (not k.is_deleted);

create or replace view oneroster.enrollment_keys with (security_invoker='true') as
 select k.school_id, coalesce(k.sourced_id, ((k.id)::text)::character varying) as sid, k.id
   from data.enrollments k
  -- NOT IN over the few deleted rows, not EXISTS over the live ones: a hashed
  -- subplan filters the index walk and keeps its order, where a semi-join
  -- over 100,000 students made the planner hash and sort the whole table.
  where (k.student_id <> all (array( select st.id from data.students st where st.is_deleted)))
    and (k.class_id <> all (array( select c.id from data.classes c where c.is_deleted)));

create or replace view oneroster.class_teacher_keys with (security_invoker='true') as
 select k.school_id,
    ((((coalesce(k.sourced_id, ((k.id)::text)::character varying))::text || ':'::text) || (coalesce(t.sourced_id, ((t.id)::text)::character varying))::text))::character varying as sid,
    k.id
   from (data.classes k
     join data.teachers t on (((t.school_id = k.school_id) and (t.id = k.teacher_id))))
  where ((not k.is_deleted) and (not t.is_deleted));

comment on view oneroster.enrollment_keys is 'Page keys of OneRoster enrollments: students'' enrollments whose student and class are live.';
comment on view oneroster.class_teacher_keys is 'Page keys of OneRoster enrollments: class teachers (sourcedId class:teacher).';

-- PostgreSQL database dump complete
