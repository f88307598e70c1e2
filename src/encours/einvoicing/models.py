"""Tables of the e-invoicing lifecycle: statuses received, invoices' standing, 212 reported."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import BIG_ID, Base, UtcDateTime, utcnow


class StatusRow(Base):
    """One lifecycle status of one invoice; the same status imported again is the same row."""

    __tablename__ = "einvoice_statuses"
    __table_args__ = (
        UniqueConstraint("entry_id", "code", "status_at", name="uq_einvoice_statuses_status"),
        Index("ix_einvoice_statuses_customer_pk", "customer_pk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"))
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    code: Mapped[int] = mapped_column(Integer)
    status_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status_on: Mapped[dt.date] = mapped_column(Date)  # the French business day of status_at
    reason_code: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    expected_on: Mapped[dt.date | None] = mapped_column(Date)  # 211: when the money should arrive
    message_id: Mapped[str] = mapped_column(String(255), default="")
    file_name: Mapped[str] = mapped_column(String(1024))
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class StandingRow(Base):
    """An invoice out of dunning because of its lifecycle (refused, not issued, factored)."""

    __tablename__ = "einvoice_standings"

    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"), primary_key=True)
    standing: Mapped[str] = mapped_column(String(16))
    since: Mapped[dt.date] = mapped_column(Date)


class ReportRow(Base):
    """A 212 Encaissée written for one payment applied to one invoice (written once)."""

    __tablename__ = "einvoice_reports"
    __table_args__ = (
        UniqueConstraint("payment_entry_id", "invoice_entry_id", name="uq_einvoice_reports_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"))
    invoice_entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    message_id: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(String(1024))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
