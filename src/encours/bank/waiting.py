"""The receipts waiting for a person, filtered and paged: what the cash-application screen lists.

Suggested ones first (a click may settle them), then unmatched, oldest first within each.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from encours.bank.models import BankTransactionRow
from encours.bank.repository import BankRepository, StoredTransaction
from encours.domain.bank import TransactionKind, TransactionStatus
from encours.domain.money import to_cents

WAITING = (TransactionStatus.SUGGESTED, TransactionStatus.UNMATCHED)


class ReceiptFilters(NamedTuple):
    status: TransactionStatus | None = None  # one of WAITING, else both
    account: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


class WaitingPage(NamedTuple):
    total: int
    lines: list[StoredTransaction]
    counts: dict[str, int]  # status → receipts waiting in it (every filter but the status)
    accounts: list[str]  # the accounts that received some


def _filtered(filters: ReceiptFilters, statuses: tuple[TransactionStatus, ...]) -> Select[BankTransactionRow]:
    row = BankTransactionRow
    query = select(row).where(
        row.kind == TransactionKind.CUSTOMER_CREDIT, row.status.in_([s.value for s in statuses])
    )
    if filters.account:
        query = query.where(row.account == filters.account)
    if filters.date_from is not None:
        query = query.where(row.booking_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(row.booking_date <= filters.date_to)
    if filters.amount_min is not None:
        query = query.where(row.amount_cents >= to_cents(filters.amount_min))
    if filters.amount_max is not None:
        query = query.where(row.amount_cents <= to_cents(filters.amount_max))
    return query


def waiting_receipts(
    session: Session, filters: ReceiptFilters, offset: int = 0, limit: int = 50
) -> WaitingPage:
    row = BankTransactionRow
    everything = _filtered(filters, WAITING).subquery()
    counts = {s.value: 0 for s in WAITING}
    for status, count in session.execute(
        select(everything.c.status, func.count()).group_by(everything.c.status)
    ):
        counts[str(status)] = int(count)
    query = _filtered(filters, (filters.status,) if filters.status in WAITING else WAITING)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    first = case((row.status == TransactionStatus.SUGGESTED.value, 0), else_=1)
    ids = list(session.scalars(
        query.with_only_columns(row.id).order_by(first, row.booking_date, row.id).offset(offset).limit(limit)
    ))  # fmt: skip
    found = BankRepository(session).by_ids(ids)
    accounts = session.scalars(
        select(row.account)
        .where(row.kind == TransactionKind.CUSTOMER_CREDIT)
        .distinct()
        .order_by(row.account)
    )
    return WaitingPage(total, [found[i] for i in ids], counts, list(accounts))
