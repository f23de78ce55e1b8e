-- Computed fields and computed relationships of the api views (PostgREST docs
-- "Computed Fields", "Computed Relationships"): functions taking one row of an
-- api view. The gateway finds them in the catalog (gateway/schema_cache.py):
--   * returning a scalar: a read-only column one may select, filter and order
--     by (`students?select=id,full_name&full_name=ilike.*ann*`); not in `*`;
--   * returning rows of an api view: an embeddable relationship named after the
--     function (`schools?select=name,current_term(name)`); `setof ... rows 1`
--     is to-one (an object or null), plain `setof` to-many (an array).
-- The parameter is unnamed, so none of them is callable at /rpc (PostgREST's
-- convention for keeping computed fields out of the RPC list).
--
-- SECURITY INVOKER and reading only api views (security_invoker too): the
-- caller's grants and row-level policies apply to every row a function reads,
-- so a teacher reaches through current_classes only the classes they teach.
-- STABLE with a pinned search_path, as every function here. The pinned
-- search_path (a SET clause) keeps Postgres from inlining these SQL functions:
-- each is a per-row call. Cheap at page sizes, but a filter on full_name over
-- 100,000 rows measured 340 ms against 94 ms for an inlinable copy (no SET,
-- names qualified): a later migration may drop the SET if such filters matter.
-- EXECUTE goes to the API roles that may read the view of the argument (and,
-- for relationships, of the result): db/tenancy/0004_grants_up.sql.

create function api.full_name(api.students) returns text
language sql stable
set search_path = ''
as $$
    select concat_ws(' ', $1.first_name, $1.last_name)
$$;
comment on function api.full_name(api.students) is
    'The student''s first and last name, as one string: a computed field of students.';

create function api.full_name(api.teachers) returns text
language sql stable
set search_path = ''
as $$
    select concat_ws(' ', $1.first_name, $1.last_name)
$$;
comment on function api.full_name(api.teachers) is
    'The teacher''s first and last name, as one string: a computed field of teachers.';

create function api.full_name(api.parents) returns text
language sql stable
set search_path = ''
as $$
    select concat_ws(' ', $1.first_name, $1.last_name)
$$;
comment on function api.full_name(api.parents) is
    'The parent''s first and last name, as one string: a computed field of parents.';

-- At most one term per school is current (db/terms/0006_terms_up.sql), so
-- `rows 1` is true and the embed is to-one.
create function api.current_term(api.schools) returns setof api.academic_terms
language sql stable
rows 1
set search_path = ''
as $$
    select t.*
    from api.academic_terms t
    where t.school_id = $1.id and t.is_current
$$;
comment on function api.current_term(api.schools) is
    'The school''s current academic term, or none: a to-one computed relationship of schools.';

-- A class is current when its term is the current term or encloses it (a
-- year-long class while a semester of that year is current).
create function api.current_classes(api.students) returns setof api.classes
language sql stable
set search_path = ''
as $$
    select c.*
    from api.classes c
    where c.school_id = $1.school_id
      and exists (select from api.enrollments e
                  where e.school_id = $1.school_id and e.class_id = c.id and e.student_id = $1.id
                    and (e.completion_date is null or e.completion_date >= current_date))
      and exists (select from api.academic_terms t
                  where t.school_id = $1.school_id and t.is_current
                    and c.academic_term_id in (t.id, t.parent_id))
$$;
comment on function api.current_classes(api.students) is
    'The classes of the current term (or of the year enclosing it) the student is enrolled in and has not '
    'completed: a to-many computed relationship of students.';

create function api.current_classes(api.teachers) returns setof api.classes
language sql stable
set search_path = ''
as $$
    select c.*
    from api.classes c
    where c.school_id = $1.school_id and c.teacher_id = $1.id
      and exists (select from api.academic_terms t
                  where t.school_id = $1.school_id and t.is_current
                    and c.academic_term_id in (t.id, t.parent_id))
$$;
comment on function api.current_classes(api.teachers) is
    'The classes of the current term (or of the year enclosing it) the teacher teaches: '
    'a to-many computed relationship of teachers.';

-- Not a computed field: an RPC (a named parameter) a dashboard's search box
-- calls, `/rpc/search_students?search=ann&select=id,full_name,classes(name)`.
-- Its rows are students, so the result embeds and selects like a read of
-- api.students. Case-insensitive substring of the full name or the student
-- number; strpos, not LIKE, so `%` and `_` in the search are plain characters.
create function api.search_students(search text) returns setof api.students
language sql stable
set search_path = ''
as $$
    select s.*
    from api.students s
    where strpos(lower(concat_ws(' ', s.first_name, s.last_name, s.student_number)), lower(search)) > 0
    order by s.last_name, s.first_name, s.id
$$;
comment on function api.search_students(text) is
    'Students whose name or student number contains the search text (any case), by last name.';

revoke execute on function
    api.full_name(api.students), api.full_name(api.teachers), api.full_name(api.parents),
    api.current_term(api.schools), api.current_classes(api.students), api.current_classes(api.teachers),
    api.search_students(text)
from public;
-- Who reads students, teachers, parents, schools, academic_terms and classes (0004_grants_up.sql).
grant execute on function api.full_name(api.students)
    to school_admin, teacher, parent, student, partner_sync, reporting;
grant execute on function api.full_name(api.teachers) to school_admin, teacher, partner_sync, reporting;
grant execute on function api.full_name(api.parents) to school_admin, parent, partner_sync, reporting;
grant execute on function api.current_term(api.schools)
    to school_admin, teacher, parent, student, partner_sync, reporting;
grant execute on function api.current_classes(api.students)
    to school_admin, teacher, parent, student, partner_sync, reporting;
grant execute on function api.current_classes(api.teachers) to school_admin, teacher, partner_sync, reporting;
grant execute on function api.search_students(text)
    to school_admin, teacher, parent, student, partner_sync, reporting;
