-- Table state of m0056_oneroster_paging (up), issue 17: indexes on the OneRoster
-- views' sourced_id expression (db/roster/oneroster_views.sql), then id: the
-- views' page order. They replace m0009's, whose text-typed expression no
-- query of the views matched (the views cast the id to varchar).
drop index data.students_oneroster_sourced_id;
create index students_oneroster_sourced_id on data.students (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
drop index data.teachers_oneroster_sourced_id;
create index teachers_oneroster_sourced_id on data.teachers (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
drop index data.parents_oneroster_sourced_id;
create index parents_oneroster_sourced_id on data.parents (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
drop index data.academic_terms_oneroster_sourced_id;
create index academic_terms_oneroster_sourced_id on data.academic_terms (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
drop index data.subjects_oneroster_sourced_id;
create index subjects_oneroster_sourced_id on data.subjects (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
drop index data.classes_oneroster_sourced_id;
create index classes_oneroster_sourced_id on data.classes (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
drop index data.enrollments_oneroster_sourced_id;
create index enrollments_oneroster_sourced_id on data.enrollments (school_id, (coalesce(sourced_id, ((id)::text)::character varying)), id);
-- The few deleted students and classes, which oneroster.enrollment_keys
-- excludes from its index walk (a scan of 100,000 students to find them cost
-- more than the page).
create index students_deleted_ids on data.students (school_id, id) where is_deleted;
create index classes_deleted_ids on data.classes (school_id, id) where is_deleted;
