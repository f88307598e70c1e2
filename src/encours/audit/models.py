"""The audit table. Rows are only ever inserted: no service updates or deletes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import BIG_ID, Base, UtcDateTime, utcnow


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_customer", "customer_id", "id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))  # user e-mail, "cli", "system", "portal:<customer>"
    action: Mapped[str] = mapped_column(String(64))  # e.g. dunning.sent, dispute.opened, promise.broken
    customer_id: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(255))  # e.g. an invoice number or action id
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
