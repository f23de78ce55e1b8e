-- Table state of m0005_audit_lifecycle (down), as it ran from lifecycle/0005_purge_down.sql, lifecycle/0005_soft_delete_down.sql, audit/0005_audit_down.sql.
drop table audit.purges_in_progress;
