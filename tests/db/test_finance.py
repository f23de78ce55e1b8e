"""Money rules (db/finance): totals and balances follow items and payments, the
status follows the rules, overpayment and payments on closed invoices are
refused, and concurrent payments on one invoice serialise."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg
import pytest

from tests.db.conftest import act_as, authenticators
from tests.factories import School, execute_holders
from tests.support import expect_sqlstate

PAY = "select api.record_payment($1, $2)"


async def new_invoice(db: asyncpg.Connection, school: School, *prices: str, send: bool = False, number: str = "INV-1") -> UUID:
    """An invoice of the school's student with one item per price, through the api views."""
    invoice = await db.fetchval(
        """insert into api.invoices (school_id, student_id, invoice_number, issue_date, due_date)
           values ($1, $2, $3, $4, $5) returning id""",
        school.id, school.student, number, date(2026, 9, 1), date(2026, 9, 30),
    )  # fmt: skip
    for price in prices:
        await db.execute(
            "insert into api.invoice_items (school_id, invoice_id, description, unit_price) values ($1, $2, 'Fee', $3)",
            school.id, invoice, Decimal(price),
        )  # fmt: skip
    if send:
        await db.execute("update api.invoices set status = 'SENT' where id = $1", invoice)
    return invoice


async def state(db: asyncpg.Connection, invoice: UUID) -> tuple[Decimal, Decimal, str]:
    row = await db.fetchrow("select total_amount, balance_due, status from api.invoices where id = $1", invoice)
    return row["total_amount"], row["balance_due"], row["status"]


@pytest.fixture
async def admin_api(authenticator: asyncpg.Connection, school: School) -> asyncpg.Connection:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    return authenticator


# --- totals ---------------------------------------------------------------------------------


async def test_the_total_is_the_sum_of_the_items(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", "20.50")
    assert await state(admin_api, invoice) == (Decimal("120.50"), Decimal("120.50"), "DRAFT")


async def test_the_total_follows_item_changes_and_removals(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", "20.50")
    await admin_api.execute("update api.invoice_items set quantity = 2 where invoice_id = $1 and unit_price = 100", invoice)
    assert (await state(admin_api, invoice))[0] == Decimal("220.50")
    await admin_api.execute("delete from api.invoice_items where invoice_id = $1 and unit_price = 100", invoice)
    assert (await state(admin_api, invoice))[0] == Decimal("20.50")


async def test_a_client_cannot_set_the_total_or_the_balance(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "50.00")
    await admin_api.execute("update api.invoices set total_amount = 1, balance_due = 0 where id = $1", invoice)
    assert await state(admin_api, invoice) == (Decimal("50.00"), Decimal("50.00"), "DRAFT")


async def test_a_new_invoice_starts_as_a_draft(admin_api: asyncpg.Connection, school: School) -> None:
    error = await expect_sqlstate(
        admin_api, "23514",
        """insert into api.invoices (school_id, student_id, invoice_number, issue_date, due_date, status)
           values ($1, $2, 'INV-9', '2026-09-01', '2026-09-30', 'PAID')""",
        school.id, school.student,
    )  # fmt: skip
    assert error.constraint_name == "invoices_status_transition_check"


# --- status and items -----------------------------------------------------------------------


async def test_items_change_only_while_the_invoice_is_a_draft(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    error = await expect_sqlstate(
        admin_api, "23514",
        "insert into api.invoice_items (school_id, invoice_id, description, unit_price) values ($1, $2, 'Late fee', 5)",
        school.id, invoice,
    )  # fmt: skip
    assert error.constraint_name == "invoice_items_invoice_draft_check"
    await expect_sqlstate(admin_api, "23514", "update api.invoice_items set unit_price = 1 where invoice_id = $1", invoice)
    await expect_sqlstate(admin_api, "23514", "delete from api.invoice_items where invoice_id = $1", invoice)


async def test_an_empty_invoice_cannot_be_sent(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school)
    await expect_sqlstate(admin_api, "23514", "update api.invoices set status = 'SENT' where id = $1", invoice)


async def test_payments_move_the_status_from_sent_to_partially_paid_to_paid(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    assert (await state(admin_api, invoice))[2] == "SENT"
    await admin_api.execute(PAY, invoice, Decimal("30.00"))
    assert await state(admin_api, invoice) == (Decimal("100.00"), Decimal("70.00"), "PARTIALLY_PAID")
    await admin_api.execute(PAY, invoice, Decimal("70.00"))
    assert await state(admin_api, invoice) == (Decimal("100.00"), Decimal("0.00"), "PAID")


async def test_a_voided_payment_reopens_the_balance(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    await admin_api.execute(PAY, invoice, Decimal("100.00"))
    deleted = await admin_api.fetchval("delete from api.payments where invoice_id = $1 returning amount", invoice)
    assert deleted == Decimal("100.00"), "the payment is soft-deleted through the API"
    assert await state(admin_api, invoice) == (Decimal("100.00"), Decimal("100.00"), "SENT")


@pytest.mark.parametrize("status", ["PAID", "PARTIALLY_PAID"])
async def test_a_payment_status_cannot_be_set_by_hand(admin_api: asyncpg.Connection, school: School, status: str) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    error = await expect_sqlstate(admin_api, "23514", "update api.invoices set status = $2 where id = $1", invoice, status)
    assert "follows from payments" in str(error)


async def test_a_sent_invoice_cannot_go_back_to_draft(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    await expect_sqlstate(admin_api, "23514", "update api.invoices set status = 'DRAFT' where id = $1", invoice)


async def test_an_unpaid_invoice_can_be_cancelled_and_then_takes_no_payment(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    await admin_api.execute("update api.invoices set status = 'CANCELLED' where id = $1", invoice)
    error = await expect_sqlstate(admin_api, "23514", PAY, invoice, Decimal("10.00"))
    assert error.constraint_name == "payments_invoice_open_check"
    await expect_sqlstate(admin_api, "23514", "update api.invoices set status = 'SENT' where id = $1", invoice)


async def test_an_invoice_with_payments_cannot_be_cancelled_or_deleted(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    await admin_api.execute(PAY, invoice, Decimal("10.00"))
    cancel = await expect_sqlstate(admin_api, "23514", "update api.invoices set status = 'CANCELLED' where id = $1", invoice)
    assert "cannot be cancelled" in str(cancel)
    delete = await expect_sqlstate(admin_api, "23514", "delete from api.invoices where id = $1", invoice)
    assert delete.constraint_name == "invoices_delete_with_payments_check"


async def test_a_draft_takes_no_payment(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00")
    error = await expect_sqlstate(admin_api, "23514", PAY, invoice, Decimal("10.00"))
    assert (error.constraint_name, "DRAFT" in str(error)) == ("payments_invoice_open_check", True)


async def test_an_overpayment_is_refused_with_the_balance_in_the_message(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    await admin_api.execute(PAY, invoice, Decimal("60.00"))
    error = await expect_sqlstate(admin_api, "23514", PAY, invoice, Decimal("40.01"))
    assert error.constraint_name == "payments_within_balance_check"
    assert "balance due of 40.00" in str(error)


async def test_raising_a_payment_above_the_balance_is_refused(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "100.00", send=True)
    await admin_api.execute(PAY, invoice, Decimal("60.00"))
    await expect_sqlstate(admin_api, "23514", "update api.payments set amount = 100.01 where invoice_id = $1", invoice)


# --- api.record_payment ---------------------------------------------------------------------


async def test_record_payment_returns_the_payment_and_the_invoice_state(admin_api: asyncpg.Connection, school: School) -> None:
    invoice = await new_invoice(admin_api, school, "80.00", send=True)
    result = json.loads(await admin_api.fetchval(
        "select api.record_payment($1, 30, p_method => 'CASH', p_transaction_id => 'TX-1')", invoice
    ))  # fmt: skip
    assert result["invoice"] == {"id": str(invoice), "invoice_number": "INV-1", "status": "PARTIALLY_PAID",
                                 "total_amount": 80.00, "balance_due": 50.00}  # fmt: skip
    assert (result["payment"]["method"], result["payment"]["received_by_user_id"]) == ("CASH", str(school.admin_user))


async def test_record_payment_does_not_reach_another_schools_invoice(
    authenticator: asyncpg.Connection, committer: asyncpg.Connection, school: School, other_school: School
) -> None:
    theirs = await committed_sent_invoice(committer, other_school, "10.00")
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await expect_sqlstate(authenticator, "P0002", PAY, theirs, Decimal("10.00"))


@pytest.mark.parametrize("role", ["teacher", "parent", "student", "partner_sync"])
async def test_only_an_admin_may_record_a_payment(authenticator: asyncpg.Connection, school: School, role: str) -> None:
    await act_as(authenticator, role, school_id=school.id, sub=school.parent_user)
    await expect_sqlstate(authenticator, "42501", "select api.record_payment(gen_random_uuid(), 1)")


# --- concurrency ----------------------------------------------------------------------------


async def committed_sent_invoice(committer: asyncpg.Connection, school: School, total: str) -> UUID:
    async with committer.transaction():
        await act_as(committer, "school_admin", school_id=school.id, sub=school.admin_user)
        return await new_invoice(committer, school, total, send=True, number=f"INV-C-{time.monotonic_ns()}")


async def pay_concurrently(database_url: str, school: School, invoice: UUID, amounts: list[Decimal]) -> list[str]:
    """One payment per connection, all started together: 'ok', or the SQLSTATE and
    the constraint that refused it."""
    async with authenticators(database_url, len(amounts)) as connections:
        ready = asyncio.Barrier(len(connections))

        async def pay(connection: asyncpg.Connection, amount: Decimal) -> str:
            async with connection.transaction():
                await act_as(connection, "school_admin", school_id=school.id, sub=school.admin_user)
                await ready.wait()
                try:
                    async with connection.transaction():
                        await connection.execute(PAY, invoice, amount)
                except asyncpg.PostgresError as error:
                    return f"{error.sqlstate} {getattr(error, 'constraint_name', None)}"
            return "ok"

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(pay(c, a) for c, a in zip(connections, amounts, strict=True)))
        # Shown with `pytest -s`: the figure quoted for the serialised payments.
        print(f"{len(amounts)} concurrent payments on one invoice: {time.perf_counter() - started:.2f}s")
        return outcomes


async def test_fifty_concurrent_payments_pay_the_invoice_exactly(
    database_url: str, committer: asyncpg.Connection, school: School
) -> None:
    invoice = await committed_sent_invoice(committer, school, "500.00")
    outcomes = await pay_concurrently(database_url, school, invoice, [Decimal("10.00")] * 50)
    assert outcomes == ["ok"] * 50
    row = await committer.fetchrow(
        """select i.balance_due, i.status, (select sum(amount) from data.payments p where p.invoice_id = i.id) as paid
           from data.invoices i where i.id = $1""",
        invoice,
    )
    assert (row["balance_due"], row["status"], row["paid"]) == (Decimal("0.00"), "PAID", Decimal("500.00"))


async def test_concurrent_payments_beyond_the_balance_are_refused(
    database_url: str, committer: asyncpg.Connection, school: School
) -> None:
    invoice = await committed_sent_invoice(committer, school, "500.00")
    outcomes = await pay_concurrently(database_url, school, invoice, [Decimal("10.00")] * 60)
    refused = "23514 payments_within_balance_check"
    assert (outcomes.count("ok"), outcomes.count(refused)) == (50, 10), "exactly the balance is taken, the rest refused"
    row = await committer.fetchrow(
        """select i.balance_due, (select sum(amount) from data.payments p where p.invoice_id = i.id) as paid
           from data.invoices i where i.id = $1""",
        invoice,
    )
    assert (row["balance_due"], row["paid"]) == (Decimal("0.00"), Decimal("500.00"))


async def test_only_admins_hold_execute_on_record_payment(admin: asyncpg.Connection) -> None:
    holders = await execute_holders(admin, "api.record_payment(uuid, numeric, text, text, timestamptz)")
    assert holders == {"school_admin"}
