-- Table state of m0056_oneroster_paging (down): m0009's indexes.
drop index data.students_oneroster_sourced_id;
create index students_oneroster_sourced_id on data.students (school_id, (coalesce(sourced_id, id::text)));
drop index data.teachers_oneroster_sourced_id;
create index teachers_oneroster_sourced_id on data.teachers (school_id, (coalesce(sourced_id, id::text)));
drop index data.parents_oneroster_sourced_id;
create index parents_oneroster_sourced_id on data.parents (school_id, (coalesce(sourced_id, id::text)));
drop index data.academic_terms_oneroster_sourced_id;
create index academic_terms_oneroster_sourced_id on data.academic_terms (school_id, (coalesce(sourced_id, id::text)));
drop index data.subjects_oneroster_sourced_id;
create index subjects_oneroster_sourced_id on data.subjects (school_id, (coalesce(sourced_id, id::text)));
drop index data.classes_oneroster_sourced_id;
create index classes_oneroster_sourced_id on data.classes (school_id, (coalesce(sourced_id, id::text)));
drop index data.enrollments_oneroster_sourced_id;
create index enrollments_oneroster_sourced_id on data.enrollments (school_id, (coalesce(sourced_id, id::text)));
drop index data.students_deleted_ids;
drop index data.classes_deleted_ids;
