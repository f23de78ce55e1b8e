-- Table state of m0004_tenancy (up), as it ran from tenancy/0004_scopes_up.sql, tenancy/0004_policies_up.sql, tenancy/0004_api_views_up.sql, tenancy/0004_grants_up.sql, tenancy/0004_reporting_up.sql, tenancy/0004_login_up.sql.
-- A login made through the API (an admin, a partner's roster sync) has no
-- password yet: '!' is not an argon2 hash, so it never verifies (the gateway's
-- verify_password answers false) until a password is set.
alter table data.users alter column password_hash set default '!';

comment on column data.users.password_hash is
    'argon2id PHC string; ''!'' (the default) means no password set. Readable only through auth.login_lookup*.';
