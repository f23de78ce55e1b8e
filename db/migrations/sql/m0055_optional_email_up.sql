-- Table state of m0055_optional_email (up), issue 17: OneRoster 1.2 users.csv
-- has email as an optional field; a student imported without one has no
-- login address. Only the NOT NULL goes: the CHECK on its form and the unique
-- index on lower(email) stay as they are (a NULL passes both).
alter table data.users alter column email drop not null;
