-- Undo 0004_policies_up.sql: every policy on the tables it covered, then RLS off.
-- Later migrations are undone first, so the policies left here are all ours.
do $$
declare
    p record;
    t regclass;
begin
    for p in
        select format('%I.%I', schemaname, tablename) as tbl, policyname
        from pg_policies
        where schemaname = 'data'
           or (schemaname, tablename) in (('audit', 'audit_log'), ('auth', 'reporting_logins'))
    loop
        execute format('drop policy %I on %s', p.policyname, p.tbl);
    end loop;
    for t in
        select c.oid::regclass
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p')
          and (n.nspname = 'data'
               or (n.nspname, c.relname) in (('audit', 'audit_log'), ('auth', 'reporting_logins')))
    loop
        execute format('alter table %s no force row level security', t);
        execute format('alter table %s disable row level security', t);
    end loop;
end
$$;
