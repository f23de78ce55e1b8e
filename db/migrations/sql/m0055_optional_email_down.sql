-- Table state of m0055_optional_email (down): fails while a user has no email.
alter table data.users alter column email set not null;
