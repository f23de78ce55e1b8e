-- OneRoster 1.2 read paths (gateway/oneroster): one view per OneRoster object
-- type, in OneRoster's vocabulary, over the roster tables.
--
-- Why not the plain api views: a OneRoster delta read
-- (filter=dateLastModified>'...') must return soft-deleted rows as
-- status 'tobedeleted', and the api views hide them. These views keep them and
-- say so in `status`; the gateway shows them only to delta readers.
--
-- Tenancy: security_invoker, so the caller's privileges on the data tables and
-- their forced RLS policies apply exactly as through the api views (a partner
-- or an admin sees its own school's rows, nothing else). Only school_admin and
-- partner_sync may select; both already hold select on every table read here,
-- and every table read here is a roster table (no pastoral, finance or audit
-- data reaches a partner).
--
-- sourced_id: the partner's sourcedId when the record came from a sync,
-- otherwise the row's own id, so every record has a stable sourcedId.
-- id / *_id columns: internal keys for the nested collections
-- (classes/{id}/students ...); the gateway never shows them.

create view api.oneroster_orgs with (security_invoker = true) as
    select s.id,
           s.id as school_id,
           coalesce(s.sourced_id, s.id::text) as sourced_id,
           'active'::text as status,
           s.updated_at as date_last_modified,
           s.name,
           'school'::text as type
    from data.schools s;
comment on view api.oneroster_orgs is 'OneRoster orgs: the caller''s school (read by the OneRoster REST endpoints).';

create view api.oneroster_academic_sessions with (security_invoker = true) as
    select t.id,
           t.school_id,
           coalesce(t.sourced_id, t.id::text) as sourced_id,
           case when t.is_deleted then 'tobedeleted' else 'active' end as status,
           t.updated_at as date_last_modified,
           t.name as title,
           case t.type
               when 'YEAR' then 'schoolYear'
               when 'SEMESTER' then 'semester'
               when 'GRADING_PERIOD' then 'gradingPeriod'
               else 'term'  -- TERM, TRIMESTER, QUARTER: OneRoster's closest type
           end as type,
           t.start_date,
           t.end_date,
           -- OneRoster's schoolYear: the year in which the school year ends.
           extract(year from t.end_date)::int::text as school_year,
           t.parent_id,
           coalesce(p.sourced_id, p.id::text) as parent_sourced_id,
           array(select coalesce(c.sourced_id, c.id::text)
                 from data.academic_terms c
                 where c.school_id = t.school_id and c.parent_id = t.id and not c.is_deleted
                 order by c.start_date, c.id) as children_sourced_ids,
           coalesce(s.sourced_id, s.id::text) as org_sourced_id
    from data.academic_terms t
    join data.schools s on s.id = t.school_id
    left join data.academic_terms p on p.school_id = t.school_id and p.id = t.parent_id;
comment on view api.oneroster_academic_sessions is 'OneRoster academicSessions (terms), soft-deleted ones as tobedeleted.';

create view api.oneroster_courses with (security_invoker = true) as
    select c.id,
           c.school_id,
           coalesce(c.sourced_id, c.id::text) as sourced_id,
           case when c.is_deleted then 'tobedeleted' else 'active' end as status,
           c.updated_at as date_last_modified,
           c.name as title,
           c.code as course_code,
           coalesce(s.sourced_id, s.id::text) as org_sourced_id
    from data.subjects c
    join data.schools s on s.id = c.school_id;
comment on view api.oneroster_courses is 'OneRoster courses (subjects), soft-deleted ones as tobedeleted.';

create view api.oneroster_classes with (security_invoker = true) as
    select c.id,
           c.school_id,
           coalesce(c.sourced_id, c.id::text) as sourced_id,
           case when c.is_deleted then 'tobedeleted' else 'active' end as status,
           c.updated_at as date_last_modified,
           c.name as title,
           c.name as class_code,
           'scheduled'::text as class_type,
           r.name as location,
           c.subject_id as course_id,
           coalesce(sj.sourced_id, sj.id::text) as course_sourced_id,
           c.academic_term_id as term_id,
           coalesce(t.sourced_id, t.id::text) as term_sourced_id,
           coalesce(s.sourced_id, s.id::text) as school_sourced_id,
           c.teacher_id
    from data.classes c
    join data.schools s on s.id = c.school_id
    left join data.subjects sj on sj.school_id = c.school_id and sj.id = c.subject_id
    left join data.academic_terms t on t.school_id = c.school_id and t.id = c.academic_term_id
    left join data.rooms r on r.school_id = c.school_id and r.id = c.room_id;
comment on view api.oneroster_classes is 'OneRoster classes, soft-deleted ones as tobedeleted.';

-- A OneRoster user is a person: a student, a teacher or a parent, each with
-- their login (data.users) when they have one. Admin logins are not roster.
-- dateLastModified is the later of the profile's and the login's change, so a
-- deactivated login (enabledUser false) reaches a delta reader.
create view api.oneroster_users with (security_invoker = true) as
    select p.id,
           p.school_id,
           coalesce(p.sourced_id, p.id::text) as sourced_id,
           case when p.is_deleted then 'tobedeleted' else 'active' end as status,
           greatest(p.updated_at, u.updated_at) as date_last_modified,
           'student'::text as role,
           coalesce(u.is_active and not u.is_deleted, true) as enabled_user,
           coalesce(u.email, p.student_number) as username,
           p.first_name as given_name,
           p.last_name as family_name,
           u.email,
           p.student_number as identifier,
           null::text as phone,
           coalesce(s.sourced_id, s.id::text) as org_sourced_id
    from data.students p
    join data.schools s on s.id = p.school_id
    left join data.users u on u.school_id = p.school_id and u.id = p.user_id
    union all
    select p.id,
           p.school_id,
           coalesce(p.sourced_id, p.id::text),
           case when p.is_deleted then 'tobedeleted' else 'active' end,
           greatest(p.updated_at, u.updated_at),
           'teacher'::text,
           coalesce(u.is_active and not u.is_deleted, true),
           coalesce(u.email, p.employee_id),
           p.first_name,
           p.last_name,
           u.email,
           p.employee_id,
           p.contact_phone,
           coalesce(s.sourced_id, s.id::text)
    from data.teachers p
    join data.schools s on s.id = p.school_id
    left join data.users u on u.school_id = p.school_id and u.id = p.user_id
    union all
    select p.id,
           p.school_id,
           coalesce(p.sourced_id, p.id::text),
           case when p.is_deleted then 'tobedeleted' else 'active' end,
           greatest(p.updated_at, u.updated_at),
           case p.relation_to_student
               when 'GUARDIAN' then 'guardian'
               when 'MOTHER' then 'parent'
               when 'FATHER' then 'parent'
               else 'relative'  -- GRANDPARENT, SIBLING, OTHER
           end,
           coalesce(u.is_active and not u.is_deleted, true),
           coalesce(u.email, p.contact_email),
           p.first_name,
           p.last_name,
           coalesce(u.email, p.contact_email),
           null::text,
           p.contact_phone,
           coalesce(s.sourced_id, s.id::text)
    from data.parents p
    join data.schools s on s.id = p.school_id
    left join data.users u on u.school_id = p.school_id and u.id = p.user_id;
comment on view api.oneroster_users is 'OneRoster users (students, teachers, parents), soft-deleted ones as tobedeleted.';

-- A user's agents (OneRoster's word for the other side of student_parents): a
-- student's parents, a parent's children, live ones only. A view of its own,
-- not an array column of oneroster_users: a column would be computed for every
-- row a page sorts or counts, this only for the rows a page shows.
create view api.oneroster_agents with (security_invoker = true) as
    select sp.school_id,
           sp.student_id as user_id,
           pa.id as agent_id,
           coalesce(pa.sourced_id, pa.id::text) as agent_sourced_id
    from data.student_parents sp
    join data.parents pa on pa.school_id = sp.school_id and pa.id = sp.parent_id
    where not pa.is_deleted
    union all
    select sp.school_id,
           sp.parent_id,
           st.id,
           coalesce(st.sourced_id, st.id::text)
    from data.student_parents sp
    join data.students st on st.school_id = sp.school_id and st.id = sp.student_id
    where not st.is_deleted;
comment on view api.oneroster_agents is 'OneRoster agents: the parents of each student and the children of each parent.';

-- Students only: the school records birth date and gender for students alone.
create view api.oneroster_demographics with (security_invoker = true) as
    select p.id,
           p.school_id,
           coalesce(p.sourced_id, p.id::text) as sourced_id,
           case when p.is_deleted then 'tobedeleted' else 'active' end as status,
           p.updated_at as date_last_modified,
           p.date_of_birth as birth_date,
           case p.gender
               when 'FEMALE' then 'female'
               when 'MALE' then 'male'
               when 'UNDISCLOSED' then 'unspecified'
               when 'NON_BINARY' then 'other'
               when 'OTHER' then 'other'
           end as sex
    from data.students p;
comment on view api.oneroster_demographics is 'OneRoster demographics of students, soft-deleted ones as tobedeleted.';

-- Students' enrollments (data.enrollments), and one teacher enrollment per
-- class that has a teacher (data.classes.teacher_id). An enrollment is
-- tobedeleted when its student, teacher or class is; it then carries the later
-- change time, so a delta reader sees it go. (data.enrollments has no soft
-- delete: a deleted enrollment row is gone, and a delta cannot report it.)
-- A teacher enrollment's sourcedId joins the class's and the teacher's ids: a
-- new teacher makes a new enrollment.
create view api.oneroster_enrollments with (security_invoker = true) as
    select e.id,
           e.school_id,
           coalesce(e.sourced_id, e.id::text) as sourced_id,
           case when st.is_deleted or c.is_deleted then 'tobedeleted' else 'active' end as status,
           case when st.is_deleted or c.is_deleted then greatest(e.updated_at, st.updated_at, c.updated_at)
                else e.updated_at end as date_last_modified,
           'student'::text as role,
           false as is_primary,
           e.enrollment_date as begin_date,
           e.completion_date as end_date,
           e.student_id as user_id,
           coalesce(st.sourced_id, st.id::text) as user_sourced_id,
           e.class_id,
           coalesce(c.sourced_id, c.id::text) as class_sourced_id,
           coalesce(s.sourced_id, s.id::text) as school_sourced_id
    from data.enrollments e
    join data.students st on st.school_id = e.school_id and st.id = e.student_id
    join data.classes c on c.school_id = e.school_id and c.id = e.class_id
    join data.schools s on s.id = e.school_id
    union all
    select c.id,
           c.school_id,
           coalesce(c.sourced_id, c.id::text) || ':' || coalesce(t.sourced_id, t.id::text),
           case when t.is_deleted or c.is_deleted then 'tobedeleted' else 'active' end,
           greatest(c.updated_at, t.updated_at),
           'teacher'::text,
           true,
           null::date,
           null::date,
           t.id,
           coalesce(t.sourced_id, t.id::text),
           c.id,
           coalesce(c.sourced_id, c.id::text),
           coalesce(s.sourced_id, s.id::text)
    from data.classes c
    join data.teachers t on t.school_id = c.school_id and t.id = c.teacher_id
    join data.schools s on s.id = c.school_id;
comment on view api.oneroster_enrollments is 'OneRoster enrollments (students and class teachers), tobedeleted when their person or class is deleted.';

grant select on table
    api.oneroster_orgs, api.oneroster_academic_sessions, api.oneroster_courses, api.oneroster_classes,
    api.oneroster_users, api.oneroster_agents, api.oneroster_demographics, api.oneroster_enrollments
    to school_admin, partner_sync;

-- A OneRoster read names records by sourcedId, which for a record created here
-- is its id: the views' `sourced_id = $n` is this expression, keyed with the
-- school the policies add, so a lookup is an index scan, not a school scan.
create index students_oneroster_sourced_id on data.students (school_id, (coalesce(sourced_id, id::text)));
create index teachers_oneroster_sourced_id on data.teachers (school_id, (coalesce(sourced_id, id::text)));
create index parents_oneroster_sourced_id on data.parents (school_id, (coalesce(sourced_id, id::text)));
create index academic_terms_oneroster_sourced_id on data.academic_terms (school_id, (coalesce(sourced_id, id::text)));
create index subjects_oneroster_sourced_id on data.subjects (school_id, (coalesce(sourced_id, id::text)));
create index classes_oneroster_sourced_id on data.classes (school_id, (coalesce(sourced_id, id::text)));
create index enrollments_oneroster_sourced_id on data.enrollments (school_id, (coalesce(sourced_id, id::text)));
