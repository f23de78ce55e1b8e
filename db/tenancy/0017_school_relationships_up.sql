-- enrollments and audit_log lost their own foreign key to schools
-- (db/audit/0017_bulk_writes_up.sql (2)), and with it the relationship the
-- gateway derived from that key: `enrollments?select=*,schools(name)`. These
-- computed relationships (0016_computed_up.sql) keep that request working, an
-- object as before. Same rules as 0016's: SECURITY INVOKER over api views, so
-- the caller's grants and policies decide what they return.

create function api.schools(api.enrollments) returns setof api.schools
language sql stable
rows 1
set search_path = ''
as $$
    select s.* from api.schools s where s.id = $1.school_id
$$;
comment on function api.schools(api.enrollments) is
    'The enrollment''s school: a to-one computed relationship of enrollments (its key to schools is implied by its keys to students and classes).';

create function api.schools(api.audit_log) returns setof api.schools
language sql stable
rows 1
set search_path = ''
as $$
    select s.* from api.schools s where s.id = $1.school_id
$$;
comment on function api.schools(api.audit_log) is
    'The school of the audited row: a to-one computed relationship of audit_log.';

revoke execute on function api.schools(api.enrollments), api.schools(api.audit_log) from public;
-- Who reads enrollments and schools, and the audit log (0004_grants_up.sql).
grant execute on function api.schools(api.enrollments) to school_admin, teacher, parent, student, partner_sync, reporting;
grant execute on function api.schools(api.audit_log) to school_admin;
