-- Bulk writes (issue 7): a first OneRoster load of a large school writes ~500,000
-- rows and as many audit entries in one transaction. Measured there (2-core
-- machine, PostgreSQL 18 embedded), each change below and what it saved:
--
-- (1) Ids in batches. uuidv7() asks the operating system for random bytes on
--     every call; a PostgreSQL built without OpenSSL (the embedded one) opens,
--     reads and closes /dev/urandom each time: ~3.3 us an id, ~3.3 s of a first
--     load (one id per row and one per audit entry). A statement that writes
--     many rows now takes one uuidv7() and numbers its rows after it
--     (data.uuidv7_batch): still version-7 UUIDs, time-ordered, ~0.5 us an id.
--     Ids are names, not secrets (row-level security decides who reads a row),
--     so consecutive ids within a statement are fine.
-- (2) Two foreign keys that checked what other keys already guarantee, one
--     index probe per row each (~3.5 us): enrollments.school_id -> schools (its
--     composite keys to students and classes, on NOT NULL columns, name the
--     school already) and audit_log.school_id -> schools (an entry copies the
--     school of the row it records, whose own key was checked; the audit log is
--     append-only and must outlive what it records anyway). ~3 s.
-- (3) audit_log_user_id_idx holds only entries that have a user: a partner's
--     import has none, and a foreign key never looks up a NULL. ~0.4 s.
--     audit_log_record_idx is keyed by the record's id alone: ids are UUIDs,
--     unique across tables, and row-level security adds the school as a filter
--     to the one or few entries found; a three-column key (school, table name,
--     record) cost ~0.5 us more an entry.
-- (4) Timestamps: the BEFORE INSERT trigger runs only when a client sent its own
--     created_at or updated_at; the columns' default, now(), is the value the
--     trigger would set. UPDATE still always runs it. ~0.5 s.

-- (1)
create function data.uuidv7_batch(first_id uuid, n bigint) returns uuid
language sql immutable parallel safe
-- first_id's timestamp and random bits, its last 48 bits plus n (modulo 2^48).
-- Unique within a batch; two batches would have to share their first 80 bits to
-- meet. Not STRICT and one expression, so the planner inlines it.
return (left(first_id::text, 24)
        || lpad(to_hex((('x' || right(first_id::text, 12))::bit(48)::bigint + n) & 281474976710655), 12, '0'))::uuid;
comment on function data.uuidv7_batch(uuid, bigint) is
    'The n-th id of a batch that starts after first_id (a uuidv7()): one random draw per statement instead of per row.';

-- The audit trigger of 0013_record_changes_up.sql, its entries' ids in a batch.
create or replace function audit.record_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
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
$$;

-- (2)
alter table data.enrollments drop constraint enrollments_school_id_fkey;
alter table audit.audit_log drop constraint audit_log_school_id_fkey;

-- (3)
drop index audit.audit_log_user_id_idx;
create index audit_log_user_id_idx on audit.audit_log (school_id, user_id) where user_id is not null;
drop index audit.audit_log_record_idx;
create index audit_log_record_idx on audit.audit_log (record_id);

-- (4)
do $$
declare
    t regclass;
    stamp text;
    sent_own text;
begin
    for t, stamp in
        select g.tgrelid::regclass, g.tgname from pg_trigger g
        where g.tgname in ('stamp_timestamps', 'stamp_created_at') and not g.tgisinternal
    loop
        sent_own := case stamp
            when 'stamp_timestamps' then 'new.created_at is distinct from now() or new.updated_at is distinct from now()'
            else 'new.created_at is distinct from now()' end;
        execute format('drop trigger %I on %s', stamp, t);
        execute format('create trigger %I before update on %s for each row execute function data.%I()', stamp, t, stamp);
        execute format('create trigger %I before insert on %s for each row when (%s) execute function data.%I()',
                       stamp || '_sent', t, sent_own, stamp);
    end loop;
end
$$;
