-- Claim helpers and scopes in `auth`: who is asking (role, school, user,
-- request id), which rows a teacher, parent or student reaches; login and
-- partner-client lookups.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION auth.claims() RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    select case
        when auth.reporting_login_school() is not null then '{}'::jsonb
        else coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
    end
$$;

CREATE OR REPLACE FUNCTION auth.has_scope(VARIADIC p_scopes text[]) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select auth.role() is distinct from 'partner_sync'
        or not (auth.claims() ? 'scope')
        or case jsonb_typeof(auth.claims() -> 'scope')
               when 'string' then regexp_split_to_array(auth.claims() ->> 'scope', '\s+') && p_scopes
               when 'array' then array(select jsonb_array_elements_text(auth.claims() -> 'scope')) && p_scopes
               else false
           end
$$;

COMMENT ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) IS 'False only for a partner_sync token whose scope claim names none of the given scopes.';

CREATE OR REPLACE FUNCTION auth.login_lookup(p_email text) RETURNS TABLE(user_id uuid, school_id uuid, db_role text, password_hash text, is_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    -- lower(email) is what data.users' unique index (users_email_key) is on.
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
      and not u.is_deleted
$$;

COMMENT ON FUNCTION auth.login_lookup(p_email text) IS 'The login with this email (case-insensitive): id, school, API role, password hash, active flag. Gateway only.';

CREATE OR REPLACE FUNCTION auth.login_lookup_by_id(p_user_id uuid) RETURNS TABLE(user_id uuid, school_id uuid, db_role text, password_hash text, is_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION auth.login_lookup_by_id(p_user_id uuid) IS 'The login with this id, as auth.login_lookup returns it (token refresh). Gateway only.';

CREATE OR REPLACE FUNCTION auth.may_read_demographics() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly')
$$;

CREATE OR REPLACE FUNCTION auth.may_read_roster() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select auth.has_scope('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
                          'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly')
$$;

CREATE OR REPLACE FUNCTION auth.may_write_roster() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    select auth.has_scope('urn:school-data-api:scope:roster.import')
$$;

CREATE OR REPLACE FUNCTION auth.parent_class_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(distinct e.class_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.student_id = any (auth.parent_student_ids())
$$;

COMMENT ON FUNCTION auth.parent_class_ids() IS 'Ids of the classes the calling parent''s children are enrolled in.';

CREATE OR REPLACE FUNCTION auth.parent_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select p.id
    from data.parents p
    where p.school_id = auth.school_id()
      and p.user_id = auth.user_id()
      and not p.is_deleted
$$;

COMMENT ON FUNCTION auth.parent_id() IS 'The caller''s parent row (null when the caller is not a parent of the claimed school).';

CREATE OR REPLACE FUNCTION auth.parent_invoice_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(i.id), '{}')
    from data.invoices i
    where i.school_id = auth.school_id()
      and (i.parent_id = auth.parent_id() or i.student_id = any (auth.parent_student_ids()))
$$;

COMMENT ON FUNCTION auth.parent_invoice_ids() IS 'Ids of the invoices billed to the calling parent or to their children.';

CREATE OR REPLACE FUNCTION auth.parent_student_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(sp.student_id), '{}')
    from data.student_parents sp
    where sp.school_id = auth.school_id()
      and sp.parent_id = auth.parent_id()
$$;

COMMENT ON FUNCTION auth.parent_student_ids() IS 'Ids of the calling parent''s linked children.';

CREATE OR REPLACE FUNCTION auth.partner_client_active() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select auth.role() is distinct from 'partner_sync'
        or not exists (
            select from data.partner_clients c
            where c.client_id = auth.claims() ->> 'sub'
              and (c.revoked_at is not null or c.school_id is distinct from auth.school_id())
        )
$$;

CREATE OR REPLACE FUNCTION auth.partner_lookup(p_client_id text) RETURNS TABLE(client_id text, school_id uuid, secret_hash text, scopes text[], revoked boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select c.client_id::text, c.school_id, c.secret_hash::text, c.scopes, c.revoked_at is not null
    from data.partner_clients c
    where c.client_id = p_client_id
$$;

COMMENT ON FUNCTION auth.partner_lookup(p_client_id text) IS 'The partner client with this client_id: school, secret hash, scopes, revoked flag. Gateway only.';

CREATE OR REPLACE FUNCTION auth.reporting_login_school() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select r.school_id from auth.reporting_logins r where r.role_name = session_user
$$;

COMMENT ON FUNCTION auth.reporting_login_school() IS 'The school of the session''s reporting login, or null when the session is not a registered reporting login.';

CREATE OR REPLACE FUNCTION auth.request_id() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    select nullif(current_setting('request.id', true), '')
$$;

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    select auth.claims() ->> 'role'
$$;

CREATE OR REPLACE FUNCTION auth.school_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $_$
    select coalesce(
        case
            when auth.claims() ->> 'school_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            then (auth.claims() ->> 'school_id')::uuid
        end,
        (select r.school_id from auth.reporting_logins r where r.role_name = session_user)
    )
$_$;

CREATE OR REPLACE FUNCTION auth.set_password_hash(p_user_id uuid, p_hash text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
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

COMMENT ON FUNCTION auth.set_password_hash(p_user_id uuid, p_hash text) IS 'Store a new argon2id hash for a login (rehash on login, password change). Gateway only.';

CREATE OR REPLACE FUNCTION auth.student_class_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(e.class_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.student_id = auth.student_id()
$$;

COMMENT ON FUNCTION auth.student_class_ids() IS 'Ids of the classes the calling student is enrolled in.';

CREATE OR REPLACE FUNCTION auth.student_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select s.id
    from data.students s
    where s.school_id = auth.school_id()
      and s.user_id = auth.user_id()
      and not s.is_deleted
$$;

COMMENT ON FUNCTION auth.student_id() IS 'The caller''s student row (null when the caller is not a student of the claimed school).';

CREATE OR REPLACE FUNCTION auth.teacher_assessment_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(a.id), '{}')
    from data.assessments a
    where a.school_id = auth.school_id()
      and a.class_id = any (auth.teacher_class_ids())
$$;

COMMENT ON FUNCTION auth.teacher_assessment_ids() IS 'Ids of the assessments of the classes the calling teacher teaches.';

CREATE OR REPLACE FUNCTION auth.teacher_assignment_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(a.id), '{}')
    from data.assignments a
    where a.school_id = auth.school_id()
      and a.class_id = any (auth.teacher_class_ids())
$$;

COMMENT ON FUNCTION auth.teacher_assignment_ids() IS 'Ids of the assignments of the classes the calling teacher teaches.';

CREATE OR REPLACE FUNCTION auth.teacher_class_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(c.id), '{}')
    from data.classes c
    where c.school_id = auth.school_id()
      and c.teacher_id = auth.teacher_id()
$$;

COMMENT ON FUNCTION auth.teacher_class_ids() IS 'Ids of the classes the calling teacher teaches.';

CREATE OR REPLACE FUNCTION auth.teacher_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select t.id
    from data.teachers t
    where t.school_id = auth.school_id()
      and t.user_id = auth.user_id()
      and not t.is_deleted
$$;

COMMENT ON FUNCTION auth.teacher_id() IS 'The caller''s teacher row (null when the caller is not a teacher of the claimed school).';

CREATE OR REPLACE FUNCTION auth.teacher_student_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select coalesce(array_agg(distinct e.student_id), '{}')
    from data.enrollments e
    where e.school_id = auth.school_id()
      and e.class_id = any (auth.teacher_class_ids())
$$;

COMMENT ON FUNCTION auth.teacher_student_ids() IS 'Ids of the students enrolled in the classes the calling teacher teaches.';

CREATE OR REPLACE FUNCTION auth.user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $_$
    select case
        when auth.claims() ->> 'sub' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then (auth.claims() ->> 'sub')::uuid
    end
$_$;

GRANT ALL ON FUNCTION auth.claims() TO anon;
GRANT ALL ON FUNCTION auth.claims() TO school_admin;
GRANT ALL ON FUNCTION auth.claims() TO teacher;
GRANT ALL ON FUNCTION auth.claims() TO parent;
GRANT ALL ON FUNCTION auth.claims() TO student;
GRANT ALL ON FUNCTION auth.claims() TO partner_sync;
GRANT ALL ON FUNCTION auth.claims() TO reporting;

REVOKE ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO anon;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO school_admin;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO teacher;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO parent;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO student;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO partner_sync;
GRANT ALL ON FUNCTION auth.has_scope(VARIADIC p_scopes text[]) TO reporting;

REVOKE ALL ON FUNCTION auth.login_lookup(p_email text) FROM PUBLIC;
GRANT ALL ON FUNCTION auth.login_lookup(p_email text) TO authenticator;

REVOKE ALL ON FUNCTION auth.login_lookup_by_id(p_user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION auth.login_lookup_by_id(p_user_id uuid) TO authenticator;

REVOKE ALL ON FUNCTION auth.may_read_demographics() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO anon;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO school_admin;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO teacher;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO parent;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO student;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO partner_sync;
GRANT ALL ON FUNCTION auth.may_read_demographics() TO reporting;

REVOKE ALL ON FUNCTION auth.may_read_roster() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.may_read_roster() TO anon;
GRANT ALL ON FUNCTION auth.may_read_roster() TO school_admin;
GRANT ALL ON FUNCTION auth.may_read_roster() TO teacher;
GRANT ALL ON FUNCTION auth.may_read_roster() TO parent;
GRANT ALL ON FUNCTION auth.may_read_roster() TO student;
GRANT ALL ON FUNCTION auth.may_read_roster() TO partner_sync;
GRANT ALL ON FUNCTION auth.may_read_roster() TO reporting;

REVOKE ALL ON FUNCTION auth.may_write_roster() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.may_write_roster() TO anon;
GRANT ALL ON FUNCTION auth.may_write_roster() TO school_admin;
GRANT ALL ON FUNCTION auth.may_write_roster() TO teacher;
GRANT ALL ON FUNCTION auth.may_write_roster() TO parent;
GRANT ALL ON FUNCTION auth.may_write_roster() TO student;
GRANT ALL ON FUNCTION auth.may_write_roster() TO partner_sync;
GRANT ALL ON FUNCTION auth.may_write_roster() TO reporting;

REVOKE ALL ON FUNCTION auth.parent_class_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.parent_class_ids() TO parent;

REVOKE ALL ON FUNCTION auth.parent_id() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.parent_id() TO parent;

REVOKE ALL ON FUNCTION auth.parent_invoice_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.parent_invoice_ids() TO parent;

REVOKE ALL ON FUNCTION auth.parent_student_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.parent_student_ids() TO parent;

REVOKE ALL ON FUNCTION auth.partner_client_active() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.partner_client_active() TO anon;
GRANT ALL ON FUNCTION auth.partner_client_active() TO school_admin;
GRANT ALL ON FUNCTION auth.partner_client_active() TO teacher;
GRANT ALL ON FUNCTION auth.partner_client_active() TO parent;
GRANT ALL ON FUNCTION auth.partner_client_active() TO student;
GRANT ALL ON FUNCTION auth.partner_client_active() TO partner_sync;
GRANT ALL ON FUNCTION auth.partner_client_active() TO reporting;

REVOKE ALL ON FUNCTION auth.partner_lookup(p_client_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION auth.partner_lookup(p_client_id text) TO authenticator;

GRANT ALL ON FUNCTION auth.request_id() TO anon;
GRANT ALL ON FUNCTION auth.request_id() TO school_admin;
GRANT ALL ON FUNCTION auth.request_id() TO teacher;
GRANT ALL ON FUNCTION auth.request_id() TO parent;
GRANT ALL ON FUNCTION auth.request_id() TO student;
GRANT ALL ON FUNCTION auth.request_id() TO partner_sync;
GRANT ALL ON FUNCTION auth.request_id() TO reporting;

GRANT ALL ON FUNCTION auth.role() TO anon;
GRANT ALL ON FUNCTION auth.role() TO school_admin;
GRANT ALL ON FUNCTION auth.role() TO teacher;
GRANT ALL ON FUNCTION auth.role() TO parent;
GRANT ALL ON FUNCTION auth.role() TO student;
GRANT ALL ON FUNCTION auth.role() TO partner_sync;
GRANT ALL ON FUNCTION auth.role() TO reporting;

REVOKE ALL ON FUNCTION auth.school_id() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.school_id() TO anon;
GRANT ALL ON FUNCTION auth.school_id() TO school_admin;
GRANT ALL ON FUNCTION auth.school_id() TO teacher;
GRANT ALL ON FUNCTION auth.school_id() TO parent;
GRANT ALL ON FUNCTION auth.school_id() TO student;
GRANT ALL ON FUNCTION auth.school_id() TO partner_sync;
GRANT ALL ON FUNCTION auth.school_id() TO reporting;

REVOKE ALL ON FUNCTION auth.set_password_hash(p_user_id uuid, p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION auth.set_password_hash(p_user_id uuid, p_hash text) TO authenticator;

REVOKE ALL ON FUNCTION auth.student_class_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.student_class_ids() TO student;

REVOKE ALL ON FUNCTION auth.student_id() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.student_id() TO student;

REVOKE ALL ON FUNCTION auth.teacher_assessment_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.teacher_assessment_ids() TO teacher;

REVOKE ALL ON FUNCTION auth.teacher_assignment_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.teacher_assignment_ids() TO teacher;

REVOKE ALL ON FUNCTION auth.teacher_class_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.teacher_class_ids() TO teacher;

REVOKE ALL ON FUNCTION auth.teacher_id() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.teacher_id() TO teacher;

REVOKE ALL ON FUNCTION auth.teacher_student_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION auth.teacher_student_ids() TO teacher;

GRANT ALL ON FUNCTION auth.user_id() TO anon;
GRANT ALL ON FUNCTION auth.user_id() TO school_admin;
GRANT ALL ON FUNCTION auth.user_id() TO teacher;
GRANT ALL ON FUNCTION auth.user_id() TO parent;
GRANT ALL ON FUNCTION auth.user_id() TO student;
GRANT ALL ON FUNCTION auth.user_id() TO partner_sync;
GRANT ALL ON FUNCTION auth.user_id() TO reporting;

-- PostgreSQL database dump complete
