-- The login path. The gateway, connected as `authenticator` and before it
-- switches to any API role, looks a user up by email (password login) or by id
-- (token refresh), verifies the argon2id hash in Python (db/passwords.py), and
-- stores a fresh hash when the parameters changed (rehash on login).
--
-- These are the only ways to read or write data.users.password_hash outside the
-- owner: SECURITY DEFINER (owner school_owner, whose users_owner_all policy lets
-- it see every school's users: a login does not know its school yet), EXECUTE
-- for authenticator only. No API role can call them, so a teacher or a partner
-- can never read a hash, even their own.
--
-- The gateway relies on these exact signatures.

-- authenticator itself needs to reach `auth` to call them (its NOINHERIT
-- membership in the API roles does not lend it their USAGE).
grant usage on schema auth to authenticator;

-- A login made through the API (an admin, a partner's roster sync) has no
-- password yet: '!' is not an argon2 hash, so it never verifies (the gateway's
-- verify_password answers false) until a password is set.
alter table data.users alter column password_hash set default '!';
comment on column data.users.password_hash is
    'argon2id PHC string; ''!'' (the default) means no password set. Readable only through auth.login_lookup*.';

create function auth.login_lookup(p_email text)
returns table (user_id uuid, school_id uuid, db_role text, password_hash text, is_active boolean)
language sql stable security definer
set search_path = ''
as $$
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
comment on function auth.login_lookup(text) is
    'The login with this email (case-insensitive): id, school, API role, password hash, active flag. Gateway only.';

create function auth.login_lookup_by_id(p_user_id uuid)
returns table (user_id uuid, school_id uuid, db_role text, password_hash text, is_active boolean)
language sql stable security definer
set search_path = ''
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
comment on function auth.login_lookup_by_id(uuid) is
    'The login with this id, as auth.login_lookup returns it (token refresh). Gateway only.';

create function auth.set_password_hash(p_user_id uuid, p_hash text) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
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
$$;
comment on function auth.set_password_hash(uuid, text) is
    'Store a new argon2id hash for a login (rehash on login, password change). Gateway only.';

revoke execute on function auth.login_lookup(text), auth.login_lookup_by_id(uuid), auth.set_password_hash(uuid, text)
    from public;
grant execute on function auth.login_lookup(text), auth.login_lookup_by_id(uuid), auth.set_password_hash(uuid, text)
    to authenticator;
