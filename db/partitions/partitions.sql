-- Partitioned history (issue 15): data.attendance_records by `date` and
-- audit.audit_log by `occurred_at`, one partition per calendar month (UTC for
-- the log) plus a default partition; the tables themselves are state
-- (db/migrations/sql/m0054_partitions_up.sql). Here: partitions made ahead,
-- and what every partition carries besides its parent's.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).
--
-- Policies and grants live on the parents: a query through the parent is
-- checked against the parent's policies only. A partition is a table of its
-- own that the owner could name directly, so each one also has row-level
-- security enabled and forced with only the owner's policy, and no grant: an
-- API role that named a partition would be refused before any row is read.
-- Audit partitions refuse UPDATE, DELETE and TRUNCATE like the log itself
-- (the parent's statement trigger does not fire for a statement that names a
-- partition; its row trigger is cloned to every partition by PostgreSQL).

create or replace function data.secure_partition(p_partition regclass) returns void
    language plpgsql
    set search_path to ''
    as $$
declare
    owner_policy constant text := (select c.relname from pg_class c where c.oid = p_partition) || '_owner_all';
    grantee text;
begin
    if not exists (select from pg_inherits i where i.inhrelid = p_partition
                   and i.inhparent in ('data.attendance_records'::regclass, 'audit.audit_log'::regclass)) then
        raise exception '% is not a partition of a partitioned history table', p_partition using errcode = '22023';
    end if;
    execute format('alter table %s enable row level security', p_partition);
    execute format('alter table %s force row level security', p_partition);
    if exists (select from pg_policy p where p.polrelid = p_partition and p.polname = owner_policy) then
        execute format('drop policy %I on %s', owner_policy, p_partition);
    end if;
    execute format('create policy %I on %s for all to school_owner using (true) with check (true)', owner_policy, p_partition);
    -- Whatever was granted on the table (a copy made with LIKE has none; a hand-made one may).
    for grantee in
        select distinct case a.grantee when 0 then 'public' else a.grantee::regrole::text end
        from pg_class c cross join aclexplode(c.relacl) a
        where c.oid = p_partition and a.grantee <> c.relowner
    loop
        execute format('revoke all on table %s from %s', p_partition, grantee);
    end loop;
    if (select i.inhparent from pg_inherits i where i.inhrelid = p_partition) = 'audit.audit_log'::regclass then
        execute format('create or replace trigger audit_log_refuse_changes before delete or update or truncate on %s
                        for each statement execute function audit.audit_log_refuse_changes()', p_partition);
        execute format('alter table %s enable always trigger audit_log_refuse_changes', p_partition);
    end if;
end
$$;

comment on function data.secure_partition(regclass) is 'Row-level security forced (owner policy only), no grants, and for audit partitions the append-only triggers: what every partition carries.';

-- Partitions for the current month and the next `months_ahead` months of both
-- tables, each created once (run by `migrate` and `school-gateway partitions
-- ensure`; from cron, monthly or daily: a run that finds its partitions does
-- nothing). Rows that landed in the default partition for a month that now
-- gets its own partition (the month began before any run made it) are moved
-- into it in the same transaction: PostgreSQL refuses to create a partition
-- whose range the default partition holds rows of. Moving audit rows deletes
-- them from the default partition, which its append-only triggers refuse, so
-- they are switched off for that one statement and on again (ALTER TABLE:
-- only the owner can, as only the owner can drop them). Owner only.
create or replace function data.ensure_partitions(months_ahead integer default 3) returns setof text
    language plpgsql
    set search_path to ''
    as $$
declare
    parent record;
    first_month constant date := date_trunc('month', now() at time zone 'UTC')::date;
    month date;
    partition_name text;
    low text;
    high text;
    in_default bigint;
begin
    if months_ahead is null or months_ahead < 0 or months_ahead > 120 then
        raise exception 'months_ahead must be between 0 and 120, not %', months_ahead using errcode = '22023';
    end if;
    for parent in
        select p.oid::regclass as tbl, n.nspname as schema_name, c.relname, k.attname as key_column,
               k.atttypid = 'date'::regtype as by_date,
               (select i.inhrelid::regclass from pg_inherits i join pg_class d on d.oid = i.inhrelid
                where i.inhparent = p.oid and pg_get_expr(d.relpartbound, d.oid) = 'DEFAULT') as default_partition
        from (values ('data.attendance_records'::regclass), ('audit.audit_log'::regclass)) as p(oid)
        join pg_class c on c.oid = p.oid
        join pg_namespace n on n.oid = c.relnamespace
        join pg_partitioned_table pt on pt.partrelid = p.oid
        join pg_attribute k on k.attrelid = p.oid and k.attnum = pt.partattrs[0]
    loop
        for month in select generate_series(first_month, first_month + make_interval(months => months_ahead), '1 month')::date loop
            partition_name := parent.relname || '_' || to_char(month, 'YYYY_MM');
            continue when to_regclass(format('%I.%I', parent.schema_name, partition_name)) is not null;
            if parent.by_date then
                low := quote_literal(month);
                high := quote_literal((month + interval '1 month')::date);
            else
                low := quote_literal(month::timestamp at time zone 'UTC');
                high := quote_literal((month + interval '1 month')::timestamp at time zone 'UTC');
            end if;
            execute format('select count(*) from %s where %I >= %s and %I < %s',
                           parent.default_partition, parent.key_column, low, parent.key_column, high) into in_default;
            if in_default = 0 then
                execute format('create table %I.%I partition of %s for values from (%s) to (%s)',
                               parent.schema_name, partition_name, parent.tbl, low, high);
            else
                perform data.move_from_default(parent.tbl, parent.default_partition, parent.key_column,
                                               format('%I.%I', parent.schema_name, partition_name), low, high);
            end if;
            perform data.secure_partition(format('%I.%I', parent.schema_name, partition_name)::regclass);
            return next format('%I.%I', parent.schema_name, partition_name);
        end loop;
    end loop;
end
$$;

comment on function data.ensure_partitions(integer) is 'Creates the monthly partitions of attendance_records and audit_log for this month and months_ahead more (moving rows out of the default partition when needed); returns the partitions it created.';

-- A new partition for rows that are already in the default partition: a
-- table of the parent's shape, the rows moved into it, then attached (which
-- checks the default partition holds none of its range any more).
create or replace function data.move_from_default(p_parent regclass, p_default regclass, p_key text, p_name text, p_low text, p_high text) returns void
    language plpgsql
    set search_path to ''
    as $$
declare
    audited constant boolean := p_parent = 'audit.audit_log'::regclass;
begin
    execute format('create table %s (like %s including defaults including constraints)', p_name, p_parent);
    if audited then
        execute format('alter table %s disable trigger audit_log_refuse_changes, disable trigger audit_log_refuse_row_changes', p_default);
    end if;
    execute format('with moved as (delete from %s where %I >= %s and %I < %s returning *) insert into %s select * from moved',
                   p_default, p_key, p_low, p_key, p_high, p_name);
    if audited then
        execute format('alter table %s enable always trigger audit_log_refuse_changes, enable always trigger audit_log_refuse_row_changes', p_default);
    end if;
    execute format('alter table %s attach partition %s for values from (%s) to (%s)', p_parent, p_name, p_low, p_high);
end
$$;

revoke all on function data.secure_partition(regclass) from public;
revoke all on function data.ensure_partitions(integer) from public;
revoke all on function data.move_from_default(regclass, regclass, text, text, text, text) from public;

-- Every partition there is now (those the migration made, the defaults, and
-- those made ahead), after a rebuild dropped their policies and triggers.
do $$
declare
    p regclass;
begin
    for p in
        select i.inhrelid::regclass from pg_inherits i
        where i.inhparent in ('data.attendance_records'::regclass, 'audit.audit_log'::regclass)
        order by 1
    loop
        perform data.secure_partition(p);
    end loop;
end
$$;
