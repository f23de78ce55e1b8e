-- Computed fields and relationships of the api views, and the RPC
-- search_students.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

create or replace function api.current_classes(api.students) returns setof api.classes
    language sql stable
    set search_path to ''
    as $_$
    select c.*
    from api.classes c
    where c.school_id = $1.school_id
      and exists (select from api.enrollments e
                  where e.school_id = $1.school_id and e.class_id = c.id and e.student_id = $1.id
                    and (e.completion_date is null or e.completion_date >= current_date))
      and exists (select from api.academic_terms t
                  where t.school_id = $1.school_id and t.is_current
                    and c.academic_term_id in (t.id, t.parent_id))
$_$;

comment on function api.current_classes(api.students) is 'The classes of the current term (or of the year enclosing it) the student is enrolled in and has not completed: a to-many computed relationship of students.';

create or replace function api.current_classes(api.teachers) returns setof api.classes
    language sql stable
    set search_path to ''
    as $_$
    select c.*
    from api.classes c
    where c.school_id = $1.school_id and c.teacher_id = $1.id
      and exists (select from api.academic_terms t
                  where t.school_id = $1.school_id and t.is_current
                    and c.academic_term_id in (t.id, t.parent_id))
$_$;

comment on function api.current_classes(api.teachers) is 'The classes of the current term (or of the year enclosing it) the teacher teaches: a to-many computed relationship of teachers.';

-- At most one term per school is current (the unique index of m0006), so
-- `rows 1` is true and the embed is to-one.
create or replace function api.current_term(api.schools) returns setof api.academic_terms
    language sql stable rows 1
    set search_path to ''
    as $_$
    select t.*
    from api.academic_terms t
    where t.school_id = $1.id and t.is_current
$_$;

comment on function api.current_term(api.schools) is 'The school''s current academic term, or none: a to-one computed relationship of schools.';

create or replace function api.full_name(api.parents) returns text
    language sql stable
    as $_$
    select pg_catalog.concat_ws(' ', $1.first_name, $1.last_name)
$_$;

comment on function api.full_name(api.parents) is 'The parent''s first and last name, as one string: a computed field of parents.';

create or replace function api.full_name(api.students) returns text
    language sql stable
    as $_$
    select pg_catalog.concat_ws(' ', $1.first_name, $1.last_name)
$_$;

comment on function api.full_name(api.students) is 'The student''s first and last name, as one string: a computed field of students.';

create or replace function api.full_name(api.teachers) returns text
    language sql stable
    as $_$
    select pg_catalog.concat_ws(' ', $1.first_name, $1.last_name)
$_$;

comment on function api.full_name(api.teachers) is 'The teacher''s first and last name, as one string: a computed field of teachers.';

create or replace function api.schools(api.audit_log) returns setof api.schools
    language sql stable rows 1
    set search_path to ''
    as $_$
    select s.* from api.schools s where s.id = $1.school_id
$_$;

comment on function api.schools(api.audit_log) is 'The school of the audited row: a to-one computed relationship of audit_log.';

create or replace function api.schools(api.enrollments) returns setof api.schools
    language sql stable rows 1
    set search_path to ''
    as $_$
    select s.* from api.schools s where s.id = $1.school_id
$_$;

comment on function api.schools(api.enrollments) is 'The enrollment''s school: a to-one computed relationship of enrollments (its key to schools is implied by its keys to students and classes).';

-- Not a computed field: an RPC (a named parameter) a dashboard's search box
-- calls, `/rpc/search_students?search=ann&select=id,full_name,classes(name)`.
-- Its rows are students, so the result embeds and selects like a read of
-- api.students. Case-insensitive substring of the full name or the student
-- number; strpos, not LIKE, so `%` and `_` in the search are plain characters.
create or replace function api.search_students(search text) returns setof api.students
    language sql stable
    set search_path to ''
    as $$
    select s.*
    from api.students s
    where strpos(lower(concat_ws(' ', s.first_name, s.last_name, s.student_number)), lower(search)) > 0
    order by s.last_name, s.first_name, s.id
$$;

comment on function api.search_students(search text) is 'Students whose name or student number contains the search text (any case), by last name.';

revoke all on function api.current_classes(api.students) from public;
grant all on function api.current_classes(api.students) to school_admin;
grant all on function api.current_classes(api.students) to teacher;
grant all on function api.current_classes(api.students) to parent;
grant all on function api.current_classes(api.students) to student;
grant all on function api.current_classes(api.students) to partner_sync;
grant all on function api.current_classes(api.students) to reporting;

revoke all on function api.current_classes(api.teachers) from public;
grant all on function api.current_classes(api.teachers) to school_admin;
grant all on function api.current_classes(api.teachers) to teacher;
grant all on function api.current_classes(api.teachers) to partner_sync;
grant all on function api.current_classes(api.teachers) to reporting;

revoke all on function api.current_term(api.schools) from public;
grant all on function api.current_term(api.schools) to school_admin;
grant all on function api.current_term(api.schools) to teacher;
grant all on function api.current_term(api.schools) to parent;
grant all on function api.current_term(api.schools) to student;
grant all on function api.current_term(api.schools) to partner_sync;
grant all on function api.current_term(api.schools) to reporting;

revoke all on function api.full_name(api.parents) from public;
grant all on function api.full_name(api.parents) to school_admin;
grant all on function api.full_name(api.parents) to parent;
grant all on function api.full_name(api.parents) to partner_sync;
grant all on function api.full_name(api.parents) to reporting;

revoke all on function api.full_name(api.students) from public;
grant all on function api.full_name(api.students) to school_admin;
grant all on function api.full_name(api.students) to teacher;
grant all on function api.full_name(api.students) to parent;
grant all on function api.full_name(api.students) to student;
grant all on function api.full_name(api.students) to partner_sync;
grant all on function api.full_name(api.students) to reporting;

revoke all on function api.full_name(api.teachers) from public;
grant all on function api.full_name(api.teachers) to school_admin;
grant all on function api.full_name(api.teachers) to teacher;
grant all on function api.full_name(api.teachers) to partner_sync;
grant all on function api.full_name(api.teachers) to reporting;

revoke all on function api.schools(api.audit_log) from public;
grant all on function api.schools(api.audit_log) to school_admin;

revoke all on function api.schools(api.enrollments) from public;
grant all on function api.schools(api.enrollments) to school_admin;
grant all on function api.schools(api.enrollments) to teacher;
grant all on function api.schools(api.enrollments) to parent;
grant all on function api.schools(api.enrollments) to student;
grant all on function api.schools(api.enrollments) to partner_sync;
grant all on function api.schools(api.enrollments) to reporting;

revoke all on function api.search_students(search text) from public;
grant all on function api.search_students(search text) to school_admin;
grant all on function api.search_students(search text) to teacher;
grant all on function api.search_students(search text) to parent;
grant all on function api.search_students(search text) to student;
-- Its rows carry the demographics columns (`select s.*`): a partner calls it
-- only with a demographics scope (issue 13, F2).
revoke all on function api.search_students(search text) from partner_sync;
grant all on function api.search_students(search text) to partner_demographics;
grant all on function api.search_students(search text) to reporting;

-- PostgreSQL database dump complete
