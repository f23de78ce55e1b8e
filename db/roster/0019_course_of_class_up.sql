-- Every OneRoster class has a course (the 1.2 schema requires `course`), but a
-- class here may have no subject. Such a class is served with a course of its
-- own, derived from it: sourcedId = the class's sourcedId || ':course', title
-- = the class's name, courseCode its first 50 characters, the same status and dateLastModified. It
-- is listed at /courses like any course and GET /courses/{id}/classes finds
-- its class (its id is the class's id, and the class's course_id points at it).
create or replace view oneroster.courses with (security_invoker = true) as
    select c.id,
           c.school_id,
           coalesce(c.sourced_id, c.id::text) as sourced_id,
           case when c.is_deleted then 'tobedeleted' else 'active' end as status,
           c.updated_at as date_last_modified,
           c.name as title,
           c.code as course_code,
           coalesce(s.sourced_id, s.id::text) as org_sourced_id
    from data.subjects c
    join data.schools s on s.id = c.school_id
    union all
    select k.id,
           k.school_id,
           coalesce(k.sourced_id, k.id::text) || ':course',
           case when k.is_deleted then 'tobedeleted' else 'active' end,
           k.updated_at,
           k.name,
           left(k.name, 50)::varchar(50),  -- the type of subjects.code
           coalesce(s.sourced_id, s.id::text)
    from data.classes k
    join data.schools s on s.id = k.school_id
    where k.subject_id is null;

create or replace view oneroster.classes with (security_invoker = true) as
    select c.id,
           c.school_id,
           coalesce(c.sourced_id, c.id::text) as sourced_id,
           case when c.is_deleted then 'tobedeleted' else 'active' end as status,
           c.updated_at as date_last_modified,
           c.name as title,
           c.name as class_code,
           'scheduled'::text as class_type,
           r.name as location,
           coalesce(c.subject_id, c.id) as course_id,
           coalesce(sj.sourced_id, sj.id::text, coalesce(c.sourced_id, c.id::text) || ':course') as course_sourced_id,
           c.academic_term_id as term_id,
           coalesce(t.sourced_id, t.id::text) as term_sourced_id,
           coalesce(s.sourced_id, s.id::text) as school_sourced_id,
           c.teacher_id
    from data.classes c
    join data.schools s on s.id = c.school_id
    left join data.subjects sj on sj.school_id = c.school_id and sj.id = c.subject_id
    left join data.academic_terms t on t.school_id = c.school_id and t.id = c.academic_term_id
    left join data.rooms r on r.school_id = c.school_id and r.id = c.room_id;
