-- Back to the definitions of oneroster_views_up.sql: a class without a subject has no course.
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
    join data.schools s on s.id = c.school_id;
