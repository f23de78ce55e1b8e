-- Undo 0006_terms_up.sql.
drop function api.set_current_term(uuid);
drop trigger academic_term_after_update_sync_settings on data.academic_terms;
drop trigger academic_term_after_insert_sync_settings on data.academic_terms;
drop function data.academic_term_after_write_sync_settings();
drop trigger school_settings_before_write_current_term on data.school_settings;
drop function data.school_settings_before_write_current_term();
drop function data.current_term_id(uuid);
drop index data.academic_terms_school_id_current_key;
