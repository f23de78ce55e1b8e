-- Table state of m0008_roster (down), as it ran from roster/0008_contract_down.sql.
drop index data.schools_sourced_id_key;

drop index data.users_school_id_sourced_id_key;

drop index data.students_school_id_sourced_id_key;

drop index data.teachers_school_id_sourced_id_key;

drop index data.parents_school_id_sourced_id_key;

drop index data.academic_terms_school_id_sourced_id_key;

drop index data.subjects_school_id_sourced_id_key;

drop index data.classes_school_id_sourced_id_key;

drop index data.enrollments_school_id_sourced_id_key;
