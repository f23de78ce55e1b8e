-- The audit trail: audit.record_changes() on every data table (statement-
-- level, transition tables), the append-only log, purge bookkeeping,
-- data.uuidv7_batch for ids in batches.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- (5) Append-only. Entries are never changed or removed, by anyone: API roles
-- hold no such privilege, the owner gives its own up, and a trigger refuses the
-- superuser too. ENABLE ALWAYS keeps the trigger firing under
-- session_replication_role = replica, the usual way to skip triggers.
-- (The owner could still drop the trigger; that is a migration, reviewed as one.)
create or replace function audit.audit_log_refuse_changes() returns trigger
    language plpgsql
    set search_path to ''
    as $$
begin
    raise exception 'the audit log is append-only: % is not allowed', lower(tg_op)
        using errcode = '42501',
              hint = 'Audit entries are never changed or removed; make a correcting change and it is logged too.';
end
$$;

-- (1) Who is acting. One place for the rule, used by the trigger and by
-- api.purge_student (db/lifecycle). user_id is the JWT's user only when that
-- user exists, and the log keeps it only for rows of that user's school: the log
-- has a composite foreign key (school_id, user_id) to data.users.
-- actor_role is the claimed API role; without claims (a DBA, a migration, a
-- reporting login) it is the SET ROLE in force, else the login. current_user is
-- no use here: inside a SECURITY DEFINER function it is always the owner, while
-- the `role` setting still names what the session set.
create or replace function audit.current_actor(out user_id uuid, out user_school_id uuid, out actor_role text, out actor_sub text, out request_id text) returns record
    language sql stable
    set search_path to ''
    as $$
    select u.id,
           u.school_id,
           left(coalesce(auth.role(), nullif(current_setting('role'), 'none'), session_user::text), 63),
           left(auth.claims() ->> 'sub', 255),
           left(auth.request_id(), 255)
    from (select auth.user_id() as id) as claimed
    left join data.users u on u.id = claimed.id
$$;

create or replace function audit.purge_in_progress() returns boolean
    language sql stable
    set search_path to ''
    as $$
    select exists (select from audit.purges_in_progress p where p.transaction_id = pg_catalog.pg_current_xact_id())
$$;

-- The audit trigger: one statement-level call per write, its entries' ids in a batch.
create or replace function audit.record_changes() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $_$
declare
    record_key constant text := tg_argv[0];
    school_key constant text := tg_argv[1];
    secrets constant text[] := array['password_hash', 'secret_hash'];  -- 0011 added secret_hash
    purging constant boolean := audit.purge_in_progress();
    has_secrets constant boolean := exists (
        select from pg_catalog.pg_attribute a
        where a.attrelid = tg_relid and a.attnum > 0 and not a.attisdropped and a.attname = any (secrets));
    actor record;
    first_id constant uuid := uuidv7();  -- the statement's batch of entry ids (data.uuidv7_batch)
begin
    select * into actor from audit.current_actor();

    if tg_op = 'INSERT' then
        execute format($insert$
            insert into audit.audit_log
                (id, school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
            select data.uuidv7_batch($9, row_number() over ()),
                   n.%1$I::uuid,
                   case when n.%1$I::uuid = $1 then $2 end,
                   $3, $4, $5, n.%2$I::uuid, 'CREATE', null,
                   case when $6 then to_jsonb(n) - $7 else to_jsonb(n) end,
                   $8
            from new_rows n
        $insert$, school_key, record_key)
        using actor.user_school_id, actor.user_id, actor.actor_role, actor.actor_sub, tg_table_name::text,
              has_secrets, secrets, actor.request_id, first_id;

    elsif tg_op = 'UPDATE' then
        execute format($update$
            insert into audit.audit_log
                (id, school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
            select data.uuidv7_batch($10, row_number() over ()),
                   n.school_id,
                   case when n.school_id = $1 then $2 end,
                   $3, $4, $5, n.record_id,
                   case
                       when $6 then 'PURGE'
                       when (o.j ->> 'is_deleted')::boolean is false and (n.j ->> 'is_deleted')::boolean then 'SOFT_DELETE'
                       else 'UPDATE'
                   end,
                   -- A purge's old data is exactly what it erases.
                   case when not $6 then case when $7 then o.j - $8 else o.j end end,
                   case when $7 then n.j - $8 else n.j end,
                   $9
            from (select t.%1$I::uuid as school_id, t.%2$I::uuid as record_id, to_jsonb(t) as j from new_rows t offset 0) as n
            join (select t.%2$I::uuid as record_id, to_jsonb(t) as j from old_rows t offset 0) as o on o.record_id = n.record_id
            where (n.j - 'updated_at') is distinct from (o.j - 'updated_at')
        $update$, school_key, record_key)
        using actor.user_school_id, actor.user_id, actor.actor_role, actor.actor_sub, tg_table_name::text,
              purging, has_secrets, secrets, actor.request_id, first_id;

    else  -- DELETE: tables without soft delete, and rows a purge removes
        execute format($delete$
            insert into audit.audit_log
                (id, school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
            select data.uuidv7_batch($10, row_number() over ()),
                   o.%1$I::uuid,
                   case when o.%1$I::uuid = $1 then $2 end,
                   $3, $4, $5, o.%2$I::uuid,
                   case when $6 then 'PURGE' else 'DELETE' end,
                   case when not $6 then case when $7 then to_jsonb(o) - $8 else to_jsonb(o) end end,
                   null, $9
            from old_rows o
        $delete$, school_key, record_key)
        using actor.user_school_id, actor.user_id, actor.actor_role, actor.actor_sub, tg_table_name::text,
              purging, has_secrets, secrets, actor.request_id, first_id;
    end if;
    return null;
end
$_$;

create or replace function data.uuidv7_batch(first_id uuid, n bigint) returns uuid
    language sql immutable parallel safe
    return (("left"((first_id)::text, 24) || lpad(to_hex(((((('x'::text || "right"((first_id)::text, 12)))::bit(48))::bigint + n) & '281474976710655'::bigint)), 12, '0'::text)))::uuid;

comment on function data.uuidv7_batch(first_id uuid, n bigint) is 'The n-th id of a batch that starts after first_id (a uuidv7()): one random draw per statement instead of per row.';

create or replace trigger audit_log_refuse_changes before delete or update or truncate on audit.audit_log for each statement execute function audit.audit_log_refuse_changes();

alter table audit.audit_log enable always trigger audit_log_refuse_changes;

-- The log is partitioned by month (m0054): a statement trigger on the parent
-- does not fire for a statement that names a partition, a row trigger is cloned
-- to every partition, present and future. Partitions also get a statement
-- trigger of their own (db/partitions/partitions.sql), for TRUNCATE.
create or replace trigger audit_log_refuse_row_changes before delete or update on audit.audit_log for each row execute function audit.audit_log_refuse_changes();

alter table audit.audit_log enable always trigger audit_log_refuse_row_changes;

revoke all on function audit.audit_log_refuse_changes() from public;

revoke all on function audit.current_actor(out user_id uuid, out user_school_id uuid, out actor_role text, out actor_sub text, out request_id text) from public;

revoke all on function audit.purge_in_progress() from public;

revoke all on function audit.record_changes() from public;

-- PostgreSQL database dump complete

-- Every data table is audited by the same three statement-level triggers (a
-- table added later gets them at the next rebuild). The record key is `id`, or
-- the one-column primary key; the school is `id` for schools.
do $$
declare
    t record;
begin
    for t in
        select c.oid::regclass as tbl,
               coalesce(
                   (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attname = 'id' and not a.attisdropped),
                   (select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                    where i.indrelid = c.oid and i.indisprimary and i.indnkeyatts = 1)
               ) as record_key,
               case when c.relname = 'schools' then 'id' else 'school_id' end as school_key
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'data' and c.relkind in ('r', 'p') and not c.relispartition
        order by c.relname
    loop
        if t.record_key is null then
            raise exception 'cannot audit %: no id column and no one-column primary key', t.tbl;
        end if;
        execute format(
            'create or replace trigger audit_after_insert after insert on %s referencing new table as new_rows
             for each statement execute function audit.record_changes(%L, %L)', t.tbl, t.record_key, t.school_key);
        execute format(
            'create or replace trigger audit_after_update after update on %s referencing old table as old_rows new table as new_rows
             for each statement execute function audit.record_changes(%L, %L)', t.tbl, t.record_key, t.school_key);
        execute format(
            'create or replace trigger audit_after_delete after delete on %s referencing old table as old_rows
             for each statement execute function audit.record_changes(%L, %L)', t.tbl, t.record_key, t.school_key);
    end loop;
end
$$;
