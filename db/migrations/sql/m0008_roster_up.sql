-- Table state of m0008_roster (up), as it ran from roster/0008_contract_up.sql.
-- Roster sync contract (m0008): the partner's OneRoster sourcedId.
--
-- Keys: unique per school and table where set. Not partial on is_deleted, unlike
-- the other keys of 0002: a soft-deleted row keeps its sourcedId, so a later
-- import naming it again revives that row instead of creating a twin. A schools
-- row is the tenant itself: it stores its org's sourcedId, unique where set.

create unique index schools_sourced_id_key on data.schools (sourced_id) where sourced_id is not null;

create unique index users_school_id_sourced_id_key on data.users (school_id, sourced_id) where sourced_id is not null;

create unique index students_school_id_sourced_id_key on data.students (school_id, sourced_id) where sourced_id is not null;

create unique index teachers_school_id_sourced_id_key on data.teachers (school_id, sourced_id) where sourced_id is not null;

create unique index parents_school_id_sourced_id_key on data.parents (school_id, sourced_id) where sourced_id is not null;

create unique index academic_terms_school_id_sourced_id_key on data.academic_terms (school_id, sourced_id) where sourced_id is not null;

create unique index subjects_school_id_sourced_id_key on data.subjects (school_id, sourced_id) where sourced_id is not null;

create unique index classes_school_id_sourced_id_key on data.classes (school_id, sourced_id) where sourced_id is not null;

create unique index enrollments_school_id_sourced_id_key on data.enrollments (school_id, sourced_id) where sourced_id is not null;
