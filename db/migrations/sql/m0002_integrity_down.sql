-- Table state of m0002_integrity (down), as it ran from integrity/0002_down.sql.
alter table data.invoice_items drop column line_total;

alter table data.invoice_items add column line_total numeric(10, 2) default null;

-- Every index and constraint that 0002 added, found by the names it gave them:
-- Piccolo's own are only <table>_pkey and <table>_school_id_fkey.
do $$
declare
    r record;
begin
    for r in
        select con.conrelid::regclass as tbl, con.conname
        from pg_constraint con
        join pg_namespace n on n.oid = con.connamespace
        where n.nspname in ('data', 'audit')
          and con.contype in ('f', 'u', 'c', 'x')
          and con.conname not like '%\_school\_id\_fkey'
        order by con.contype = 'f' desc  -- foreign keys before the keys they target
    loop
        execute format('alter table %s drop constraint %I', r.tbl, r.conname);
    end loop;
    for r in
        select i.indexrelid::regclass as idx
        from pg_index i
        join pg_class c on c.oid = i.indexrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('data', 'audit')
          and not exists (select from pg_constraint con where con.conindid = i.indexrelid)
    loop
        execute format('drop index %s', r.idx);
    end loop;
end
$$;

alter table data.student_parents drop constraint student_parents_pkey, add constraint student_parents_pkey primary key (id);

alter table data.enrollments drop constraint enrollments_pkey, add constraint enrollments_pkey primary key (id);
