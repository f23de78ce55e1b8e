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
    loop
        execute format('alter view %s alter column school_id drop default', v.view_name);
    end loop;
end
$$;
