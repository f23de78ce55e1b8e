-- Claim helpers and scopes in `auth`: who is asking (role, school, user,
-- request id), which rows a teacher, parent or student reaches; login and
-- partner-client lookups.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

create or replace function auth.claims() returns jsonb
    language sql stable
    as $$
    select case
        when auth.reporting_login_school() is not null then '{}'::jsonb
        else coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
    end
$$;

-- True when the caller is not a partner, or its token has no scope claim, or
-- the claim names one of p_scopes. The claim is OAuth's space-separated string
-- (RFC 6749 §3.3; what /oauth/token issues), or a JSON array of strings.
-- Called as `(select auth.has_scope(...))`: once per statement.
create or replace function auth.has_scope(variadic p_scopes text[]) returns boolean
    language sql stable
    set search_path to ''
    as $$
    select auth.role() is distinct from 'partner_sync'
        or not (auth.claims() ? 'scope')
        or case jsonb_typeof(auth.claims() -> 'scope')
               when 'string' then regexp_split_to_array(auth.claims() ->> 'scope', '\s+') && p_scopes
               when 'array' then array(select jsonb_array_elements_text(auth.claims() -> 'scope')) && p_scopes
               else false
           end
$$;

comment on function auth.has_scope(variadic p_scopes text[]) is 'False only for a partner_sync token whose scope claim names none of the given scopes.';

-- Emails are unique per school (users_email_school_id_key, m0052; issue 13
-- F7), so one address may be a login at several schools: with p_school_id the
-- lookup is the one login of that school, without it every live login with the
-- address (the gateway logs in only when that is exactly one).
create or replace function auth.login_lookup(p_email text, p_school_id uuid default null) returns table(user_id uuid, school_id uuid, db_role text, password_hash text, is_active boolean)
    language sql stable security definer
    set search_path to ''
    as $$
    -- lower(email) leads data.users' unique index (users_email_school_id_key).
    select u.id,
           u.school_id,
           case u.role
               when 'ADMIN' then 'school_admin'
               when 'TEACHER' then 'teacher'
               when 'PARENT' then 'parent'
               when 'STUDENT' then 'student'
           end,
           u.password_hash::text,
           u.is_active
    from data.users u
    where lower(u.email) = lower(p_email)
      and (p_school_id is null or u.school_id = p_school_id)
      and not u.is_deleted
$$;

comment on function auth.login_lookup(p_email text, p_school_id uuid) is 'The logins with this email (case-insensitive), of one school when given: id, school, API role, password hash, active flag. Gateway only.';

create or replace function auth.login_lookup_by_id(p_user_id uuid) returns table(user_id uuid, school_id uuid, db_role text, password_hash text, is_active boolean)
    language sql stable security definer
    set search_path to ''
    as $$
    select u.id,
           u.school_id,
           case u.role
               when 'ADMIN' then 'school_admin'
               when 'TEACHER' then 'teacher'
               when 'PARENT' then 'parent'
               when 'STUDENT' then 'student'
           end,
           u.password_hash::text,
           u.is_active
    from data.users u
    where u.id = p_user_id
      and not u.is_deleted
$$;

comment on function auth.login_lookup_by_id(p_user_id uuid) is 'The login with this id, as auth.login_lookup returns it (token refresh). Gateway only.';

create or replace function auth.may_read_demographics() returns boolean
    language sql stable
    set search_path to ''
    as $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly')
$$;

-- The OneRoster 1.2 REST binding's scopes ("Scopes"): roster.readonly covers
-- every rostering read, roster-core.readonly all but demographics.
create or replace function auth.may_read_roster() returns boolean
    language sql stable
    set search_path to ''
    as $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly')
$$;

-- The OneRoster 1.2 Gradebook scopes (issue 17). Reading gradebook rows:
-- any gradebook scope (a PUT or POST reads the rows it checks or replaces;
-- gradebook-core.readonly is 1.2's narrower read scope, assessment.readonly
-- its scope of assessment reads); writing them:
-- gradebook.createput (PUT) or gradebook.createpost (POST). Which scope each
-- route needs is the gateway's check (gateway/oneroster/gradebook.py); these
-- keep the rows of a token without any of them out of reach.
create or replace function auth.may_read_gradebook() returns boolean
    language sql stable
    set search_path to ''
    as $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly')
$$;

create or replace function auth.may_write_gradebook() returns boolean
    language sql stable
    set search_path to ''
    as $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost')
$$;

-- Our own scope: changing the roster (the CSV import, or a write through the
-- PostgREST routes). A readonly token writes nothing.
create or replace function auth.may_write_roster() returns boolean
    language sql stable
    set search_path to ''
    as $$
    select auth.has_scope('urn:school-data-api:scope:roster.import')
$$;

-- The classes the caller's children are enrolled in.
create or replace function auth.parent_class_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(distinct e.class_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.student_id = any (auth.parent_student_ids())
$$;

comment on function auth.parent_class_ids() is 'Ids of the classes the calling parent''s children are enrolled in.';

-- (3) Parents.
create or replace function auth.parent_id() returns uuid
    language sql stable security definer
    set search_path to ''
    as $$
    select p.id
    from data.parents p
    where p.school_id = auth.school_id()
      and p.user_id = auth.user_id()
      and not p.is_deleted
$$;

comment on function auth.parent_id() is 'The caller''s parent row (null when the caller is not a parent of the claimed school).';

-- Invoices billed to the caller or to one of the caller's children.
create or replace function auth.parent_invoice_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(i.id), '{}')
    from data.invoices i
    where i.school_id = auth.school_id()
      and (i.parent_id = auth.parent_id() or i.student_id = any (auth.parent_student_ids()))
$$;

comment on function auth.parent_invoice_ids() is 'Ids of the invoices billed to the calling parent or to their children.';

-- The caller's children: students linked through data.student_parents.
create or replace function auth.parent_student_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(sp.student_id), '{}')
    from data.student_parents sp
    where sp.school_id = auth.school_id()
      and sp.parent_id = auth.parent_id()
$$;

comment on function auth.parent_student_ids() is 'Ids of the calling parent''s linked children.';

-- False when the caller is a partner whose client has been revoked: every
-- partner_sync policy and the import functions check it, so a revoke takes
-- effect at once, for tokens already issued too (the gateway is stateless and
-- keeps no revocation list). A partner_sync token whose subject is no client of
-- this school (one minted with the JWT secret by another issuer) is judged by
-- its signature alone, as before this table existed. Called as
-- `(select auth.partner_client_active())`: once per statement.
create or replace function auth.partner_client_active() returns boolean
    language sql stable security definer
    set search_path to ''
    as $$
    select auth.role() is distinct from 'partner_sync'
        or not exists (
            select from data.partner_clients c
            where c.client_id = auth.claims() ->> 'sub'
              and (c.revoked_at is not null or c.school_id is distinct from auth.school_id()
                   -- A token issued before the secret's last rotation (issue 13): iat is in
                   -- whole seconds, so a token of the rotation's own second still works.
                   or (c.secret_rotated_at is not null
                       and coalesce(pg_catalog.to_timestamp((auth.claims() ->> 'iat')::double precision), '-infinity')
                           < pg_catalog.date_trunc('second', c.secret_rotated_at)))
        )
$$;

-- POST /oauth/token: the gateway, as authenticator (no role switch), looks the
-- client up and checks the secret in Python (argon2id). EXECUTE for
-- authenticator only, like auth.login_lookup.
create or replace function auth.partner_lookup(p_client_id text) returns table(client_id text, school_id uuid, secret_hash text, scopes text[], revoked boolean)
    language sql stable security definer
    set search_path to ''
    as $$
    select c.client_id::text, c.school_id, c.secret_hash::text, c.scopes, c.revoked_at is not null
    from data.partner_clients c
    where c.client_id = p_client_id
$$;

comment on function auth.partner_lookup(p_client_id text) is 'The partner client with this client_id: school, secret hash, scopes, revoked flag. Gateway only.';

-- No claims for a per-school reporting login. Such a login connects straight to Postgres, so it can run
-- set_config('request.jwt.claims', ...) itself: with claims honoured it could name
-- another school (auth.school_id() reads the claim first) and read that school
-- through the reporting policies, or claim role school_admin or any user's sub.
-- For a registered reporting login the claims are therefore always empty, and
-- auth.school_id() falls through to the registry. Every other session (the
-- gateway's authenticator, a DBA) reads the claims as before.
create or replace function auth.reporting_login_school() returns uuid
    language sql stable security definer
    set search_path to ''
    as $$
    select r.school_id from auth.reporting_logins r where r.role_name = session_user
$$;

comment on function auth.reporting_login_school() is 'The school of the session''s reporting login, or null when the session is not a registered reporting login.';

-- The request id the gateway put in `request.id` (null for work outside HTTP).
create or replace function auth.request_id() returns text
    language sql stable
    as $$
    select nullif(current_setting('request.id', true), '')
$$;

-- The API role the claims name (school_admin, teacher, parent, student, partner_sync, anon).
create or replace function auth.role() returns text
    language sql stable
    as $$
    select auth.claims() ->> 'role'
$$;

-- The caller's school: the JWT's school_id claim, or for a reporting login its
-- registered school. Null means "no school": every tenant policy then matches nothing.
-- SECURITY DEFINER only to read auth.reporting_logins, which no API role can read.
create or replace function auth.school_id() returns uuid
    language sql stable security definer
    set search_path to ''
    as $_$
    select coalesce(
        case
            when auth.claims() ->> 'school_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            then (auth.claims() ->> 'school_id')::uuid
        end,
        (select r.school_id from auth.reporting_logins r where r.role_name = session_user)
    )
$_$;

create or replace function auth.set_password_hash(p_user_id uuid, p_hash text) returns void
    language plpgsql security definer
    set search_path to ''
    as $_$
begin
    -- Only a hash may be stored, never a password by mistake.
    if p_hash is null or p_hash not like '$argon2id$%' then
        raise exception 'a password hash must be an argon2id PHC string'
            using errcode = '22023', hint = 'Hash the password with db.passwords.hash_password first.';
    end if;
    update data.users set password_hash = p_hash
    where id = p_user_id and not is_deleted;
    if not found then
        raise exception 'no login with id %', p_user_id
            using errcode = 'P0002';
    end if;
end
$_$;

comment on function auth.set_password_hash(p_user_id uuid, p_hash text) is 'Store a new argon2id hash for a login (rehash on login, password change). Gateway only.';

create or replace function auth.student_class_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(e.class_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.student_id = auth.student_id()
$$;

comment on function auth.student_class_ids() is 'Ids of the classes the calling student is enrolled in.';

-- (4) Students.
create or replace function auth.student_id() returns uuid
    language sql stable security definer
    set search_path to ''
    as $$
    select s.id
    from data.students s
    where s.school_id = auth.school_id()
      and s.user_id = auth.user_id()
      and not s.is_deleted
$$;

comment on function auth.student_id() is 'The caller''s student row (null when the caller is not a student of the claimed school).';

create or replace function auth.teacher_assessment_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(a.id), '{}')
    from data.assessments a
    where a.school_id = auth.school_id()
      and a.class_id = any (auth.teacher_class_ids())
$$;

comment on function auth.teacher_assessment_ids() is 'Ids of the assessments of the classes the calling teacher teaches.';

-- Assignments and assessments of those classes: what a teacher may grade.
create or replace function auth.teacher_assignment_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(a.id), '{}')
    from data.assignments a
    where a.school_id = auth.school_id()
      and a.class_id = any (auth.teacher_class_ids())
$$;

comment on function auth.teacher_assignment_ids() is 'Ids of the assignments of the classes the calling teacher teaches.';

-- The classes the caller teaches (classes.teacher_id).
create or replace function auth.teacher_class_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(c.id), '{}')
    from data.classes c
    where c.school_id = auth.school_id()
      and c.teacher_id = auth.teacher_id()
$$;

comment on function auth.teacher_class_ids() is 'Ids of the classes the calling teacher teaches.';

-- (2) Teachers.
-- The caller's teacher row in the caller's school.
create or replace function auth.teacher_id() returns uuid
    language sql stable security definer
    set search_path to ''
    as $$
    select t.id
    from data.teachers t
    where t.school_id = auth.school_id()
      and t.user_id = auth.user_id()
      and not t.is_deleted
$$;

comment on function auth.teacher_id() is 'The caller''s teacher row (null when the caller is not a teacher of the claimed school).';

-- The students enrolled in those classes.
create or replace function auth.teacher_student_ids() returns uuid[]
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(array_agg(distinct e.student_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.class_id = any (auth.teacher_class_ids())
$$;

comment on function auth.teacher_student_ids() is 'Ids of the students enrolled in the classes the calling teacher teaches.';

-- The user id (`sub`) when it is a user's uuid; partners' client ids are not.
create or replace function auth.user_id() returns uuid
    language sql stable
    as $_$
    select case
        when auth.claims() ->> 'sub' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then (auth.claims() ->> 'sub')::uuid
    end
$_$;

grant all on function auth.claims() to anon;
grant all on function auth.claims() to school_admin;
grant all on function auth.claims() to teacher;
grant all on function auth.claims() to parent;
grant all on function auth.claims() to student;
grant all on function auth.claims() to partner_sync;
grant all on function auth.claims() to reporting;

revoke all on function auth.has_scope(variadic p_scopes text[]) from public;
grant all on function auth.has_scope(variadic p_scopes text[]) to anon;
grant all on function auth.has_scope(variadic p_scopes text[]) to school_admin;
grant all on function auth.has_scope(variadic p_scopes text[]) to teacher;
grant all on function auth.has_scope(variadic p_scopes text[]) to parent;
grant all on function auth.has_scope(variadic p_scopes text[]) to student;
grant all on function auth.has_scope(variadic p_scopes text[]) to partner_sync;
grant all on function auth.has_scope(variadic p_scopes text[]) to reporting;

revoke all on function auth.login_lookup(p_email text, p_school_id uuid) from public;
grant all on function auth.login_lookup(p_email text, p_school_id uuid) to authenticator;

revoke all on function auth.login_lookup_by_id(p_user_id uuid) from public;
grant all on function auth.login_lookup_by_id(p_user_id uuid) to authenticator;

revoke all on function auth.may_read_demographics() from public;
grant all on function auth.may_read_demographics() to anon;
grant all on function auth.may_read_demographics() to school_admin;
grant all on function auth.may_read_demographics() to teacher;
grant all on function auth.may_read_demographics() to parent;
grant all on function auth.may_read_demographics() to student;
grant all on function auth.may_read_demographics() to partner_sync;
grant all on function auth.may_read_demographics() to reporting;

revoke all on function auth.may_read_roster() from public;
grant all on function auth.may_read_roster() to anon;
grant all on function auth.may_read_roster() to school_admin;
grant all on function auth.may_read_roster() to teacher;
grant all on function auth.may_read_roster() to parent;
grant all on function auth.may_read_roster() to student;
grant all on function auth.may_read_roster() to partner_sync;
grant all on function auth.may_read_roster() to reporting;

revoke all on function auth.may_read_gradebook() from public;
grant all on function auth.may_read_gradebook() to anon;
grant all on function auth.may_read_gradebook() to school_admin;
grant all on function auth.may_read_gradebook() to teacher;
grant all on function auth.may_read_gradebook() to parent;
grant all on function auth.may_read_gradebook() to student;
grant all on function auth.may_read_gradebook() to partner_sync;
grant all on function auth.may_read_gradebook() to reporting;

revoke all on function auth.may_write_gradebook() from public;
grant all on function auth.may_write_gradebook() to anon;
grant all on function auth.may_write_gradebook() to school_admin;
grant all on function auth.may_write_gradebook() to teacher;
grant all on function auth.may_write_gradebook() to parent;
grant all on function auth.may_write_gradebook() to student;
grant all on function auth.may_write_gradebook() to partner_sync;
grant all on function auth.may_write_gradebook() to reporting;

revoke all on function auth.may_write_roster() from public;
grant all on function auth.may_write_roster() to anon;
grant all on function auth.may_write_roster() to school_admin;
grant all on function auth.may_write_roster() to teacher;
grant all on function auth.may_write_roster() to parent;
grant all on function auth.may_write_roster() to student;
grant all on function auth.may_write_roster() to partner_sync;
grant all on function auth.may_write_roster() to reporting;

revoke all on function auth.parent_class_ids() from public;
grant all on function auth.parent_class_ids() to parent;

revoke all on function auth.parent_id() from public;
grant all on function auth.parent_id() to parent;

revoke all on function auth.parent_invoice_ids() from public;
grant all on function auth.parent_invoice_ids() to parent;

revoke all on function auth.parent_student_ids() from public;
grant all on function auth.parent_student_ids() to parent;

revoke all on function auth.partner_client_active() from public;
grant all on function auth.partner_client_active() to anon;
grant all on function auth.partner_client_active() to school_admin;
grant all on function auth.partner_client_active() to teacher;
grant all on function auth.partner_client_active() to parent;
grant all on function auth.partner_client_active() to student;
grant all on function auth.partner_client_active() to partner_sync;
grant all on function auth.partner_client_active() to reporting;

revoke all on function auth.partner_lookup(p_client_id text) from public;
grant all on function auth.partner_lookup(p_client_id text) to authenticator;

grant all on function auth.request_id() to anon;
grant all on function auth.request_id() to school_admin;
grant all on function auth.request_id() to teacher;
grant all on function auth.request_id() to parent;
grant all on function auth.request_id() to student;
grant all on function auth.request_id() to partner_sync;
grant all on function auth.request_id() to reporting;

grant all on function auth.role() to anon;
grant all on function auth.role() to school_admin;
grant all on function auth.role() to teacher;
grant all on function auth.role() to parent;
grant all on function auth.role() to student;
grant all on function auth.role() to partner_sync;
grant all on function auth.role() to reporting;

revoke all on function auth.school_id() from public;
grant all on function auth.school_id() to anon;
grant all on function auth.school_id() to school_admin;
grant all on function auth.school_id() to teacher;
grant all on function auth.school_id() to parent;
grant all on function auth.school_id() to student;
grant all on function auth.school_id() to partner_sync;
grant all on function auth.school_id() to reporting;

revoke all on function auth.set_password_hash(p_user_id uuid, p_hash text) from public;
grant all on function auth.set_password_hash(p_user_id uuid, p_hash text) to authenticator;

revoke all on function auth.student_class_ids() from public;
grant all on function auth.student_class_ids() to student;

revoke all on function auth.student_id() from public;
grant all on function auth.student_id() to student;

revoke all on function auth.teacher_assessment_ids() from public;
grant all on function auth.teacher_assessment_ids() to teacher;

revoke all on function auth.teacher_assignment_ids() from public;
grant all on function auth.teacher_assignment_ids() to teacher;

revoke all on function auth.teacher_class_ids() from public;
grant all on function auth.teacher_class_ids() to teacher;

revoke all on function auth.teacher_id() from public;
grant all on function auth.teacher_id() to teacher;

revoke all on function auth.teacher_student_ids() from public;
grant all on function auth.teacher_student_ids() to teacher;

grant all on function auth.user_id() to anon;
grant all on function auth.user_id() to school_admin;
grant all on function auth.user_id() to teacher;
grant all on function auth.user_id() to parent;
grant all on function auth.user_id() to student;
grant all on function auth.user_id() to partner_sync;
grant all on function auth.user_id() to reporting;

-- PostgreSQL database dump complete
