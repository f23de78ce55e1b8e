-- Soft delete: DELETE on a table with is_deleted marks the row; DELETE on its
-- api view does the same.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

CREATE OR REPLACE FUNCTION data.soft_delete_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
    also_clear text := '';
begin
    if audit.purge_in_progress() then
        return old;
    end if;
    for i in 0 .. tg_nargs - 1 loop
        also_clear := also_clear || format(', %I = false', tg_argv[i]);
    end loop;
    execute format('update %I.%I set is_deleted = true%s where id = $1 and not is_deleted',
                   tg_table_schema, tg_table_name, also_clear)
        using old.id;
    -- Tells data.soft_delete_through_view (same statement, same transaction) that
    -- this row was marked. Transaction-local; forging it gains nothing, the view
    -- trigger resets it before each row.
    perform set_config('lifecycle.soft_deleted_id', old.id::text, true);
    return null;
end
$_$;

CREATE OR REPLACE FUNCTION data.soft_delete_through_view() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
    base regclass := format('data.%I', tg_table_name)::regclass;
    acting_role text := coalesce(nullif(current_setting('role'), 'none'), session_user::text);
begin
    if not pg_catalog.has_table_privilege(acting_role, base, 'DELETE') then
        raise exception 'permission denied to delete from %', tg_table_name
            using errcode = '42501';
    end if;
    perform set_config('lifecycle.soft_deleted_id', '', true);
    execute format('delete from %s where id = $1', base) using old.id;
    if current_setting('lifecycle.soft_deleted_id', true) = old.id::text then
        return old;
    end if;
    return null;
end
$_$;

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.academic_terms FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.assessments FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.assignments FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.classes FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.communication_logs FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.discipline_incidents FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.fee_types FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.grades FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.health_records FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.invoices FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.parents FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.payments FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.rooms FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.students FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.subjects FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.teachers FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_instead_of_delete INSTEAD OF DELETE ON api.users FOR EACH ROW EXECUTE FUNCTION data.soft_delete_through_view();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.academic_terms FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.assessments FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.assignments FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.classes FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.communication_logs FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.discipline_incidents FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.fee_types FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.grades FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.health_records FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.invoices FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.parents FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.payments FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.rooms FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.students FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.subjects FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.teachers FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row();

CREATE OR REPLACE TRIGGER soft_delete_before_delete BEFORE DELETE ON data.users FOR EACH ROW EXECUTE FUNCTION data.soft_delete_row('is_active');

REVOKE ALL ON FUNCTION data.soft_delete_row() FROM PUBLIC;

REVOKE ALL ON FUNCTION data.soft_delete_through_view() FROM PUBLIC;

-- PostgreSQL database dump complete
