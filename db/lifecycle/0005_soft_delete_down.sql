-- Undo 0005_soft_delete_up.sql: the triggers on data tables and api views, then their functions.
do $$
declare
    t record;
begin
    for t in
        select tgrelid::regclass as rel, tgname
        from pg_trigger
        where tgfoid in ('data.soft_delete_row()'::regprocedure, 'data.soft_delete_through_view()'::regprocedure)
    loop
        execute format('drop trigger %I on %s', t.tgname, t.rel);
    end loop;
end
$$;
drop function data.soft_delete_through_view();
drop function data.soft_delete_row();
