-- Table state of m0009_oneroster_views (up), as it ran from roster/oneroster_views_up.sql.
-- A OneRoster read names records by sourcedId, which for a record created here
-- is its id: the views' `sourced_id = $n` is this expression, keyed with the
-- school the policies add, so a lookup is an index scan, not a school scan.
create index students_oneroster_sourced_id on data.students (school_id, (coalesce(sourced_id, id::text)));

create index teachers_oneroster_sourced_id on data.teachers (school_id, (coalesce(sourced_id, id::text)));

create index parents_oneroster_sourced_id on data.parents (school_id, (coalesce(sourced_id, id::text)));

create index academic_terms_oneroster_sourced_id on data.academic_terms (school_id, (coalesce(sourced_id, id::text)));

create index subjects_oneroster_sourced_id on data.subjects (school_id, (coalesce(sourced_id, id::text)));

create index classes_oneroster_sourced_id on data.classes (school_id, (coalesce(sourced_id, id::text)));

create index enrollments_oneroster_sourced_id on data.enrollments (school_id, (coalesce(sourced_id, id::text)));
