-- Roster sync contract (m0008): the partner's OneRoster sourcedId.
--
-- Keys: unique per school and table where set. Not partial on is_deleted, unlike
-- the other keys of 0002: a soft-deleted row keeps its sourcedId, so a later
-- import naming it again revives that row instead of creating a twin. A schools
-- row is the tenant itself: it stores its org's sourcedId, unique where set.

create unique index schools_sourced_id_key on data.schools (sourced_id) where sourced_id is not null;
create unique index users_school_id_sourced_id_key on data.users (school_id, sourced_id) where sourced_id is not null;
create unique index students_school_id_sourced_id_key on data.students (school_id, sourced_id) where sourced_id is not null;
create unique index teachers_school_id_sourced_id_key on data.teachers (school_id, sourced_id) where sourced_id is not null;
create unique index parents_school_id_sourced_id_key on data.parents (school_id, sourced_id) where sourced_id is not null;
create unique index academic_terms_school_id_sourced_id_key on data.academic_terms (school_id, sourced_id) where sourced_id is not null;
create unique index subjects_school_id_sourced_id_key on data.subjects (school_id, sourced_id) where sourced_id is not null;
create unique index classes_school_id_sourced_id_key on data.classes (school_id, sourced_id) where sourced_id is not null;
create unique index enrollments_school_id_sourced_id_key on data.enrollments (school_id, sourced_id) where sourced_id is not null;

-- data.users is granted by column list (0004_grants_up.sql: password_hash stays
-- out of reach), so its new column needs its own grants; every other roster
-- table is granted as a whole and its new column is covered already.
grant select (sourced_id) on table data.users to school_admin, teacher, parent, student, partner_sync, reporting;
grant insert (sourced_id), update (sourced_id) on table data.users to school_admin, partner_sync;

-- The api views gain sourced_id as their LAST column (create or replace view can
-- only append), everything else as in 0004_api_views_up.sql. Grants, comments and
-- the soft-delete instead-of triggers stay with the views.

create or replace view api.schools with (security_invoker = true) as
    select id,
           name,
           address,
           contact_email,
           contact_phone,
           created_at,
           updated_at,
           sourced_id
    from data.schools;
comment on column api.schools.sourced_id is 'The partner''s OneRoster sourcedId of this org (null when no roster sync has named it).';

create or replace view api.users with (security_invoker = true) as
    select id,
           school_id,
           email,
           role,
           is_active,
           created_at,
           updated_at,
           sourced_id
    from data.users
    where not is_deleted;
comment on column api.users.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.students with (security_invoker = true) as
    select id,
           school_id,
           student_number,
           first_name,
           last_name,
           date_of_birth,
           gender,
           enrollment_status,
           user_id,
           created_at,
           updated_at,
           sourced_id
    from data.students
    where not is_deleted;
comment on column api.students.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.teachers with (security_invoker = true) as
    select id,
           user_id,
           school_id,
           first_name,
           last_name,
           employee_id,
           date_of_joining,
           qualification,
           contact_phone,
           contact_address,
           created_at,
           updated_at,
           sourced_id
    from data.teachers
    where not is_deleted;
comment on column api.teachers.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.parents with (security_invoker = true) as
    select id,
           user_id,
           school_id,
           first_name,
           last_name,
           relation_to_student,
           contact_phone,
           contact_email,
           contact_address,
           created_at,
           updated_at,
           sourced_id
    from data.parents
    where not is_deleted;
comment on column api.parents.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.academic_terms with (security_invoker = true) as
    select id,
           school_id,
           name,
           start_date,
           end_date,
           type,
           parent_id,
           is_current,
           created_at,
           updated_at,
           sourced_id
    from data.academic_terms
    where not is_deleted;
comment on column api.academic_terms.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.subjects with (security_invoker = true) as
    select id,
           school_id,
           name,
           description,
           code,
           created_at,
           updated_at,
           sourced_id
    from data.subjects
    where not is_deleted;
comment on column api.subjects.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.classes with (security_invoker = true) as
    select id,
           name,
           academic_year,
           school_id,
           teacher_id,
           subject_id,
           academic_term_id,
           room_id,
           created_at,
           updated_at,
           sourced_id
    from data.classes
    where not is_deleted;
comment on column api.classes.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';

create or replace view api.enrollments with (security_invoker = true) as
    select id,
           student_id,
           class_id,
           school_id,
           enrollment_date,
           completion_date,
           created_at,
           updated_at,
           sourced_id
    from data.enrollments;
comment on column api.enrollments.sourced_id is 'The partner''s OneRoster sourcedId (unique per school; null for rows created here, which OneRoster serves under their id).';
