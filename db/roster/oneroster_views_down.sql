-- Undo oneroster_views_up.sql (the grants go with the views).
drop index data.enrollments_oneroster_sourced_id;
drop index data.classes_oneroster_sourced_id;
drop index data.subjects_oneroster_sourced_id;
drop index data.academic_terms_oneroster_sourced_id;
drop index data.parents_oneroster_sourced_id;
drop index data.teachers_oneroster_sourced_id;
drop index data.students_oneroster_sourced_id;
drop view api.oneroster_enrollments;
drop view api.oneroster_demographics;
drop view api.oneroster_agents;
drop view api.oneroster_users;
drop view api.oneroster_classes;
drop view api.oneroster_courses;
drop view api.oneroster_academic_sessions;
drop view api.oneroster_orgs;
