-- Undo 0015_import_rules_up.sql: drop the rules' functions; the migration then
-- re-creates the 0012 import and people merge (0012_import_down + _up).
drop function roster.clear_dropped_teachers(uuid, text);
drop function roster.sync_guardian_links(uuid, text);
drop function roster.adopt_existing(uuid, jsonb);
drop function roster.validate_rules(uuid, jsonb);
drop function roster.match_existing(uuid);
