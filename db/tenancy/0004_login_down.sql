-- Undo 0004_login_up.sql.
drop function auth.set_password_hash(uuid, text);
drop function auth.login_lookup_by_id(uuid);
drop function auth.login_lookup(text);
comment on column data.users.password_hash is null;
alter table data.users alter column password_hash set default null;
revoke usage on schema auth from authenticator;
