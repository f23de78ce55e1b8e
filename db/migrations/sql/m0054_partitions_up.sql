-- Table state of m0054_partitions (up), issue 15 item 3: the two tables that
-- only grow, partitioned by month, so that a class's month of attendance reads
-- one partition and old audit months can be exported and dropped whole
-- (README "Scale-out", db/partitions/partitions.sql).
--
-- Each table is rebuilt: a partitioned table under a temporary name, one
-- partition per month that has rows plus a default partition (an insert never
-- fails for lack of a partition), every row copied, the old table dropped, the
-- new one renamed, then keys, foreign keys and indexes with the old names
-- (built after the copy: faster than maintaining them row by row). Ids are
-- uuids copied as they are; there are no sequences. No code exists while this
-- runs (db/migrate.py drops it first), so the copy fires no trigger and writes
-- no audit entry.
--
-- Keys. A partitioned table's primary key and unique constraints must contain
-- the partition key (PostgreSQL: "unique constraints on partitioned tables
-- must include all the partitioning columns"). No foreign key points at either
-- table, so the primary keys become (school_id, id, date) and
-- (school_id, id, occurred_at): tenant-leading, as db/SCALE_OUT.md asks of
-- every key, and still unique on `id`, a uuidv7, by construction (no index
-- can say `id` alone is unique across partitions). The register's key
-- (school_id, student_id, date, session) already contains the date.

create table data.attendance_records_partitioned (
    id uuid default uuidv7() constraint attendance_records_id_not_null not null,
    date date constraint attendance_records_date_not_null not null,
    status character varying(50) default null::character varying constraint attendance_records_status_not_null not null,
    session character varying(50) default null::character varying,
    student_id uuid constraint attendance_records_student_id_not_null not null,
    class_id uuid,
    recorded_by_id uuid constraint attendance_records_recorded_by_id_not_null not null,
    school_id uuid constraint attendance_records_school_id_not_null not null,
    created_at timestamp with time zone default current_timestamp constraint attendance_records_created_at_not_null not null,
    updated_at timestamp with time zone default current_timestamp constraint attendance_records_updated_at_not_null not null,
    constraint attendance_records_status_check check (status in ('PRESENT', 'ABSENT', 'LATE', 'EXCUSED'))
) partition by range (date);

create table audit.audit_log_partitioned (
    id uuid default uuidv7() constraint audit_log_id_not_null not null,
    school_id uuid constraint audit_log_school_id_not_null not null,
    user_id uuid,
    actor_role character varying(63) default null::character varying,
    actor_sub character varying(255) default null::character varying,
    occurred_at timestamp with time zone default current_timestamp constraint audit_log_occurred_at_not_null not null,
    table_name character varying(255) default null::character varying constraint audit_log_table_name_not_null not null,
    record_id uuid constraint audit_log_record_id_not_null not null,
    action character varying(50) default null::character varying constraint audit_log_action_not_null not null,
    old_data jsonb,
    new_data jsonb,
    request_id character varying(255) default null::character varying,
    constraint audit_log_action_check check (action in ('CREATE', 'UPDATE', 'DELETE', 'SOFT_DELETE', 'PURGE'))
) partition by range (occurred_at);

-- One partition per calendar month that has rows (UTC months for the log), named
-- <table>_YYYY_MM as data.ensure_partitions names the ones it makes ahead.
do $$
declare
    month date;
begin
    for month in select distinct date_trunc('month', a.date)::date from data.attendance_records a loop
        execute format('create table data.%I partition of data.attendance_records_partitioned for values from (%L) to (%L)',
                       'attendance_records_' || to_char(month, 'YYYY_MM'), month, (month + interval '1 month')::date);
    end loop;
    for month in select distinct date_trunc('month', l.occurred_at at time zone 'UTC')::date from audit.audit_log l loop
        execute format('create table audit.%I partition of audit.audit_log_partitioned for values from (%L) to (%L)',
                       'audit_log_' || to_char(month, 'YYYY_MM'),
                       month::timestamp at time zone 'UTC', (month + interval '1 month')::timestamp at time zone 'UTC');
    end loop;
end
$$;
create table data.attendance_records_default partition of data.attendance_records_partitioned default;
create table audit.audit_log_default partition of audit.audit_log_partitioned default;

insert into data.attendance_records_partitioned
    (id, date, status, session, student_id, class_id, recorded_by_id, school_id, created_at, updated_at)
select id, date, status, session, student_id, class_id, recorded_by_id, school_id, created_at, updated_at
from data.attendance_records;
insert into audit.audit_log_partitioned
    (id, school_id, user_id, actor_role, actor_sub, occurred_at, table_name, record_id, action, old_data, new_data, request_id)
select id, school_id, user_id, actor_role, actor_sub, occurred_at, table_name, record_id, action, old_data, new_data, request_id
from audit.audit_log;

drop table data.attendance_records;
drop table audit.audit_log;
alter table data.attendance_records_partitioned rename to attendance_records;
alter table audit.audit_log_partitioned rename to audit_log;

alter table data.attendance_records
    add constraint attendance_records_pkey primary key (school_id, id, date),
    add constraint attendance_records_student_day_session_key unique nulls not distinct (school_id, student_id, date, session),
    add constraint attendance_records_school_id_fkey foreign key (school_id) references data.schools (id) on update cascade on delete restrict,
    add constraint attendance_records_student_id_tenant_fkey foreign key (school_id, student_id) references data.students (school_id, id),
    add constraint attendance_records_class_id_tenant_fkey foreign key (school_id, class_id) references data.classes (school_id, id) on delete set null (class_id),
    add constraint attendance_records_recorded_by_id_tenant_fkey foreign key (school_id, recorded_by_id) references data.users (school_id, id);
create index attendance_records_class_id_date_idx on data.attendance_records (school_id, class_id, date);
create index attendance_records_date_idx on data.attendance_records (school_id, date);
create index attendance_records_recorded_by_id_idx on data.attendance_records (school_id, recorded_by_id);

alter table audit.audit_log
    add constraint audit_log_pkey primary key (school_id, id, occurred_at),
    add constraint audit_log_user_id_tenant_fkey foreign key (school_id, user_id) references data.users (school_id, id);
-- The record index stays on record_id alone (m0017: cheaper to maintain on
-- bulk writes; a record id is a uuid, so it finds one school's rows anyway).
create index audit_log_record_idx on audit.audit_log (record_id);
create index audit_log_school_id_occurred_at_idx on audit.audit_log (school_id, occurred_at);
create index audit_log_user_id_idx on audit.audit_log (school_id, user_id) where user_id is not null;

analyze data.attendance_records;
analyze audit.audit_log;
