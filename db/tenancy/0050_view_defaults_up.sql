-- A client writing through an api view need not send school_id: it defaults to
-- the caller's school. A low-code form (react-admin's Create, a Retool form)
-- knows nothing of tenancy, and the value it would send is the only one the
-- policies accept anyway (WITH CHECK school_id = auth.school_id()): a school_id
-- that is sent is still checked, so nothing is trusted that was not before.
-- Runs after every migration that (re)creates api views: CREATE OR REPLACE VIEW
-- in a later migration must set the default again.
do $$
declare
    v record;
begin
    for v in
        select c.oid::regclass as view_name
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'school_id' and not a.attisdropped
        where n.nspname = 'api' and c.relkind = 'v'
        order by c.relname
    loop
        execute format('alter view %s alter column school_id set default auth.school_id()', v.view_name);
    end loop;
end
$$;
