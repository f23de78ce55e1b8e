-- Undo 0005_purge_up.sql.
drop function api.purge_student(uuid, text);
