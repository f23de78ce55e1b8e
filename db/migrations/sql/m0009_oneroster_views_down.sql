-- Table state of m0009_oneroster_views (down), as it ran from roster/oneroster_views_down.sql.
-- Undo oneroster_views_up.sql (the grants go with the views).
drop index data.enrollments_oneroster_sourced_id;

drop index data.classes_oneroster_sourced_id;

drop index data.subjects_oneroster_sourced_id;

drop index data.academic_terms_oneroster_sourced_id;

drop index data.parents_oneroster_sourced_id;

drop index data.teachers_oneroster_sourced_id;

drop index data.students_oneroster_sourced_id;
