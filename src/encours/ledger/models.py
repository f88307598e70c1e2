"""Tables of the receivable ledger. Money is integer cents plus a currency code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import BIG_ID, Base, UtcDateTime, utcnow


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    country: Mapped[str | None] = mapped_column(String(2))
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    credit_limit_cents: Mapped[int | None] = mapped_column(BigInteger)
    email: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    segment: Mapped[str | None] = mapped_column(String(32))
    siren: Mapped[str | None] = mapped_column(String(9))
    vat_number: Mapped[str | None] = mapped_column(String(32))
    sales_rep: Mapped[str | None] = mapped_column(String(255))
    address_line1: Mapped[str | None] = mapped_column(String(255))
    address_line2: Mapped[str | None] = mapped_column(String(255))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(64))
    iban: Mapped[str | None] = mapped_column(String(512))


class EntryRow(Base):
    """A document or payment of a customer; amount signed, debit positive."""

    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_customer_date", "customer_pk", "date"),
        Index("ix_entries_date", "date"),
        # covers the aged balance's grouped sums (migration 0300_analytics)
        Index("ix_entries_aging", "customer_pk", "currency", "date", "due_date", "amount_cents"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(255))
    date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(255), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class AllocationRow(Base):
    """Part of a credit entry settling part of a debit entry from ``date`` on."""

    __tablename__ = "allocations"
    __table_args__ = (
        UniqueConstraint("credit_entry_id", "debit_entry_id", "origin", name="uq_allocations_pair"),
        Index("ix_allocations_debit", "debit_entry_id"),
        Index("ix_allocations_credit", "credit_entry_id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    credit_entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    debit_entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[dt.date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(16))  # import | lettering | manual


class ImportBatchRow(Base):
    """One imported file: what it was and what it changed, for the audit trail."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)


def _text_limits() -> dict[str, int]:
    """Width of every text column of customers and entries, by the records' field names."""
    limits: dict[str, int] = {}
    for table in (CustomerRow.__table__, EntryRow.__table__):
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if isinstance(length, int):
                limits[column.name] = length
    return limits


TEXT_LIMITS = _text_limits()  # what an import may store: PostgreSQL refuses longer text
