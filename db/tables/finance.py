"""Money: fee types, invoices and their items, payments.

Totals, balances and invoice status are kept by the database (db/schema/finance);
`invoice_items.line_total` is a generated column.
"""

from decimal import Decimal

from piccolo.columns import Date, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from db.tables import choices
from db.tables._columns import created_at, is_deleted, school_ref, tenant_ref, text, updated_at, uuid_pk
from db.tables.core import School


def money(*, default: Decimal | None = None) -> Numeric:
    """numeric(10,2): currency is exact."""
    return Numeric(digits=(10, 2), default=default)


class FeeType(Table, tablename="fee_types", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    name = text()
    description = Text(null=True, default=None)
    amount = money()
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()


class Invoice(Table, tablename="invoices", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    student_id = tenant_ref(null=True)
    parent_id = tenant_ref(null=True)
    invoice_number = text(50)
    issue_date = Date(default=None)
    due_date = Date(default=None)
    total_amount = money(default=Decimal("0.00"))
    balance_due = money(default=Decimal("0.00"))
    status = Varchar(length=50, default="DRAFT", choices=choices.InvoiceStatus)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()


class InvoiceItem(Table, tablename="invoice_items", schema="data"):
    id = uuid_pk()
    invoice_id = tenant_ref()
    # Not in the plan's item, but every tenant row carries its school (RLS, composite FKs).
    school_id = school_ref(School)
    fee_type_id = tenant_ref(null=True)
    description = text()
    quantity = Numeric(digits=(5, 2), default=Decimal("1"))
    unit_price = money()
    # Replaced in SQL by `generated always as (round(quantity * unit_price, 2)) stored`.
    line_total = Numeric(digits=(10, 2), null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()


class Payment(Table, tablename="payments", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    invoice_id = tenant_ref()
    amount = money()
    payment_date = Timestamptz(default=TimestamptzNow())
    method = Varchar(length=50, null=True, default=None, choices=choices.PaymentMethod)
    transaction_id = text(null=True)
    received_by_user_id = tenant_ref(null=True)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
