-- Undo 0012_import_up.sql.
drop function roster.import_oneroster(jsonb);
drop function roster.merge_demographics(uuid, text);
drop function roster.merge_enrollments(uuid, text);
drop function roster.merge_people(uuid, text, boolean);
drop function roster.merge_classes(uuid, text);
drop function roster.merge_subjects(uuid, text);
drop function roster.merge_terms(uuid, text);
drop function roster.deactivate(uuid, text, text, text, text);
drop function roster.analyze_after(text, bigint);
