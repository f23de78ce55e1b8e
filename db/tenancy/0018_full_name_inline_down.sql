-- full_name as 0016_computed_up.sql made it (comments and grants stay with the function).
create or replace function api.full_name(api.students) returns text
language sql stable
set search_path = ''
as $$
    select concat_ws(' ', $1.first_name, $1.last_name)
$$;

create or replace function api.full_name(api.teachers) returns text
language sql stable
set search_path = ''
as $$
    select concat_ws(' ', $1.first_name, $1.last_name)
$$;

create or replace function api.full_name(api.parents) returns text
language sql stable
set search_path = ''
as $$
    select concat_ws(' ', $1.first_name, $1.last_name)
$$;
