-- Undo 0006_finance_up.sql.
drop function api.record_payment(uuid, numeric, text, text, timestamptz);
drop trigger payment_after_write_refresh_invoice on data.payments;
drop function data.payment_after_write_refresh_invoice();
drop trigger payment_before_write_check_balance on data.payments;
drop function data.payment_before_write_check_balance();
drop trigger invoice_item_after_write_refresh_invoice on data.invoice_items;
drop function data.invoice_item_after_write_refresh_invoice();
drop trigger invoice_item_before_write_draft_only on data.invoice_items;
drop function data.invoice_item_before_write_draft_only();
drop function data.lock_invoice(uuid, uuid);
drop function data.refresh_invoice(uuid, uuid);
drop trigger invoice_before_write_totals on data.invoices;
drop function data.invoice_before_write_totals();
