-- Undo 0013_record_changes_up.sql: audit.record_changes as 0005_audit_up.sql made
-- it, with the secrets list 0011_partners_up.sql extended (its down script
-- looks for that list).
create or replace function audit.record_changes() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
    record_key constant text := tg_argv[0];
    school_key constant text := tg_argv[1];
    secrets constant text[] := array['password_hash', 'secret_hash'];
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
