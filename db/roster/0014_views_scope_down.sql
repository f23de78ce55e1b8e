-- Undo 0014_views_scope_up.sql: the views back in api under their old names
-- (demographics without the scope condition, as oneroster_views_up.sql made
-- it), the partner_sync policies as 0011_partners_up.sql left them.
create or replace view oneroster.demographics with (security_invoker = true) as
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
alter view oneroster.enrollments rename to oneroster_enrollments;
alter view oneroster.oneroster_enrollments set schema api;
alter view oneroster.demographics rename to oneroster_demographics;
alter view oneroster.oneroster_demographics set schema api;
alter view oneroster.agents rename to oneroster_agents;
alter view oneroster.oneroster_agents set schema api;
alter view oneroster.users rename to oneroster_users;
alter view oneroster.oneroster_users set schema api;
alter view oneroster.classes rename to oneroster_classes;
alter view oneroster.oneroster_classes set schema api;
alter view oneroster.courses rename to oneroster_courses;
alter view oneroster.oneroster_courses set schema api;
alter view oneroster.academic_sessions rename to oneroster_academic_sessions;
alter view oneroster.oneroster_academic_sessions set schema api;
alter view oneroster.orgs rename to oneroster_orgs;
alter view oneroster.oneroster_orgs set schema api;
revoke usage on schema oneroster from school_admin, partner_sync;
drop schema oneroster;

do $$
declare
    t text;
begin
    foreach t in array array['students', 'teachers', 'parents', 'student_parents', 'academic_terms', 'subjects',
                             'rooms', 'classes', 'enrollments']
    loop
        execute format('alter policy %I on data.%I
                        using (school_id = (select auth.school_id()) and (select auth.partner_client_active()))
                        with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()))',
                       t || '_partner_sync_all', t);
    end loop;
end
$$;
alter policy schools_partner_sync_select on data.schools
    using (id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy users_partner_sync_select on data.users
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()));
alter policy users_partner_sync_insert on data.users
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active()));
alter policy users_partner_sync_update on data.users
    using (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active()))
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active()));

drop function auth.may_write_roster();
drop function auth.may_read_demographics();
drop function auth.may_read_roster();
drop function auth.has_scope(text[]);
