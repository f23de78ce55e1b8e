-- Table state of m0059_oneroster_sort_keys (down).
drop index data.students_oneroster_family_name;
drop index data.teachers_oneroster_family_name;
drop index data.parents_oneroster_family_name;
