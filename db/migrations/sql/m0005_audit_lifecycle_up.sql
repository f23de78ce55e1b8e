-- Table state of m0005_audit_lifecycle (up), as it ran from audit/0005_audit_up.sql, lifecycle/0005_soft_delete_up.sql, lifecycle/0005_purge_up.sql.
-- (2) A purge (api.purge_student) must remove personal data for real, so while it
-- runs the audit trigger records PURGE entries without the removed data, and the
-- soft-delete trigger lets its DELETEs through. The marker is a row keyed by the
-- transaction id in a table only the owner can write: a session setting would
-- let any caller switch auditing off. The purge deletes its row before it returns.
create table audit.purges_in_progress (
    transaction_id xid8 primary key,
    school_id uuid not null,
    student_id uuid not null
);
