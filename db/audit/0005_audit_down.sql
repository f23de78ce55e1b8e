-- Undo 0005_audit_up.sql: the append-only guard, the audit triggers and functions.
-- The log's rows stay (the table belongs to m0001).
grant update, delete, truncate on table audit.audit_log to school_owner;
drop trigger audit_log_refuse_changes on audit.audit_log;
drop function audit.audit_log_refuse_changes();

do $$
declare
    t record;
begin
    for t in
        select tgrelid::regclass as tbl, tgname
        from pg_trigger
        where tgname in ('audit_after_insert', 'audit_after_update', 'audit_after_delete')
          and tgfoid = 'audit.record_changes()'::regprocedure
    loop
        execute format('drop trigger %I on %s', t.tgname, t.tbl);
    end loop;
end
$$;
drop function audit.record_changes();
drop function audit.purge_in_progress();
drop table audit.purges_in_progress;
drop function audit.current_actor();
