-- Table state of m0017_bulk_writes (up), as it ran from audit/0017_bulk_writes_up.sql, roster/0017_batch_ids_up.sql, tenancy/0017_school_relationships_up.sql.
-- (2)
alter table data.enrollments drop constraint enrollments_school_id_fkey;

alter table audit.audit_log drop constraint audit_log_school_id_fkey;

-- (3)
drop index audit.audit_log_user_id_idx;

create index audit_log_user_id_idx on audit.audit_log (school_id, user_id) where user_id is not null;

drop index audit.audit_log_record_idx;

create index audit_log_record_idx on audit.audit_log (record_id);
