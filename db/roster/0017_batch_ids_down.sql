-- analyze_after as 0012_import_up.sql has it (the merge functions are restored
-- by the files the migration runs after this one).
create or replace function roster.analyze_after(p_table text, p_rows bigint) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
begin
    if p_rows >= 1000 then
        execute format('analyze data.%I', p_table);
    end if;
end
$$;
