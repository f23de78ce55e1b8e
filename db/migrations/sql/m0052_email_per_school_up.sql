-- Table state of m0052_email_per_school (up), issue 13 F7.
--
-- users_email_key made an email unique across every school: a school admin
-- creating (or a partner importing) a user with an address another school
-- holds got a unique violation, i.e. proof that the address is a login
-- elsewhere. Unique per school instead, as SIS products do: a teacher working
-- at two schools of one group may hold a login at each with the same address.
-- lower(email) first, so the one index also serves a login by email alone
-- (auth.login_lookup without a school).
drop index data.users_email_key;
create unique index users_email_school_id_key on data.users (lower(email), school_id) where not is_deleted;
