-- Computed fields and relationships of the api views, and the RPC
-- search_students.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION api.current_classes(api.students) RETURNS SETOF api.classes
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $_$
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

COMMENT ON FUNCTION api.current_classes(api.students) IS 'The classes of the current term (or of the year enclosing it) the student is enrolled in and has not completed: a to-many computed relationship of students.';

CREATE OR REPLACE FUNCTION api.current_classes(api.teachers) RETURNS SETOF api.classes
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $_$
    select c.*
    from api.classes c
    where c.school_id = $1.school_id and c.teacher_id = $1.id
      and exists (select from api.academic_terms t
                  where t.school_id = $1.school_id and t.is_current
                    and c.academic_term_id in (t.id, t.parent_id))
$_$;

COMMENT ON FUNCTION api.current_classes(api.teachers) IS 'The classes of the current term (or of the year enclosing it) the teacher teaches: a to-many computed relationship of teachers.';

CREATE OR REPLACE FUNCTION api.current_term(api.schools) RETURNS SETOF api.academic_terms
    LANGUAGE sql STABLE ROWS 1
    SET search_path TO ''
    AS $_$
    select t.*
    from api.academic_terms t
    where t.school_id = $1.id and t.is_current
$_$;

COMMENT ON FUNCTION api.current_term(api.schools) IS 'The school''s current academic term, or none: a to-one computed relationship of schools.';

CREATE OR REPLACE FUNCTION api.full_name(api.parents) RETURNS text
    LANGUAGE sql STABLE
    AS $_$
    select pg_catalog.concat_ws(' ', $1.first_name, $1.last_name)
$_$;

COMMENT ON FUNCTION api.full_name(api.parents) IS 'The parent''s first and last name, as one string: a computed field of parents.';

CREATE OR REPLACE FUNCTION api.full_name(api.students) RETURNS text
    LANGUAGE sql STABLE
    AS $_$
    select pg_catalog.concat_ws(' ', $1.first_name, $1.last_name)
$_$;

COMMENT ON FUNCTION api.full_name(api.students) IS 'The student''s first and last name, as one string: a computed field of students.';

CREATE OR REPLACE FUNCTION api.full_name(api.teachers) RETURNS text
    LANGUAGE sql STABLE
    AS $_$
    select pg_catalog.concat_ws(' ', $1.first_name, $1.last_name)
$_$;

COMMENT ON FUNCTION api.full_name(api.teachers) IS 'The teacher''s first and last name, as one string: a computed field of teachers.';

CREATE OR REPLACE FUNCTION api.schools(api.audit_log) RETURNS SETOF api.schools
    LANGUAGE sql STABLE ROWS 1
    SET search_path TO ''
    AS $_$
    select s.* from api.schools s where s.id = $1.school_id
$_$;

COMMENT ON FUNCTION api.schools(api.audit_log) IS 'The school of the audited row: a to-one computed relationship of audit_log.';

CREATE OR REPLACE FUNCTION api.schools(api.enrollments) RETURNS SETOF api.schools
    LANGUAGE sql STABLE ROWS 1
    SET search_path TO ''
    AS $_$
    select s.* from api.schools s where s.id = $1.school_id
$_$;

COMMENT ON FUNCTION api.schools(api.enrollments) IS 'The enrollment''s school: a to-one computed relationship of enrollments (its key to schools is implied by its keys to students and classes).';

CREATE OR REPLACE FUNCTION api.search_students(search text) RETURNS SETOF api.students
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select s.*
    from api.students s
    where strpos(lower(concat_ws(' ', s.first_name, s.last_name, s.student_number)), lower(search)) > 0
    order by s.last_name, s.first_name, s.id
$$;

COMMENT ON FUNCTION api.search_students(search text) IS 'Students whose name or student number contains the search text (any case), by last name.';

REVOKE ALL ON FUNCTION api.current_classes(api.students) FROM PUBLIC;
GRANT ALL ON FUNCTION api.current_classes(api.students) TO school_admin;
GRANT ALL ON FUNCTION api.current_classes(api.students) TO teacher;
GRANT ALL ON FUNCTION api.current_classes(api.students) TO parent;
GRANT ALL ON FUNCTION api.current_classes(api.students) TO student;
GRANT ALL ON FUNCTION api.current_classes(api.students) TO partner_sync;
GRANT ALL ON FUNCTION api.current_classes(api.students) TO reporting;

REVOKE ALL ON FUNCTION api.current_classes(api.teachers) FROM PUBLIC;
GRANT ALL ON FUNCTION api.current_classes(api.teachers) TO school_admin;
GRANT ALL ON FUNCTION api.current_classes(api.teachers) TO teacher;
GRANT ALL ON FUNCTION api.current_classes(api.teachers) TO partner_sync;
GRANT ALL ON FUNCTION api.current_classes(api.teachers) TO reporting;

REVOKE ALL ON FUNCTION api.current_term(api.schools) FROM PUBLIC;
GRANT ALL ON FUNCTION api.current_term(api.schools) TO school_admin;
GRANT ALL ON FUNCTION api.current_term(api.schools) TO teacher;
GRANT ALL ON FUNCTION api.current_term(api.schools) TO parent;
GRANT ALL ON FUNCTION api.current_term(api.schools) TO student;
GRANT ALL ON FUNCTION api.current_term(api.schools) TO partner_sync;
GRANT ALL ON FUNCTION api.current_term(api.schools) TO reporting;

REVOKE ALL ON FUNCTION api.full_name(api.parents) FROM PUBLIC;
GRANT ALL ON FUNCTION api.full_name(api.parents) TO school_admin;
GRANT ALL ON FUNCTION api.full_name(api.parents) TO parent;
GRANT ALL ON FUNCTION api.full_name(api.parents) TO partner_sync;
GRANT ALL ON FUNCTION api.full_name(api.parents) TO reporting;

REVOKE ALL ON FUNCTION api.full_name(api.students) FROM PUBLIC;
GRANT ALL ON FUNCTION api.full_name(api.students) TO school_admin;
GRANT ALL ON FUNCTION api.full_name(api.students) TO teacher;
GRANT ALL ON FUNCTION api.full_name(api.students) TO parent;
GRANT ALL ON FUNCTION api.full_name(api.students) TO student;
GRANT ALL ON FUNCTION api.full_name(api.students) TO partner_sync;
GRANT ALL ON FUNCTION api.full_name(api.students) TO reporting;

REVOKE ALL ON FUNCTION api.full_name(api.teachers) FROM PUBLIC;
GRANT ALL ON FUNCTION api.full_name(api.teachers) TO school_admin;
GRANT ALL ON FUNCTION api.full_name(api.teachers) TO teacher;
GRANT ALL ON FUNCTION api.full_name(api.teachers) TO partner_sync;
GRANT ALL ON FUNCTION api.full_name(api.teachers) TO reporting;

REVOKE ALL ON FUNCTION api.schools(api.audit_log) FROM PUBLIC;
GRANT ALL ON FUNCTION api.schools(api.audit_log) TO school_admin;

REVOKE ALL ON FUNCTION api.schools(api.enrollments) FROM PUBLIC;
GRANT ALL ON FUNCTION api.schools(api.enrollments) TO school_admin;
GRANT ALL ON FUNCTION api.schools(api.enrollments) TO teacher;
GRANT ALL ON FUNCTION api.schools(api.enrollments) TO parent;
GRANT ALL ON FUNCTION api.schools(api.enrollments) TO student;
GRANT ALL ON FUNCTION api.schools(api.enrollments) TO partner_sync;
GRANT ALL ON FUNCTION api.schools(api.enrollments) TO reporting;

REVOKE ALL ON FUNCTION api.search_students(search text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.search_students(search text) TO school_admin;
GRANT ALL ON FUNCTION api.search_students(search text) TO teacher;
GRANT ALL ON FUNCTION api.search_students(search text) TO parent;
GRANT ALL ON FUNCTION api.search_students(search text) TO student;
GRANT ALL ON FUNCTION api.search_students(search text) TO partner_sync;
GRANT ALL ON FUNCTION api.search_students(search text) TO reporting;

-- PostgreSQL database dump complete
