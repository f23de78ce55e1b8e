-- Table state of m0052_email_per_school (down): back to emails unique across
-- schools. Fails (unique violation) while two schools share an address: merge
-- or rename those logins first; going back must not pick one silently.
drop index data.users_email_school_id_key;
create unique index users_email_key on data.users (lower(email)) where not is_deleted;
