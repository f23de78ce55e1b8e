-- Table state of m0059_oneroster_sort_keys (up), issue 17: a page sorted by
-- family name walks these in order (oneroster.*_keys `family_name`, then id).
create index students_oneroster_family_name on data.students (school_id, last_name, id);
create index teachers_oneroster_family_name on data.teachers (school_id, last_name, id);
create index parents_oneroster_family_name on data.parents (school_id, last_name, id);
