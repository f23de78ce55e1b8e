-- Table state of m0054_partitions (down): the two tables unpartitioned again,
-- every row kept, keys and indexes as m0051 left them (primary keys on id).
-- Code objects are already dropped when a migration goes back (db/migrate.py).

create table data.attendance_records_unpartitioned (like data.attendance_records including defaults including constraints);
insert into data.attendance_records_unpartitioned select * from data.attendance_records;
drop table data.attendance_records;
alter table data.attendance_records_unpartitioned rename to attendance_records;
alter table data.attendance_records
    add constraint attendance_records_pkey primary key (id),
    add constraint attendance_records_student_day_session_key unique nulls not distinct (school_id, student_id, date, session),
    add constraint attendance_records_school_id_fkey foreign key (school_id) references data.schools (id) on update cascade on delete restrict,
    add constraint attendance_records_student_id_tenant_fkey foreign key (school_id, student_id) references data.students (school_id, id),
    add constraint attendance_records_class_id_tenant_fkey foreign key (school_id, class_id) references data.classes (school_id, id) on delete set null (class_id),
    add constraint attendance_records_recorded_by_id_tenant_fkey foreign key (school_id, recorded_by_id) references data.users (school_id, id);
create index attendance_records_class_id_date_idx on data.attendance_records (school_id, class_id, date);
create index attendance_records_date_idx on data.attendance_records (school_id, date);
create index attendance_records_recorded_by_id_idx on data.attendance_records (school_id, recorded_by_id);

create table audit.audit_log_unpartitioned (like audit.audit_log including defaults including constraints);
insert into audit.audit_log_unpartitioned select * from audit.audit_log;
drop table audit.audit_log;
alter table audit.audit_log_unpartitioned rename to audit_log;
alter table audit.audit_log
    add constraint audit_log_pkey primary key (id),
    add constraint audit_log_user_id_tenant_fkey foreign key (school_id, user_id) references data.users (school_id, id);
create index audit_log_record_idx on audit.audit_log (record_id);
create index audit_log_school_id_occurred_at_idx on audit.audit_log (school_id, occurred_at);
create index audit_log_user_id_idx on audit.audit_log (school_id, user_id) where user_id is not null;
