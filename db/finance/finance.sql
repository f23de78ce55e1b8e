-- Finance rules: invoice totals and balance_due follow items and payments,
-- draft-only items, no overpayment, payments serialised per invoice.
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

-- (4) The API: record a payment and get the invoice's new state back.
-- SECURITY INVOKER, through the api views (API roles have no USAGE on `data`):
-- the caller's privileges and row-level policies decide who may insert a payment
-- (school admins only) and which invoices it sees; the triggers above apply the
-- money rules. The payment's school is the invoice's; the receiver is the
-- caller when the caller is a user of that school.
create or replace function api.record_payment(p_invoice_id uuid, p_amount numeric, p_method text default null::text, p_transaction_id text default null::text, p_payment_date timestamp with time zone default now()) returns jsonb
    language plpgsql
    set search_path to ''
    as $$
declare
    invoice_row api.invoices;
    payment_row api.payments;
begin
    if auth.role() is distinct from 'school_admin' then
        raise exception 'only a school admin may record payments'
            using errcode = '42501';
    end if;
    select * into invoice_row from api.invoices i where i.id = p_invoice_id;
    if not found then
        raise exception 'invoice % not found', p_invoice_id
            using errcode = 'P0002', hint = 'Only invoices of your school that are not deleted can be paid.';
    end if;
    insert into api.payments (school_id, invoice_id, amount, payment_date, method, transaction_id, received_by_user_id)
    values (invoice_row.school_id, invoice_row.id, p_amount, coalesce(p_payment_date, now()), p_method, p_transaction_id,
            (select u.id from api.users u where u.school_id = invoice_row.school_id and u.id = auth.user_id()))
    returning * into payment_row;
    select * into invoice_row from api.invoices i where i.id = p_invoice_id;
    return jsonb_build_object(
        'payment', to_jsonb(payment_row),
        'invoice', jsonb_build_object(
            'id', invoice_row.id,
            'invoice_number', invoice_row.invoice_number,
            'status', invoice_row.status,
            'total_amount', invoice_row.total_amount,
            'balance_due', invoice_row.balance_due
        )
    );
end
$$;

-- (1) Invoices: totals, balance and status, before every insert and update.
create or replace function data.invoice_before_write_totals() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    items_total numeric(10, 2);
    paid numeric(10, 2);
begin
    -- A status outside the closed set is left to invoices_status_check, which
    -- runs after BEFORE triggers and names the real problem.
    if new.status is null or new.status not in ('DRAFT', 'SENT', 'PARTIALLY_PAID', 'PAID', 'CANCELLED') then
        return new;
    end if;
    if tg_op = 'INSERT' and new.status is distinct from 'DRAFT' then
        raise exception 'a new invoice starts as DRAFT, not %', new.status
            using errcode = '23514', constraint = 'invoices_status_transition_check',
                  hint = 'Create the invoice, add its items, then set its status to SENT.';
    end if;

    select coalesce(sum(i.line_total), 0) into items_total
    from data.invoice_items i
    where i.school_id = new.school_id and i.invoice_id = new.id;
    select coalesce(sum(p.amount), 0) into paid
    from data.payments p
    where p.school_id = new.school_id and p.invoice_id = new.id and not p.is_deleted;

    new.total_amount := items_total;
    new.balance_due := items_total - paid;

    if tg_op = 'UPDATE' and new.status is distinct from old.status then
        -- A status the client asks for.
        if old.status = 'CANCELLED' then
            raise exception 'invoice % is cancelled; its status cannot change', old.invoice_number
                using errcode = '23514', constraint = 'invoices_status_transition_check',
                      hint = 'Issue a new invoice instead.';
        elsif new.status = 'CANCELLED' then
            if paid > 0 then
                raise exception 'invoice % has payments of % and cannot be cancelled', old.invoice_number, paid
                    using errcode = '23514', constraint = 'invoices_status_transition_check',
                          hint = 'Delete (void) its payments first.';
            end if;
        elsif new.status = 'SENT' and old.status = 'DRAFT' then
            if items_total <= 0 then
                raise exception 'invoice % has no amount to bill; add items before sending it', old.invoice_number
                    using errcode = '23514', constraint = 'invoices_status_transition_check';
            end if;
        elsif new.status = 'DRAFT' then
            raise exception 'invoice % was sent and cannot go back to DRAFT', old.invoice_number
                using errcode = '23514', constraint = 'invoices_status_transition_check',
                      hint = 'Cancel it and issue a new invoice.';
        elsif new.status in ('PARTIALLY_PAID', 'PAID') then
            raise exception 'status % follows from payments and cannot be set', new.status
                using errcode = '23514', constraint = 'invoices_status_transition_check',
                      hint = 'Record a payment instead (api.record_payment).';
        end if;
        -- Anything else (SENT from SENT-like states) is re-derived below.
    end if;

    -- Derived statuses: once sent, payments decide.
    if new.status in ('SENT', 'PARTIALLY_PAID', 'PAID') then
        new.status := case
            when paid = 0 then 'SENT'
            when paid < items_total then 'PARTIALLY_PAID'
            else 'PAID'
        end;
    end if;

    -- A deleted invoice with live payments would hide money received.
    if tg_op = 'UPDATE' and new.is_deleted and not old.is_deleted and paid > 0 then
        raise exception 'invoice % has payments of % and cannot be deleted', old.invoice_number, paid
            using errcode = '23514', constraint = 'invoices_delete_with_payments_check',
                  hint = 'Delete (void) its payments first.';
    end if;
    return new;
end
$$;

create or replace function data.invoice_item_after_write_refresh_invoice() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform data.refresh_invoice(old.school_id, old.invoice_id);
    end if;
    if tg_op in ('INSERT', 'UPDATE') and (tg_op = 'INSERT' or (new.school_id, new.invoice_id) is distinct from (old.school_id, old.invoice_id)) then
        perform data.refresh_invoice(new.school_id, new.invoice_id);
    end if;
    return null;
end
$$;

-- (2) Invoice items: change only while the invoice is a DRAFT.
create or replace function data.invoice_item_before_write_draft_only() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    invoice data.invoices;
    item data.invoice_items;
begin
    foreach item in array case tg_op
        when 'INSERT' then array[new]
        when 'DELETE' then array[old]
        else array[old, new] end
    loop
        invoice := data.lock_invoice(item.school_id, item.invoice_id);
        if invoice.id is not null and invoice.status <> 'DRAFT' then
            raise exception 'items of invoice % cannot change: it is %', invoice.invoice_number, invoice.status
                using errcode = '23514', constraint = 'invoice_items_invoice_draft_check',
                      hint = 'Items change only while the invoice is a DRAFT.';
        end if;
    end loop;
    return case tg_op when 'DELETE' then old else new end;
end
$$;

-- Locks an invoice for a change that depends on its balance or status, and
-- returns it (null when it does not exist: the foreign key then says so).
create or replace function data.lock_invoice(p_school_id uuid, p_invoice_id uuid) returns data.invoices
    language sql security definer
    set search_path to ''
    as $$
    select * from data.invoices
    where school_id = p_school_id and id = p_invoice_id
    for no key update
$$;

create or replace function data.payment_after_write_refresh_invoice() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
begin
    perform data.refresh_invoice(new.school_id, new.invoice_id);
    return null;
end
$$;

-- (3) Payments: only on an open invoice, never above its balance.
create or replace function data.payment_before_write_check_balance() returns trigger
    language plpgsql security definer
    set search_path to ''
    as $$
declare
    invoice data.invoices;
    paid_before numeric(10, 2);
begin
    if tg_op = 'UPDATE' then
        if (new.school_id, new.invoice_id) is distinct from (old.school_id, old.invoice_id) then
            raise exception 'a payment cannot move to another invoice'
                using errcode = '23514', constraint = 'payments_same_invoice_check',
                      hint = 'Delete (void) it and record a new payment on the other invoice.';
        end if;
        -- Voiding a payment, or changing its method, date or reference, only
        -- lowers or keeps the amount paid: nothing to check.
        if new.is_deleted or (new.amount = old.amount and not old.is_deleted) then
            return new;
        end if;
    elsif new.is_deleted then
        return new;  -- an already voided payment (a sync replaying history) pays nothing
    end if;

    invoice := data.lock_invoice(new.school_id, new.invoice_id);
    if invoice.id is null then
        return new;  -- the foreign key reports the missing invoice (23503)
    end if;
    if invoice.is_deleted or invoice.status = 'CANCELLED' then
        raise exception 'invoice % is %: it takes no payments', invoice.invoice_number,
            case when invoice.is_deleted then 'deleted' else 'cancelled' end
            using errcode = '23514', constraint = 'payments_invoice_open_check';
    elsif invoice.status = 'DRAFT' then
        raise exception 'invoice % is a DRAFT: it takes no payments yet', invoice.invoice_number
            using errcode = '23514', constraint = 'payments_invoice_open_check',
                  hint = 'Send the invoice (status SENT) before recording payments.';
    end if;

    -- After the lock: in READ COMMITTED this statement takes a fresh snapshot, so
    -- it sees every payment committed by whoever held the lock before us.
    select coalesce(sum(p.amount), 0) into paid_before
    from data.payments p
    where p.school_id = new.school_id and p.invoice_id = new.invoice_id and not p.is_deleted and p.id <> new.id;

    if paid_before + new.amount > invoice.total_amount then
        raise exception 'a payment of % exceeds the balance due of % on invoice %',
            new.amount, invoice.total_amount - paid_before, invoice.invoice_number
            using errcode = '23514', constraint = 'payments_within_balance_check',
                  hint = 'Record at most the balance due.';
    end if;
    return new;
end
$$;

-- Re-runs the invoice trigger above for one invoice (a no-op update: the trigger
-- recomputes everything). Called after an item or a payment changed.
create or replace function data.refresh_invoice(p_school_id uuid, p_invoice_id uuid) returns void
    language sql security definer
    set search_path to ''
    as $$
    update data.invoices set total_amount = total_amount
    where school_id = p_school_id and id = p_invoice_id
$$;

create or replace trigger invoice_before_write_totals before insert or update on data.invoices for each row execute function data.invoice_before_write_totals();

create or replace trigger invoice_item_after_write_refresh_invoice after insert or delete or update on data.invoice_items for each row execute function data.invoice_item_after_write_refresh_invoice();

create or replace trigger invoice_item_before_write_draft_only before insert or delete or update on data.invoice_items for each row execute function data.invoice_item_before_write_draft_only();

create or replace trigger payment_after_write_refresh_invoice after insert or update on data.payments for each row execute function data.payment_after_write_refresh_invoice();

create or replace trigger payment_before_write_check_balance before insert or update on data.payments for each row execute function data.payment_before_write_check_balance();

revoke all on function api.record_payment(p_invoice_id uuid, p_amount numeric, p_method text, p_transaction_id text, p_payment_date timestamp with time zone) from public;
grant all on function api.record_payment(p_invoice_id uuid, p_amount numeric, p_method text, p_transaction_id text, p_payment_date timestamp with time zone) to school_admin;

revoke all on function data.invoice_before_write_totals() from public;

revoke all on function data.invoice_item_after_write_refresh_invoice() from public;

revoke all on function data.invoice_item_before_write_draft_only() from public;

revoke all on function data.lock_invoice(p_school_id uuid, p_invoice_id uuid) from public;

revoke all on function data.payment_after_write_refresh_invoice() from public;

revoke all on function data.payment_before_write_check_balance() from public;

revoke all on function data.refresh_invoice(p_school_id uuid, p_invoice_id uuid) from public;

-- PostgreSQL database dump complete
