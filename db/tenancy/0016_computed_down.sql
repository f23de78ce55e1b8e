-- Exactly what 0016_computed_up.sql created (the grants go with the functions).
drop function api.search_students(text);
drop function api.current_classes(api.teachers);
drop function api.current_classes(api.students);
drop function api.current_term(api.schools);
drop function api.full_name(api.parents);
drop function api.full_name(api.teachers);
drop function api.full_name(api.students);
