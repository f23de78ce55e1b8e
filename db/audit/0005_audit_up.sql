-- The audit trail (DESIGN.md, "Audit"): one generic trigger function writes
-- audit.audit_log in the same transaction as the change, for every table in
-- `data`, whoever writes (gateway, partner sync, a DBA in psql).
--
-- Statement-level AFTER triggers with transition tables: a COPY or a partner
-- sync of 100,000 rows writes its log with one INSERT ... SELECT per statement
-- instead of 100,000 trigger calls. PostgreSQL allows transition tables only on
-- single-event triggers, hence three triggers per table.
--
-- Sections: (1) who is acting, (2) the purge marker, (3) the trigger function,
-- (4) the triggers on every data table, (5) append-only.

-- (1) Who is acting. One place for the rule, used by the trigger and by
-- api.purge_student (db/lifecycle). user_id is the JWT's user only when that
-- user exists, and the log keeps it only for rows of that user's school: the log
-- has a composite foreign key (school_id, user_id) to data.users.
-- actor_role is the claimed API role; without claims (a DBA, a migration, a
-- reporting login) it is the SET ROLE in force, else the login. current_user is
-- no use here: inside a SECURITY DEFINER function it is always the owner, while
-- the `role` setting still names what the session set.
create function audit.current_actor(
    out user_id uuid,
    out user_school_id uuid,
    out actor_role text,
    out actor_sub text,
    out request_id text
)
language sql stable
set search_path = ''
as $$
    select u.id,
           u.school_id,
           left(coalesce(auth.role(), nullif(current_setting('role'), 'none'), session_user::text), 63),
           left(auth.claims() ->> 'sub', 255),
           left(auth.request_id(), 255)
    from (select auth.user_id() as id) as claimed
    left join data.users u on u.id = claimed.id
$$;
revoke execute on function audit.current_actor() from public;

-- (2) A purge (api.purge_student) must remove personal data for real, so while it
-- runs the audit trigger records PURGE entries without the removed data, and the
-- soft-delete trigger lets its DELETEs through. The marker is a row keyed by the
-- transaction id in a table only the owner can write: a session setting would
-- let any caller switch auditing off. The purge deletes its row before it returns.
create table audit.purges_in_progress (
    transaction_id xid8 primary key,
    school_id uuid not null,
    student_id uuid not null
);
revoke all on table audit.purges_in_progress from public;

create function audit.purge_in_progress() returns boolean
language sql stable
set search_path = ''
as $$
    select exists (select from audit.purges_in_progress p where p.transaction_id = pg_catalog.pg_current_xact_id())
$$;
revoke execute on function audit.purge_in_progress() from public;

-- (3) The one audit trigger function. Arguments (set by the loop below):
--   tg_argv[0]  the column that identifies a row (id; school_id for school_settings)
--   tg_argv[1]  the column that names its school (school_id; id for data.schools)
-- SECURITY DEFINER so that the insert into audit.audit_log (which no API role may
-- write) and the user lookup succeed whoever made the change; owner school_owner,
-- empty search_path so a caller's objects can never be picked up.
-- Secrets never reach the log: password_hash is removed from old and new data.
-- An UPDATE that changes nothing but updated_at (a client re-saving a form, a
-- partner's idempotent upsert) is not logged. A change to a secret alone is
-- logged with identical old and new data: who changed it and when, not what.
-- The row's key is assumed immutable (ids are never updated); an UPDATE of the key
-- would not be paired with its old row and would go unlogged.
create function audit.record_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
    record_key constant text := tg_argv[0];
    school_key constant text := tg_argv[1];
    secrets constant text[] := array['password_hash'];
    purging constant boolean := audit.purge_in_progress();
    actor record;
begin
    select * into actor from audit.current_actor();

    if tg_op = 'INSERT' then
        insert into audit.audit_log
            (school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
        select school_id,
               case when school_id = actor.user_school_id then actor.user_id end,
               actor.actor_role, actor.actor_sub, tg_table_name, record_id,
               'CREATE', null, new_data, actor.request_id
        from (
            select (j ->> school_key)::uuid as school_id, (j ->> record_key)::uuid as record_id, j - secrets as new_data
            from (select to_jsonb(n) as j from new_rows n) as inserted
        ) as r;

    elsif tg_op = 'UPDATE' then
        -- EXECUTE plans this statement on every call, with the transition tables'
        -- real sizes. A cached plan does not: once a pooled session has run a few
        -- single-row UPDATEs, PL/pgSQL's generic plan keeps a nested loop over the
        -- two transition tables, and a 1,000-row UPDATE then spent 20-33 s here
        -- instead of 0.2 s (found by the seed loader; tests/db/test_audit.py).
        execute $update$
            insert into audit.audit_log
                (school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
            select (n.j ->> $1)::uuid,
                   case when (n.j ->> $1)::uuid = $3 then $2 end,
                   $4, $5, $6, (n.j ->> $7)::uuid,
                   case
                       when $8 then 'PURGE'
                       when (o.j ->> 'is_deleted')::boolean is false and (n.j ->> 'is_deleted')::boolean then 'SOFT_DELETE'
                       else 'UPDATE'
                   end,
                   -- A purge's old data is exactly what it erases.
                   case when not $8 then o.j - $9 end,
                   n.j - $9,
                   $10
            from (select to_jsonb(t) as j from new_rows t) as n
            join (select to_jsonb(t) as j from old_rows t) as o on o.j ->> $7 = n.j ->> $7
            where (n.j - 'updated_at') is distinct from (o.j - 'updated_at')
        $update$
        using school_key, actor.user_id, actor.user_school_id, actor.actor_role, actor.actor_sub,
              tg_table_name::text, record_key, purging, secrets, actor.request_id;

    else  -- DELETE: tables without soft delete, and rows a purge removes
        insert into audit.audit_log
            (school_id, user_id, actor_role, actor_sub, table_name, record_id, action, old_data, new_data, request_id)
        select school_id,
               case when school_id = actor.user_school_id then actor.user_id end,
               actor.actor_role, actor.actor_sub, tg_table_name, record_id,
               case when purging then 'PURGE' else 'DELETE' end,
               case when not purging then old_data end,
               null, actor.request_id
        from (
            select (j ->> school_key)::uuid as school_id, (j ->> record_key)::uuid as record_id, j - secrets as old_data
            from (select to_jsonb(o) as j from old_rows o) as deleted
        ) as r;
    end if;
    return null;
end
$$;
revoke execute on function audit.record_changes() from public;

-- (4) Every table in `data` is audited. The key columns come from the catalog:
-- `id` where the table has one, else its one-column primary key (school_settings).
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
        where n.nspname = 'data' and c.relkind = 'r'
        order by c.relname
    loop
        if t.record_key is null then
            raise exception 'cannot audit %: no id column and no one-column primary key', t.tbl;
        end if;
        execute format(
            'create trigger audit_after_insert after insert on %s referencing new table as new_rows
             for each statement execute function audit.record_changes(%L, %L)', t.tbl, t.record_key, t.school_key);
        execute format(
            'create trigger audit_after_update after update on %s referencing old table as old_rows new table as new_rows
             for each statement execute function audit.record_changes(%L, %L)', t.tbl, t.record_key, t.school_key);
        execute format(
            'create trigger audit_after_delete after delete on %s referencing old table as old_rows
             for each statement execute function audit.record_changes(%L, %L)', t.tbl, t.record_key, t.school_key);
    end loop;
end
$$;

-- (5) Append-only. Entries are never changed or removed, by anyone: API roles
-- hold no such privilege, the owner gives its own up, and a trigger refuses the
-- superuser too. ENABLE ALWAYS keeps the trigger firing under
-- session_replication_role = replica, the usual way to skip triggers.
-- (The owner could still drop the trigger; that is a migration, reviewed as one.)
create function audit.audit_log_refuse_changes() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    raise exception 'the audit log is append-only: % is not allowed', lower(tg_op)
        using errcode = '42501',
              hint = 'Audit entries are never changed or removed; make a correcting change and it is logged too.';
end
$$;
revoke execute on function audit.audit_log_refuse_changes() from public;

create trigger audit_log_refuse_changes before update or delete or truncate on audit.audit_log
    for each statement execute function audit.audit_log_refuse_changes();
alter table audit.audit_log enable always trigger audit_log_refuse_changes;

revoke update, delete, truncate on table audit.audit_log from public, school_owner;
