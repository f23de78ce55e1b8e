-- OneRoster 1.2 read views (schema oneroster), read by the OneRoster REST
-- routes only.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE VIEW oneroster.academic_sessions WITH (security_invoker='true') AS
 SELECT t.id,
    t.school_id,
    COALESCE(t.sourced_id, ((t.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN t.is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    t.updated_at AS date_last_modified,
    t.name AS title,
        CASE t.type
            WHEN 'YEAR'::text THEN 'schoolYear'::text
            WHEN 'SEMESTER'::text THEN 'semester'::text
            WHEN 'GRADING_PERIOD'::text THEN 'gradingPeriod'::text
            ELSE 'term'::text
        END AS type,
    t.start_date,
    t.end_date,
    ((EXTRACT(year FROM t.end_date))::integer)::text AS school_year,
    t.parent_id,
    COALESCE(p.sourced_id, ((p.id)::text)::character varying) AS parent_sourced_id,
    ARRAY( SELECT COALESCE(c.sourced_id, ((c.id)::text)::character varying) AS "coalesce"
           FROM data.academic_terms c
          WHERE ((c.school_id = t.school_id) AND (c.parent_id = t.id) AND (NOT c.is_deleted))
          ORDER BY c.start_date, c.id) AS children_sourced_ids,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS org_sourced_id
   FROM ((data.academic_terms t
     JOIN data.schools s ON ((s.id = t.school_id)))
     LEFT JOIN data.academic_terms p ON (((p.school_id = t.school_id) AND (p.id = t.parent_id))));

COMMENT ON VIEW oneroster.academic_sessions IS 'OneRoster academicSessions (terms), soft-deleted ones as tobedeleted.';

CREATE OR REPLACE VIEW oneroster.agents WITH (security_invoker='true') AS
 SELECT sp.school_id,
    sp.student_id AS user_id,
    pa.id AS agent_id,
    COALESCE(pa.sourced_id, ((pa.id)::text)::character varying) AS agent_sourced_id
   FROM (data.student_parents sp
     JOIN data.parents pa ON (((pa.school_id = sp.school_id) AND (pa.id = sp.parent_id))))
  WHERE (NOT pa.is_deleted)
UNION ALL
 SELECT sp.school_id,
    sp.parent_id AS user_id,
    st.id AS agent_id,
    COALESCE(st.sourced_id, ((st.id)::text)::character varying) AS agent_sourced_id
   FROM (data.student_parents sp
     JOIN data.students st ON (((st.school_id = sp.school_id) AND (st.id = sp.student_id))))
  WHERE (NOT st.is_deleted);

COMMENT ON VIEW oneroster.agents IS 'OneRoster agents: the parents of each student and the children of each parent.';

CREATE OR REPLACE VIEW oneroster.classes WITH (security_invoker='true') AS
 SELECT c.id,
    c.school_id,
    COALESCE(c.sourced_id, ((c.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN c.is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    c.updated_at AS date_last_modified,
    c.name AS title,
    c.name AS class_code,
    'scheduled'::text AS class_type,
    r.name AS location,
    c.subject_id AS course_id,
    COALESCE(sj.sourced_id, ((sj.id)::text)::character varying) AS course_sourced_id,
    c.academic_term_id AS term_id,
    COALESCE(t.sourced_id, ((t.id)::text)::character varying) AS term_sourced_id,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS school_sourced_id,
    c.teacher_id
   FROM ((((data.classes c
     JOIN data.schools s ON ((s.id = c.school_id)))
     LEFT JOIN data.subjects sj ON (((sj.school_id = c.school_id) AND (sj.id = c.subject_id))))
     LEFT JOIN data.academic_terms t ON (((t.school_id = c.school_id) AND (t.id = c.academic_term_id))))
     LEFT JOIN data.rooms r ON (((r.school_id = c.school_id) AND (r.id = c.room_id))));

COMMENT ON VIEW oneroster.classes IS 'OneRoster classes, soft-deleted ones as tobedeleted.';

CREATE OR REPLACE VIEW oneroster.courses WITH (security_invoker='true') AS
 SELECT c.id,
    c.school_id,
    COALESCE(c.sourced_id, ((c.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN c.is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    c.updated_at AS date_last_modified,
    c.name AS title,
    c.code AS course_code,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS org_sourced_id
   FROM (data.subjects c
     JOIN data.schools s ON ((s.id = c.school_id)));

COMMENT ON VIEW oneroster.courses IS 'OneRoster courses (subjects), soft-deleted ones as tobedeleted.';

CREATE OR REPLACE VIEW oneroster.demographics WITH (security_invoker='true') AS
 SELECT id,
    school_id,
    COALESCE(sourced_id, ((id)::text)::character varying) AS sourced_id,
        CASE
            WHEN is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    updated_at AS date_last_modified,
    date_of_birth AS birth_date,
        CASE gender
            WHEN 'FEMALE'::text THEN 'female'::text
            WHEN 'MALE'::text THEN 'male'::text
            WHEN 'UNDISCLOSED'::text THEN 'unspecified'::text
            WHEN 'NON_BINARY'::text THEN 'other'::text
            WHEN 'OTHER'::text THEN 'other'::text
            ELSE NULL::text
        END AS sex
   FROM data.students p
  WHERE ( SELECT auth.may_read_demographics() AS may_read_demographics);

COMMENT ON VIEW oneroster.demographics IS 'OneRoster demographics of students, soft-deleted ones as tobedeleted.';

CREATE OR REPLACE VIEW oneroster.enrollments WITH (security_invoker='true') AS
 SELECT e.id,
    e.school_id,
    COALESCE(e.sourced_id, ((e.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN (st.is_deleted OR c.is_deleted) THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
        CASE
            WHEN (st.is_deleted OR c.is_deleted) THEN GREATEST(e.updated_at, st.updated_at, c.updated_at)
            ELSE e.updated_at
        END AS date_last_modified,
    'student'::text AS role,
    false AS is_primary,
    e.enrollment_date AS begin_date,
    e.completion_date AS end_date,
    e.student_id AS user_id,
    COALESCE(st.sourced_id, ((st.id)::text)::character varying) AS user_sourced_id,
    e.class_id,
    COALESCE(c.sourced_id, ((c.id)::text)::character varying) AS class_sourced_id,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS school_sourced_id
   FROM (((data.enrollments e
     JOIN data.students st ON (((st.school_id = e.school_id) AND (st.id = e.student_id))))
     JOIN data.classes c ON (((c.school_id = e.school_id) AND (c.id = e.class_id))))
     JOIN data.schools s ON ((s.id = e.school_id)))
UNION ALL
 SELECT c.id,
    c.school_id,
    (((COALESCE(c.sourced_id, ((c.id)::text)::character varying))::text || ':'::text) || (COALESCE(t.sourced_id, ((t.id)::text)::character varying))::text) AS sourced_id,
        CASE
            WHEN (t.is_deleted OR c.is_deleted) THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    GREATEST(c.updated_at, t.updated_at) AS date_last_modified,
    'teacher'::text AS role,
    true AS is_primary,
    NULL::date AS begin_date,
    NULL::date AS end_date,
    t.id AS user_id,
    COALESCE(t.sourced_id, ((t.id)::text)::character varying) AS user_sourced_id,
    c.id AS class_id,
    COALESCE(c.sourced_id, ((c.id)::text)::character varying) AS class_sourced_id,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS school_sourced_id
   FROM ((data.classes c
     JOIN data.teachers t ON (((t.school_id = c.school_id) AND (t.id = c.teacher_id))))
     JOIN data.schools s ON ((s.id = c.school_id)));

COMMENT ON VIEW oneroster.enrollments IS 'OneRoster enrollments (students and class teachers), tobedeleted when their person or class is deleted.';

CREATE OR REPLACE VIEW oneroster.orgs WITH (security_invoker='true') AS
 SELECT id,
    id AS school_id,
    COALESCE(sourced_id, ((id)::text)::character varying) AS sourced_id,
    'active'::text AS status,
    updated_at AS date_last_modified,
    name,
    'school'::text AS type
   FROM data.schools s;

COMMENT ON VIEW oneroster.orgs IS 'OneRoster orgs: the caller''s school (read by the OneRoster REST endpoints).';

CREATE OR REPLACE VIEW oneroster.users WITH (security_invoker='true') AS
 SELECT p.id,
    p.school_id,
    COALESCE(p.sourced_id, ((p.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN p.is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    GREATEST(p.updated_at, u.updated_at) AS date_last_modified,
    'student'::text AS role,
    COALESCE((u.is_active AND (NOT u.is_deleted)), true) AS enabled_user,
    COALESCE(u.email, p.student_number) AS username,
    p.first_name AS given_name,
    p.last_name AS family_name,
    u.email,
    p.student_number AS identifier,
    NULL::text AS phone,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS org_sourced_id
   FROM ((data.students p
     JOIN data.schools s ON ((s.id = p.school_id)))
     LEFT JOIN data.users u ON (((u.school_id = p.school_id) AND (u.id = p.user_id))))
UNION ALL
 SELECT p.id,
    p.school_id,
    COALESCE(p.sourced_id, ((p.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN p.is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    GREATEST(p.updated_at, u.updated_at) AS date_last_modified,
    'teacher'::text AS role,
    COALESCE((u.is_active AND (NOT u.is_deleted)), true) AS enabled_user,
    COALESCE(u.email, p.employee_id) AS username,
    p.first_name AS given_name,
    p.last_name AS family_name,
    u.email,
    p.employee_id AS identifier,
    p.contact_phone AS phone,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS org_sourced_id
   FROM ((data.teachers p
     JOIN data.schools s ON ((s.id = p.school_id)))
     LEFT JOIN data.users u ON (((u.school_id = p.school_id) AND (u.id = p.user_id))))
UNION ALL
 SELECT p.id,
    p.school_id,
    COALESCE(p.sourced_id, ((p.id)::text)::character varying) AS sourced_id,
        CASE
            WHEN p.is_deleted THEN 'tobedeleted'::text
            ELSE 'active'::text
        END AS status,
    GREATEST(p.updated_at, u.updated_at) AS date_last_modified,
        CASE p.relation_to_student
            WHEN 'GUARDIAN'::text THEN 'guardian'::text
            WHEN 'MOTHER'::text THEN 'parent'::text
            WHEN 'FATHER'::text THEN 'parent'::text
            ELSE 'relative'::text
        END AS role,
    COALESCE((u.is_active AND (NOT u.is_deleted)), true) AS enabled_user,
    COALESCE(u.email, p.contact_email) AS username,
    p.first_name AS given_name,
    p.last_name AS family_name,
    COALESCE(u.email, p.contact_email) AS email,
    NULL::text AS identifier,
    p.contact_phone AS phone,
    COALESCE(s.sourced_id, ((s.id)::text)::character varying) AS org_sourced_id
   FROM ((data.parents p
     JOIN data.schools s ON ((s.id = p.school_id)))
     LEFT JOIN data.users u ON (((u.school_id = p.school_id) AND (u.id = p.user_id))));

COMMENT ON VIEW oneroster.users IS 'OneRoster users (students, teachers, parents), soft-deleted ones as tobedeleted.';

-- PostgreSQL database dump complete
