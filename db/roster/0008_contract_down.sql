-- Undo 0008_contract_up.sql: the api views as 0004_api_views_up.sql made them.
-- create or replace view cannot drop a column, so each view is dropped and
-- created again; its privileges (saved from pg_class.relacl) and its
-- soft-delete instead-of trigger (0005) are put back the same way they were.
create temporary table roster_saved_acl on commit drop as
    select c.relname::text as view_name, a.grantee::regrole::text as grantee, a.privilege_type
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    cross join lateral aclexplode(c.relacl) a
    where n.nspname = 'api' and c.relname = any (array['schools', 'users', 'students', 'teachers', 'parents', 'academic_terms', 'subjects', 'classes', 'enrollments']) and a.grantee <> 0 and a.grantee <> c.relowner;


-- Functions whose signature uses one of these views' row types (0006's
-- api.set_current_term returns api.academic_terms) would block the drop: save
-- their definition, privileges and comment, drop them, and create them again
-- after the views (pg_get_functiondef reproduces them exactly).
create temporary table roster_saved_functions on commit drop as
    select distinct p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as definition,
           p.proacl is not null as has_acl, obj_description(p.oid, 'pg_proc') as description
    from pg_depend d
    join pg_class v on d.refobjid = v.reltype and d.refclassid = 'pg_type'::regclass
    join pg_namespace n on n.oid = v.relnamespace
    join pg_proc p on d.classid = 'pg_proc'::regclass and p.oid = d.objid
    where n.nspname = 'api' and v.relname = any (array['schools', 'users', 'students', 'teachers', 'parents', 'academic_terms', 'subjects', 'classes', 'enrollments']);
create temporary table roster_saved_function_acl on commit drop as
    select f.signature, case when a.grantee = 0 then 'public' else quote_ident(a.grantee::regrole::text) end as grantee,
           a.privilege_type
    from roster_saved_functions f
    join pg_proc p on p.oid = f.signature::regprocedure
    cross join lateral aclexplode(p.proacl) a
    where a.grantee <> p.proowner;
do $$
declare
    f record;
begin
    for f in select signature from roster_saved_functions
    loop
        execute format('drop function %s', f.signature);
    end loop;
end
$$;

drop view api.schools;
create view api.schools with (security_invoker = true) as
    select id,
           name,
           address,
           contact_email,
           contact_phone,
           created_at,
           updated_at
    from data.schools;
comment on view api.schools is 'A school (tenant). Callers see their own school only.';
comment on column api.schools.id is 'Unique identifier of the school.';
comment on column api.schools.name is 'School name.';
comment on column api.schools.address is 'Postal address.';
comment on column api.schools.contact_email is 'School contact email.';
comment on column api.schools.contact_phone is 'School contact phone number.';
comment on column api.schools.created_at is 'When the row was created (set by the database).';
comment on column api.schools.updated_at is 'When the row was last changed (set by the database).';

drop view api.users;
create view api.users with (security_invoker = true) as
    select id,
           school_id,
           email,
           role,
           is_active,
           created_at,
           updated_at
    from data.users
    where not is_deleted;
comment on view api.users is 'Logins of the school (password hashes are never exposed). Deleted rows are not shown.';
comment on column api.users.id is 'Unique identifier (uuid).';
comment on column api.users.school_id is 'The school this row belongs to.';
comment on column api.users.email is 'Login email, unique across the service (case-insensitive).';
comment on column api.users.role is 'ADMIN, TEACHER, PARENT or STUDENT: the API role the login acts as.';
comment on column api.users.is_active is 'False when the login is disabled.';
comment on column api.users.created_at is 'When the row was created (set by the database).';
comment on column api.users.updated_at is 'When the row was last changed (set by the database).';

drop view api.students;
create view api.students with (security_invoker = true) as
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
           updated_at
    from data.students
    where not is_deleted;
comment on view api.students is 'Students of the school. Deleted rows are not shown.';
comment on column api.students.id is 'Unique identifier (uuid).';
comment on column api.students.school_id is 'The school this row belongs to.';
comment on column api.students.student_number is 'The school''s own student code, unique per school.';
comment on column api.students.first_name is 'First name.';
comment on column api.students.last_name is 'Last name.';
comment on column api.students.date_of_birth is 'Date of birth.';
comment on column api.students.gender is 'FEMALE, MALE, NON_BINARY, OTHER or UNDISCLOSED.';
comment on column api.students.enrollment_status is 'ACTIVE, INACTIVE, SUSPENDED, GRADUATED, TRANSFERRED or WITHDRAWN.';
comment on column api.students.user_id is 'The student''s login, if they have one.';
comment on column api.students.created_at is 'When the row was created (set by the database).';
comment on column api.students.updated_at is 'When the row was last changed (set by the database).';

drop view api.teachers;
create view api.teachers with (security_invoker = true) as
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
           updated_at
    from data.teachers
    where not is_deleted;
comment on view api.teachers is 'Teachers of the school. Deleted rows are not shown.';
comment on column api.teachers.id is 'Unique identifier (uuid).';
comment on column api.teachers.user_id is 'The teacher''s login.';
comment on column api.teachers.school_id is 'The school this row belongs to.';
comment on column api.teachers.first_name is 'First name.';
comment on column api.teachers.last_name is 'Last name.';
comment on column api.teachers.employee_id is 'The school''s employee code, unique per school.';
comment on column api.teachers.date_of_joining is 'Date the teacher joined the school.';
comment on column api.teachers.qualification is 'Qualifications.';
comment on column api.teachers.contact_phone is 'Contact phone number.';
comment on column api.teachers.contact_address is 'Contact address.';
comment on column api.teachers.created_at is 'When the row was created (set by the database).';
comment on column api.teachers.updated_at is 'When the row was last changed (set by the database).';

drop view api.parents;
create view api.parents with (security_invoker = true) as
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
           updated_at
    from data.parents
    where not is_deleted;
comment on view api.parents is 'Parents and guardians. Deleted rows are not shown.';
comment on column api.parents.id is 'Unique identifier (uuid).';
comment on column api.parents.user_id is 'The parent''s login, if they have one.';
comment on column api.parents.school_id is 'The school this row belongs to.';
comment on column api.parents.first_name is 'First name.';
comment on column api.parents.last_name is 'Last name.';
comment on column api.parents.relation_to_student is 'MOTHER, FATHER, GUARDIAN, GRANDPARENT, SIBLING or OTHER.';
comment on column api.parents.contact_phone is 'Contact phone number.';
comment on column api.parents.contact_email is 'Contact email.';
comment on column api.parents.contact_address is 'Contact address.';
comment on column api.parents.created_at is 'When the row was created (set by the database).';
comment on column api.parents.updated_at is 'When the row was last changed (set by the database).';

drop view api.academic_terms;
create view api.academic_terms with (security_invoker = true) as
    select id,
           school_id,
           name,
           start_date,
           end_date,
           type,
           parent_id,
           is_current,
           created_at,
           updated_at
    from data.academic_terms
    where not is_deleted;
comment on view api.academic_terms is 'Academic years, terms and grading periods. Deleted rows are not shown.';
comment on column api.academic_terms.id is 'Unique identifier (uuid).';
comment on column api.academic_terms.school_id is 'The school this row belongs to.';
comment on column api.academic_terms.name is 'Term name.';
comment on column api.academic_terms.start_date is 'First day of the term.';
comment on column api.academic_terms.end_date is 'Last day of the term.';
comment on column api.academic_terms.type is 'YEAR, SEMESTER, TRIMESTER, TERM, QUARTER or GRADING_PERIOD.';
comment on column api.academic_terms.parent_id is 'The enclosing term (e.g. the year of a semester).';
comment on column api.academic_terms.is_current is 'True for the school''s current term (at most one).';
comment on column api.academic_terms.created_at is 'When the row was created (set by the database).';
comment on column api.academic_terms.updated_at is 'When the row was last changed (set by the database).';

drop view api.subjects;
create view api.subjects with (security_invoker = true) as
    select id,
           school_id,
           name,
           description,
           code,
           created_at,
           updated_at
    from data.subjects
    where not is_deleted;
comment on view api.subjects is 'Subjects taught at the school. Deleted rows are not shown.';
comment on column api.subjects.id is 'Unique identifier (uuid).';
comment on column api.subjects.school_id is 'The school this row belongs to.';
comment on column api.subjects.name is 'Subject name, unique per school.';
comment on column api.subjects.description is 'Description.';
comment on column api.subjects.code is 'Subject code, unique per school.';
comment on column api.subjects.created_at is 'When the row was created (set by the database).';
comment on column api.subjects.updated_at is 'When the row was last changed (set by the database).';

drop view api.classes;
create view api.classes with (security_invoker = true) as
    select id,
           name,
           academic_year,
           school_id,
           teacher_id,
           subject_id,
           academic_term_id,
           room_id,
           created_at,
           updated_at
    from data.classes
    where not is_deleted;
comment on view api.classes is 'Classes (sections) of the school. Deleted rows are not shown.';
comment on column api.classes.id is 'Unique identifier (uuid).';
comment on column api.classes.name is 'Class name.';
comment on column api.classes.academic_year is 'Academic year label (e.g. 2026-2027).';
comment on column api.classes.school_id is 'The school this row belongs to.';
comment on column api.classes.teacher_id is 'The teacher who teaches the class.';
comment on column api.classes.subject_id is 'The subject taught.';
comment on column api.classes.academic_term_id is 'The term the class runs in.';
comment on column api.classes.room_id is 'The room the class meets in.';
comment on column api.classes.created_at is 'When the row was created (set by the database).';
comment on column api.classes.updated_at is 'When the row was last changed (set by the database).';

drop view api.enrollments;
create view api.enrollments with (security_invoker = true) as
    select id,
           student_id,
           class_id,
           school_id,
           enrollment_date,
           completion_date,
           created_at,
           updated_at
    from data.enrollments;
comment on view api.enrollments is 'Which students are enrolled in which classes.';
comment on column api.enrollments.id is 'Unique identifier (uuid).';
comment on column api.enrollments.student_id is 'The enrolled student.';
comment on column api.enrollments.class_id is 'The class.';
comment on column api.enrollments.school_id is 'The school this row belongs to.';
comment on column api.enrollments.enrollment_date is 'Date the enrollment starts.';
comment on column api.enrollments.completion_date is 'Date the enrollment ends.';
comment on column api.enrollments.created_at is 'When the row was created (set by the database).';
comment on column api.enrollments.updated_at is 'When the row was last changed (set by the database).';

do $$
declare
    g record;
begin
    for g in select * from roster_saved_acl order by 1, 2, 3
    loop
        execute format('grant %s on table api.%I to %s', g.privilege_type, g.view_name, g.grantee);
    end loop;
end
$$;

-- 0005_soft_delete_up.sql's instead-of trigger, on the views of soft-delete tables.
create trigger soft_delete_instead_of_delete instead of delete on api.users
    for each row execute function data.soft_delete_through_view();
create trigger soft_delete_instead_of_delete instead of delete on api.students
    for each row execute function data.soft_delete_through_view();
create trigger soft_delete_instead_of_delete instead of delete on api.teachers
    for each row execute function data.soft_delete_through_view();
create trigger soft_delete_instead_of_delete instead of delete on api.parents
    for each row execute function data.soft_delete_through_view();
create trigger soft_delete_instead_of_delete instead of delete on api.academic_terms
    for each row execute function data.soft_delete_through_view();
create trigger soft_delete_instead_of_delete instead of delete on api.subjects
    for each row execute function data.soft_delete_through_view();
create trigger soft_delete_instead_of_delete instead of delete on api.classes
    for each row execute function data.soft_delete_through_view();

do $$
declare
    f record;
begin
    for f in select * from roster_saved_functions
    loop
        execute f.definition;
        if f.has_acl then
            execute format('revoke all on function %s from public', f.signature);
        end if;
        if f.description is not null then
            execute format('comment on function %s is %L', f.signature, f.description);
        end if;
    end loop;
    for f in select * from roster_saved_function_acl
    loop
        execute format('grant %s on function %s to %s', f.privilege_type, f.signature, f.grantee);
    end loop;
end
$$;

revoke select (sourced_id) on table data.users from school_admin, teacher, parent, student, partner_sync, reporting;
revoke insert (sourced_id), update (sourced_id) on table data.users from school_admin, partner_sync;

drop index data.schools_sourced_id_key;
drop index data.users_school_id_sourced_id_key;
drop index data.students_school_id_sourced_id_key;
drop index data.teachers_school_id_sourced_id_key;
drop index data.parents_school_id_sourced_id_key;
drop index data.academic_terms_school_id_sourced_id_key;
drop index data.subjects_school_id_sourced_id_key;
drop index data.classes_school_id_sourced_id_key;
drop index data.enrollments_school_id_sourced_id_key;
