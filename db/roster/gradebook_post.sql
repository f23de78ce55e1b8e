-- OneRoster 1.2 Gradebook POSTs (issue 17): the binding's "createbp" calls,
-- where the partner sends a set of objects with sourcedIds of its own and the
-- service allocates the sourcedIds, answering the pairs
-- ({"sourcedIdPairs": [{"suppliedSourcedId", "allocatedSourcedId"}]}):
--   postLineItemsForClass                POST classes/{id}/lineItems
--   postLineItemsForSchool               POST schools/{id}/lineItems
--   postResultsForLineItem               POST lineItems/{id}/results
--   postResultsForAcademicSessionForClass POST classes/{id}/academicSessions/{id}/results
-- Each object is created by the PUT function of db/roster/gradebook.sql under
-- the allocated sourcedId (a fresh uuid), so a POSTed object is checked,
-- row-level-secured and audited as a PUT one, and a later PUT or DELETE of the
-- allocated sourcedId reaches it. A set is all or nothing: one bad object
-- refuses the call, its message naming the object.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- The objects of a POST body's set: a JSON array whose items are objects with
-- distinct string sourcedIds, or a 400 (P0001) saying what is wrong.
create or replace function oneroster.post_set(p_set jsonb, p_key text) returns jsonb
    language plpgsql immutable
    set search_path to ''
    as $$
declare
    v_dup text;
begin
    if jsonb_typeof(p_set) is distinct from 'array' then
        raise exception 'The body must be {"%": [...]}', p_key using errcode = 'P0001';
    end if;
    if exists (select from jsonb_array_elements(p_set) o
               where jsonb_typeof(o) <> 'object' or jsonb_typeof(o -> 'sourcedId') is distinct from 'string') then
        raise exception 'Every object of % needs the sourcedId it is known by in the partner''s system', p_key
            using errcode = 'P0001', hint = 'The answer pairs it with the sourcedId allocated here.';
    end if;
    select o ->> 'sourcedId' into v_dup from jsonb_array_elements(p_set) o
    group by 1 having count(*) > 1 limit 1;
    if v_dup is not null then
        raise exception 'Two objects of % have the sourcedId %', p_key, v_dup using errcode = 'P0001';
    end if;
    return p_set;
end
$$;

-- A reference of a POSTed object that the path fixes: absent, it is the path's;
-- present, it must name the same object.
create or replace function oneroster.pinned_ref(p_object jsonb, p_field text, p_sourced_id text) returns jsonb
    language plpgsql immutable
    set search_path to ''
    as $$
begin
    if p_sourced_id is null then
        return p_object;
    end if;
    if p_object -> p_field ->> 'sourcedId' is not null and p_object -> p_field ->> 'sourcedId' <> p_sourced_id then
        raise exception 'Its % is %, not the % % of the path', p_field, p_object -> p_field ->> 'sourcedId',
            p_field, p_sourced_id using errcode = 'P0001';
    end if;
    return p_object || jsonb_build_object('sourcedId', p_object ->> 'sourcedId',
                                          p_field, jsonb_build_object('sourcedId', p_sourced_id));
end
$$;

-- The caller's school's OneRoster sourcedId (as oneroster.orgs shows it) when
-- p_sourced_id is null or names it, else null: a partner posts into its own
-- school only. SECURITY DEFINER: API roles have no USAGE on schema data.
create or replace function oneroster.own_school(p_sourced_id text) returns text
    language sql stable security definer
    set search_path to ''
    as $$
    select coalesce(s.sourced_id, s.id::text)::text from data.schools s
    where s.id = auth.school_id() and coalesce(s.sourced_id, s.id::text) = coalesce(p_sourced_id, s.sourced_id, s.id::text)
$$;

-- POST classes/{id}/lineItems (p_class) or schools/{id}/lineItems (p_school):
-- creates every line item of the set under an allocated sourcedId; answers
-- the pairs in the set's order.
create or replace function oneroster.post_line_items(p_class text, p_school text, p_items jsonb) returns jsonb
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school text := oneroster.own_school(p_school);
    v_item jsonb;
    v_state text;
    v_message text;
    v_hint text;
    v_at bigint;
    v_allocated text;
    v_pairs jsonb := '[]';
begin
    if v_school is null then
        raise exception 'No school with sourcedId %', p_school using errcode = 'P0002';
    end if;
    if p_class is not null and oneroster.roster_id('class', p_class) is null then
        raise exception 'No class with sourcedId %', p_class using errcode = 'P0002';
    end if;
    for v_item, v_at in select o, n - 1 from jsonb_array_elements(oneroster.post_set(p_items, 'lineItems')) with ordinality as t(o, n) loop
        v_allocated := gen_random_uuid()::text;
        begin
            perform oneroster.put_line_item(v_allocated,
                oneroster.pinned_ref(oneroster.pinned_ref(v_item, 'class', p_class), 'school', v_school));
        exception when sqlstate 'P0001' or data_exception or unique_violation then
            -- The error with the object it is about named first, its SQLSTATE and hint kept.
            get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_hint = pg_exception_hint;
            raise exception using errcode = v_state, hint = coalesce(v_hint, ''),
                message = format('lineItems[%s] (sourcedId %s): %s', v_at, v_item ->> 'sourcedId', v_message);
        end;
        v_pairs := v_pairs || jsonb_build_object('suppliedSourcedId', v_item ->> 'sourcedId', 'allocatedSourcedId', v_allocated);
    end loop;
    return jsonb_build_object('sourcedIdPairs', v_pairs);
end
$$;

-- POST lineItems/{id}/results (p_line_item) or
-- classes/{id}/academicSessions/{id}/results (p_class, p_session): creates
-- every result of the set under an allocated sourcedId. Under a class and an
-- academic session, each result names its line item, which must be of that
-- class and, when it has an academic session, of that session or within it.
create or replace function oneroster.post_results(p_line_item text, p_class text, p_session text, p_results jsonb)
    returns jsonb
    language plpgsql volatile
    set search_path to ''
    as $$
declare
    v_school uuid := auth.school_id();
    v_class uuid := oneroster.roster_id('class', p_class);
    v_session uuid := oneroster.roster_id('academicSession', p_session);
    v_result jsonb;
    v_at bigint;
    v_state text;
    v_message text;
    v_hint text;
    v_allocated text;
    v_pairs jsonb := '[]';
begin
    if p_line_item is not null and not exists (
            select from oneroster.assignment_rows
            where school_id = v_school and not is_deleted and coalesce(sourced_id, id::text) = p_line_item) then
        raise exception 'No line item with sourcedId %', p_line_item using errcode = 'P0002';
    end if;
    if p_class is not null and v_class is null then
        raise exception 'No class with sourcedId %', p_class using errcode = 'P0002';
    end if;
    if p_session is not null and v_session is null then
        raise exception 'No academic session with sourcedId %', p_session using errcode = 'P0002';
    end if;
    for v_result, v_at in select o, n - 1 from jsonb_array_elements(oneroster.post_set(p_results, 'results')) with ordinality as t(o, n) loop
        v_allocated := gen_random_uuid()::text;
        begin
            v_result := oneroster.pinned_ref(oneroster.pinned_ref(v_result, 'lineItem', p_line_item), 'class', p_class);
            if p_class is not null then
                perform oneroster.line_item_in(oneroster.required_ref(v_result, 'lineItem'), v_class, v_session);
            end if;
            perform oneroster.put_result(v_allocated, v_result);
        exception when sqlstate 'P0001' or data_exception or unique_violation then
            -- The error with the object it is about named first, its SQLSTATE and hint kept.
            get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_hint = pg_exception_hint;
            raise exception using errcode = v_state, hint = coalesce(v_hint, ''),
                message = format('results[%s] (sourcedId %s): %s', v_at, v_result ->> 'sourcedId', v_message);
        end;
        v_pairs := v_pairs || jsonb_build_object('suppliedSourcedId', v_result ->> 'sourcedId', 'allocatedSourcedId', v_allocated);
    end loop;
    return jsonb_build_object('sourcedIdPairs', v_pairs);
end
$$;

-- A live line item of the class (and within the academic session), or a 400.
-- SECURITY DEFINER (schema data), so it names the caller's school itself.
create or replace function oneroster.line_item_in(p_line_item text, p_class uuid, p_session uuid) returns void
    language plpgsql stable security definer
    set search_path to ''
    as $$
declare
    v_session uuid;
begin
    select coalesce(a.academic_term_id, c.academic_term_id) into v_session
    from data.assignments a
    join data.classes c on c.school_id = a.school_id and c.id = a.class_id
    where a.school_id = auth.school_id() and not a.is_deleted and coalesce(a.sourced_id, a.id::text) = p_line_item
      and a.class_id = p_class;
    if not found then
        raise exception 'No line item with sourcedId % in the class of the path', p_line_item using errcode = 'P0001';
    end if;
    if v_session is not null and v_session <> p_session and not exists (
            select from data.academic_terms t where t.school_id = auth.school_id() and t.id = v_session
                                                 and t.parent_id = p_session) then
        raise exception 'The line item % is not of the academic session of the path', p_line_item using errcode = 'P0001';
    end if;
end
$$;
