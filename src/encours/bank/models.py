"""Tables of the bank journal: the company's accounts and every line of their statements.

Money is signed integer cents (credits positive) plus a currency code. A line never counts
in receivables by itself: the aged balance and the KPIs read ledger entries only, and a
credit reaches them as the ledger payment made when it is matched (``payment_entry_id``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import BIG_ID, Base, UtcDateTime, utcnow


class BankAccountRow(Base):
    """An account of the company: one whose statements were imported (its IBAN when known)."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    first_imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class BankTransactionRow(Base):
    """One transaction of a statement, stored once whatever file or format brought it."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        # the same-day group a new line is compared with (domain.bank.pair_with_known)
        Index("ix_bank_transactions_same_day", "account", "booking_date", "amount_cents", "currency"),
        # the unidentified receipts: customer credits not matched, by date
        Index("ix_bank_transactions_status", "status", "kind", "booking_date"),
        Index("ix_bank_transactions_payment", "payment_entry_id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    occurrence: Mapped[int] = mapped_column(Integer)  # rank among identical same-day lines
    account: Mapped[str] = mapped_column(String(64))
    statement_id: Mapped[str] = mapped_column(String(64))
    booking_date: Mapped[dt.date] = mapped_column(Date)
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payer_name: Mapped[str] = mapped_column(String(255))
    payer_iban: Mapped[str] = mapped_column(String(34))
    remittance: Mapped[str] = mapped_column(Text)  # unstructured remittance information
    creditor_reference: Mapped[str] = mapped_column(String(64))  # structured (RF.., or the bank's)
    end_to_end_id: Mapped[str] = mapped_column(String(64))
    bank_reference: Mapped[str] = mapped_column(String(80))
    transaction_code: Mapped[str] = mapped_column(String(64))  # the format's own code
    kind: Mapped[str] = mapped_column(String(16))  # domain.bank.TransactionKind
    # TransactionStatus: a customer credit is unmatched until decided; every other kind is ignored
    status: Mapped[str] = mapped_column(String(16), default="unmatched")
    reason: Mapped[str] = mapped_column(String(512), default="")  # in English, as the CLI prints it
    # the reason codes with their values and a suggestion's proposal (domain.cash_reasons.encode)
    reason_data: Mapped[str] = mapped_column(Text, default="", server_default="")
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"))
    payment_entry_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("entries.id"))
    source_format: Mapped[str] = mapped_column(String(16))  # format family: camt, mt940, ofx, cfonb120
    source_file: Mapped[str] = mapped_column(String(1024))
    source_line: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
