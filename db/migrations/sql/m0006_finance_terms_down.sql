-- Table state of m0006_finance_terms (down), as it ran from terms/0006_attendance_down.sql, terms/0006_terms_down.sql, finance/0006_finance_down.sql.
drop index data.academic_terms_school_id_current_key;
