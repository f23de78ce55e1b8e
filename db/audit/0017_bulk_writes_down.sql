do $$
declare
    t regclass;
    stamp text;
begin
    for t, stamp in
        select g.tgrelid::regclass, g.tgname from pg_trigger g
        where g.tgname in ('stamp_timestamps', 'stamp_created_at') and not g.tgisinternal
    loop
        execute format('drop trigger %I on %s', stamp || '_sent', t);
        execute format('drop trigger %I on %s', stamp, t);
        execute format('create trigger %I before insert or update on %s for each row execute function data.%I()', stamp, t, stamp);
    end loop;
end
$$;

drop index audit.audit_log_user_id_idx;
create index audit_log_user_id_idx on audit.audit_log (school_id, user_id);
drop index audit.audit_log_record_idx;
create index audit_log_record_idx on audit.audit_log (school_id, table_name, record_id);

alter table audit.audit_log add constraint audit_log_school_id_fkey foreign key (school_id)
    references data.schools (id) on update cascade on delete restrict;
alter table data.enrollments add constraint enrollments_school_id_fkey foreign key (school_id)
    references data.schools (id) on update cascade on delete restrict;

-- audit.record_changes as 0013_record_changes_up.sql has it: the migration runs
-- that file after this one.
drop function data.uuidv7_batch(uuid, bigint);
