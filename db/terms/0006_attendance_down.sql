-- Undo 0006_attendance_up.sql.
drop function api.mark_class_attendance(uuid, date, jsonb, text);
