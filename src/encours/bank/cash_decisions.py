"""Cash application's decisions on the journal, many at once, and what earlier ones taught.

``BankRepository`` decides one line at a time (a person's allocation); a cash-application
run decides every unmatched credit, so it records them set-wise here (one executemany per
chunk), with the same rules: a matched or duplicate line is linked to its ledger payment,
suggested and unmatched ones carry their reason. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from encours.bank.models import BankTransactionRow
from encours.domain.bank import TransactionKind, TransactionStatus
from encours.storage.base import utcnow

CHUNK = 5_000


class LineDecision(NamedTuple):
    transaction_id: int
    status: TransactionStatus
    customer_id: str | None
    reason: str
    payment_entry_id: int | None = None  # matched or duplicate: the ledger payment it is


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
            decided_at=bindparam("now"),
        )
    )  # fmt: skip
    now = utcnow()
    rows = [
        {
            "line_id": d.transaction_id, "new_status": d.status.value, "new_customer": d.customer_id,
            "new_reason": d.reason[:512], "new_payment": d.payment_entry_id, "now": now,
        }
        for d in decisions
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])
    session.flush()


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
