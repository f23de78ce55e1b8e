-- Roster scopes, enforced by the database on every route (issue 7).
--
-- Until now the OneRoster scope check lived in the gateway's OneRoster routes
-- only: the api.oneroster_* views were ordinary PostgREST resources
-- (/oneroster_users ...), and a partner token read the roster tables through
-- /students, /classes ... whatever scopes it carried. Now:
--   1. the OneRoster read views leave the api schema for their own schema,
--      `oneroster`, which the PostgREST routes and the OpenAPI document never
--      show (the gateway exposes `api` only); the OneRoster REST routes
--      (gateway/oneroster) query them there;
--   2. every partner_sync policy on a roster table also asks for a scope:
--      reading needs roster-core.readonly or roster.readonly, writing needs the
--      import scope; oneroster.demographics also needs roster-demographics.readonly
--      or roster.readonly. So a token without roster scopes reads no roster row,
--      by any route (tests/roster/test_roster_scopes.py).
-- Scopes only narrow partner tokens: other roles pass (auth.has_scope), and so
-- does a partner_sync token with no `scope` claim at all — one minted by the
-- JWT secret's holder outside /oauth/token, which could as well mint any
-- scope. Every token /oauth/token issues carries the claim.

-- True when the caller is not a partner, or its token has no scope claim, or
-- the claim names one of p_scopes. The claim is OAuth's space-separated string
-- (RFC 6749 §3.3; what /oauth/token issues), or a JSON array of strings.
-- Called as `(select auth.has_scope(...))`: once per statement.
create function auth.has_scope(variadic p_scopes text[]) returns boolean
language sql stable
set search_path = ''
as $$
    select auth.role() is distinct from 'partner_sync'
        or not (auth.claims() ? 'scope')
        or case jsonb_typeof(auth.claims() -> 'scope')
               when 'string' then regexp_split_to_array(auth.claims() ->> 'scope', '\s+') && p_scopes
               when 'array' then array(select jsonb_array_elements_text(auth.claims() -> 'scope')) && p_scopes
               else false
           end
$$;
comment on function auth.has_scope(text[]) is
    'False only for a partner_sync token whose scope claim names none of the given scopes.';

-- The OneRoster 1.2 REST binding's scopes ("Scopes"): roster.readonly covers
-- every rostering read, roster-core.readonly all but demographics.
create function auth.may_read_roster() returns boolean
language sql stable
set search_path = ''
as $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly')
$$;
create function auth.may_read_demographics() returns boolean
language sql stable
set search_path = ''
as $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly')
$$;
-- Our own scope: changing the roster (the CSV import, or a write through the
-- PostgREST routes). A readonly token writes nothing.
create function auth.may_write_roster() returns boolean
language sql stable
set search_path = ''
as $$
    select auth.has_scope('urn:school-data-api:scope:roster.import')
$$;
revoke execute on function auth.has_scope(text[]), auth.may_read_roster(), auth.may_read_demographics(),
    auth.may_write_roster() from public;
grant execute on function auth.has_scope(text[]), auth.may_read_roster(), auth.may_read_demographics(),
    auth.may_write_roster() to anon, school_admin, teacher, parent, student, partner_sync, reporting;

-- The partner_sync policies of 0011_partners_up.sql, plus the scopes: USING
-- (which rows a partner sees, and may update or delete) asks for a read scope,
-- WITH CHECK (what it may write) for the import scope.
alter policy students_partner_sync_all on data.students
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy teachers_partner_sync_all on data.teachers
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy parents_partner_sync_all on data.parents
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy student_parents_partner_sync_all on data.student_parents
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy academic_terms_partner_sync_all on data.academic_terms
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy subjects_partner_sync_all on data.subjects
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy rooms_partner_sync_all on data.rooms
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy classes_partner_sync_all on data.classes
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy enrollments_partner_sync_all on data.enrollments
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_write_roster()));
alter policy schools_partner_sync_select on data.schools
    using (id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()));
alter policy users_partner_sync_select on data.users
    using (school_id = (select auth.school_id()) and (select auth.partner_client_active()) and (select auth.may_read_roster()));
alter policy users_partner_sync_insert on data.users
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active())
                and (select auth.may_write_roster()));
alter policy users_partner_sync_update on data.users
    using (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active())
           and (select auth.may_read_roster()))
    with check (school_id = (select auth.school_id()) and role <> 'ADMIN' and (select auth.partner_client_active())
                and (select auth.may_write_roster()));

-- The OneRoster views, out of the api schema (so out of the PostgREST routes
-- and the OpenAPI document), under their OneRoster names. Moving keeps their
-- definitions, comments and grants (school_admin, partner_sync: select).
create schema oneroster;
comment on schema oneroster is
    'OneRoster 1.2 read views, queried by the OneRoster REST routes only (gateway/oneroster); not a PostgREST schema.';
grant usage on schema oneroster to school_admin, partner_sync;
alter view api.oneroster_orgs set schema oneroster;
alter view oneroster.oneroster_orgs rename to orgs;
alter view api.oneroster_academic_sessions set schema oneroster;
alter view oneroster.oneroster_academic_sessions rename to academic_sessions;
alter view api.oneroster_courses set schema oneroster;
alter view oneroster.oneroster_courses rename to courses;
alter view api.oneroster_classes set schema oneroster;
alter view oneroster.oneroster_classes rename to classes;
alter view api.oneroster_users set schema oneroster;
alter view oneroster.oneroster_users rename to users;
alter view api.oneroster_agents set schema oneroster;
alter view oneroster.oneroster_agents rename to agents;
alter view api.oneroster_demographics set schema oneroster;
alter view oneroster.oneroster_demographics rename to demographics;
alter view api.oneroster_enrollments set schema oneroster;
alter view oneroster.oneroster_enrollments rename to enrollments;

-- Demographics: the students' rows the policies let through (a read scope),
-- and only for a caller that may read demographics too.
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
    from data.students p
    where (select auth.may_read_demographics());
