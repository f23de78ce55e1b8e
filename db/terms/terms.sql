-- Academic terms: at most one current term per school, switched atomically by
-- api.set_current_term.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION api.set_current_term(p_term_id uuid) RETURNS api.academic_terms
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
    caller_school uuid := auth.school_id();
    term api.academic_terms;
begin
    if auth.role() is distinct from 'school_admin' or caller_school is null then
        raise exception 'only a school admin may change the current term'
            using errcode = '42501';
    end if;
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('data.academic_terms.is_current'),
                                             pg_catalog.hashtext(caller_school::text));
    perform from api.academic_terms t where t.school_id = caller_school and t.id = p_term_id;
    if not found then
        raise exception 'academic term % not found', p_term_id
            using errcode = 'P0002', hint = 'Only a term of your school that is not deleted can be made current.';
    end if;

    update api.academic_terms t set is_current = false
    where t.school_id = caller_school and t.is_current and t.id <> p_term_id;
    update api.academic_terms t set is_current = true
    where t.school_id = caller_school and t.id = p_term_id and not t.is_current;

    select * into term from api.academic_terms t where t.school_id = caller_school and t.id = p_term_id;
    return term;
end
$$;

CREATE OR REPLACE FUNCTION data.academic_term_after_write_sync_settings() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
    insert into data.school_settings as s (school_id) values (new.school_id)
    on conflict (school_id) do update set current_academic_term_id = s.current_academic_term_id;
    return null;
end
$$;

CREATE OR REPLACE FUNCTION data.current_term_id(p_school_id uuid) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    select t.id from data.academic_terms t
    where t.school_id = p_school_id and t.is_current and not t.is_deleted
$$;

CREATE OR REPLACE FUNCTION data.school_settings_before_write_current_term() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
    new.current_academic_term_id := data.current_term_id(new.school_id);
    return new;
end
$$;

CREATE OR REPLACE TRIGGER academic_term_after_insert_sync_settings AFTER INSERT ON data.academic_terms FOR EACH ROW WHEN ((new.is_current AND (NOT new.is_deleted))) EXECUTE FUNCTION data.academic_term_after_write_sync_settings();

CREATE OR REPLACE TRIGGER academic_term_after_update_sync_settings AFTER UPDATE OF is_current, is_deleted ON data.academic_terms FOR EACH ROW WHEN (((old.is_current AND (NOT old.is_deleted)) IS DISTINCT FROM (new.is_current AND (NOT new.is_deleted)))) EXECUTE FUNCTION data.academic_term_after_write_sync_settings();

CREATE OR REPLACE TRIGGER school_settings_before_write_current_term BEFORE INSERT OR UPDATE ON data.school_settings FOR EACH ROW EXECUTE FUNCTION data.school_settings_before_write_current_term();

REVOKE ALL ON FUNCTION api.set_current_term(p_term_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION api.set_current_term(p_term_id uuid) TO school_admin;

REVOKE ALL ON FUNCTION data.academic_term_after_write_sync_settings() FROM PUBLIC;

REVOKE ALL ON FUNCTION data.current_term_id(p_school_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION data.school_settings_before_write_current_term() FROM PUBLIC;

-- PostgreSQL database dump complete
