"""Tables of the dunning outbox: runs, actions (the outbox rows), step markers, penalty terms.

An action and the markers of its invoices are written in one transaction; the unique
(entry, step) marker is what makes a repeated or concurrent run unable to decide twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import Base, UtcDateTime, utcnow

ENTRY_FK = BigInteger().with_variant(Integer, "sqlite")


class DunningRunRow(Base):
    __tablename__ = "dunning_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actions: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(ENTRY_FK, nullable=True, index=True)  # the job that ran it


class DunningActionRow(Base):
    """One outbox row: a step of a scenario applied to some invoices of one customer."""

    __tablename__ = "dunning_actions"
    __table_args__ = (
        Index("ix_dunning_actions_status", "status", "id"),
        Index("ix_dunning_actions_customer", "customer_pk", "id"),
        Index("ix_dunning_actions_customer_id", "customer_id", "id"),  # the worklist's stage column
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("dunning_runs.id"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    customer_id: Mapped[str] = mapped_column(String(64))
    scenario: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # email | letter | phone | handover
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | produced | failed
    invoice_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    entry_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    message_key: Mapped[str | None] = mapped_column(String(128))  # actions sharing one e-mail
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    document: Mapped[str | None] = mapped_column(String(1024))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class DunningMarkRow(Base):
    """Step ``step`` was decided for entry ``entry_id``: never decide it again."""

    __tablename__ = "dunning_marks"
    __table_args__ = (
        UniqueConstraint("entry_id", "step", name="uq_dunning_marks_entry_step"),
        Index("ix_dunning_marks_action", "action_id"),
    )

    id: Mapped[int] = mapped_column(ENTRY_FK, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ENTRY_FK, ForeignKey("entries.id"))
    step: Mapped[str] = mapped_column(String(64))
    offset_days: Mapped[int | None] = mapped_column(Integer)  # None for the thank-you
    action_id: Mapped[int] = mapped_column(ForeignKey("dunning_actions.id"))


class PenaltyTermsRow(Base):
    """Per-customer penalty terms: jurisdiction rule, contract rate, claim or waive."""

    __tablename__ = "customer_penalty_terms"

    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    contract_rate: Mapped[str | None] = mapped_column(String(16))  # percent, decimal text
    waived: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255))
