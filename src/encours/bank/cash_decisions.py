"""Cash application's decisions on the journal, many at once, and what earlier ones taught.

``BankRepository`` decides one line at a time (a person's allocation); a cash-application
run decides every unmatched credit, so it records them set-wise here (one executemany per
chunk), with the same rules: a matched or duplicate line is linked to its ledger payment,
suggested and unmatched ones carry their reason. Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from encours.bank.models import BankTransactionRow
from encours.bank.repository import StoredTransaction
from encours.domain.bank import TransactionKind, TransactionStatus
from encours.storage.base import utcnow

CHUNK = 5_000
# StoredTransaction's fields in order, as columns of the table
COLUMNS = (
    "id", "account", "statement_id", "booking_date", "value_date", "amount_cents", "currency", "payer_name",
    "payer_iban", "remittance", "creditor_reference", "end_to_end_id", "bank_reference", "transaction_code",
    "kind", "status", "reason", "customer_id", "payment_entry_id", "source_file", "source_line",
    "reason_data",
)  # fmt: skip


class LineDecision(NamedTuple):
    transaction_id: int
    status: TransactionStatus
    customer_id: str | None
    reason: str
    payment_entry_id: int | None = None  # matched or duplicate: the ledger payment it is
    reason_data: str = ""  # domain.cash_reasons.encode


def record_decisions(session: Session, decisions: Sequence[LineDecision]) -> None:
    """Write each line's status, customer, reason and payment link (only undecided credits change)."""
    table = cast(Table, BankTransactionRow.__table__)
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("line_id"),
            table.c.kind == TransactionKind.CUSTOMER_CREDIT.value,
            table.c.payment_entry_id.is_(None),
        )
        .values(
            status=bindparam("new_status"), customer_id=bindparam("new_customer"),
            reason=bindparam("new_reason"), payment_entry_id=bindparam("new_payment"),
            reason_data=bindparam("new_reason_data"),
            decided_at=bindparam("now"),
        )
    )  # fmt: skip
    now = utcnow()
    rows = [
        {
            "line_id": d.transaction_id, "new_status": d.status.value, "new_customer": d.customer_id,
            "new_reason": d.reason[:512], "new_payment": d.payment_entry_id, "now": now,
            "new_reason_data": d.reason_data,
        }
        for d in decisions
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])
    session.flush()


def undecided_credits(session: Session, up_to: dt.date) -> list[StoredTransaction]:
    """``BankRepository.unmatched_credits(up_to)`` read set-wise (no ORM object per line)."""
    table = cast(Table, BankTransactionRow.__table__)
    query = (
        select(*(table.c[name] for name in COLUMNS))
        .where(
            table.c.kind == TransactionKind.CUSTOMER_CREDIT.value,
            table.c.status == TransactionStatus.UNMATCHED.value,
            table.c.booking_date <= up_to,
        )
        .order_by(table.c.booking_date, table.c.id)
    )
    found = []
    for row in session.execute(query):
        values = dict(zip(COLUMNS, row, strict=True))
        values["amount"] = Decimal(values.pop("amount_cents")).scaleb(-2)
        values["kind"] = TransactionKind(values["kind"])
        values["status"] = TransactionStatus(values["status"])
        values["reason_data"] = values["reason_data"] or ""
        found.append(StoredTransaction(**values))
    return found


def learned_accounts(session: Session) -> list[tuple[str, str]]:
    """(payer IBAN, customer) of every matched credit: an account that paid a customer's invoices."""
    query = select(BankTransactionRow.payer_iban, BankTransactionRow.customer_id).where(
        BankTransactionRow.status == TransactionStatus.MATCHED.value,
        BankTransactionRow.payer_iban != "",
        BankTransactionRow.customer_id.is_not(None),
    )
    return [(iban, customer) for iban, customer in session.execute(query.distinct()) if customer]


def linked_payments(session: Session) -> set[int]:
    """Ledger payments some bank line is already linked to (made from it, or recognised as it)."""
    query = select(BankTransactionRow.payment_entry_id).where(
        BankTransactionRow.payment_entry_id.is_not(None)
    )
    return {int(entry_id) for entry_id in session.scalars(query.distinct()) if entry_id is not None}
