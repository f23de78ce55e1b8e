-- Table state of m0006_finance_terms (up), as it ran from finance/0006_finance_up.sql, terms/0006_terms_up.sql, terms/0006_attendance_up.sql.
-- One current academic term per school (DESIGN.md, "Terms").
--
--   * the database refuses a second current term: a partial unique index;
--   * api.set_current_term switches in one transaction, serialised per school;
--   * data.school_settings.current_academic_term_id follows is_current on every
--     path (the function, a direct UPDATE, a soft delete): it is derived, like an
--     invoice's total, and a value a client writes there is replaced.

-- A deleted term is never current; a soft-deleted one frees the slot.
create unique index academic_terms_school_id_current_key on data.academic_terms (school_id)
    where is_current and not is_deleted;
