-- Table state of m0017_bulk_writes (down), as it ran from tenancy/0017_school_relationships_down.sql, roster/0017_batch_ids_down.sql, audit/0017_bulk_writes_down.sql.
drop index audit.audit_log_user_id_idx;

create index audit_log_user_id_idx on audit.audit_log (school_id, user_id);

drop index audit.audit_log_record_idx;

create index audit_log_record_idx on audit.audit_log (school_id, table_name, record_id);

alter table audit.audit_log add constraint audit_log_school_id_fkey foreign key (school_id)
    references data.schools (id) on update cascade on delete restrict;

alter table data.enrollments add constraint enrollments_school_id_fkey foreign key (school_id)
    references data.schools (id) on update cascade on delete restrict;
