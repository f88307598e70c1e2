"""Tables of foresight: stored risk scores (read by dunning) and trained model artifacts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import Base, UtcDateTime, utcnow


class RiskScoreRow(Base):
    """A customer's 0–100 score (100 = safest) and segment A–D as of a date."""

    __tablename__ = "risk_scores"
    __table_args__ = (
        UniqueConstraint("customer_pk", "as_of", name="uq_risk_scores_customer_as_of"),
        Index("ix_risk_scores_as_of", "as_of"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    segment: Mapped[str] = mapped_column(String(1))
    reasons: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    recommended_credit_limit_cents: Mapped[int] = mapped_column(BigInteger)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ModelArtifactRow(Base):
    """A trained payment model; ``knowledge_before`` is its cutoff (payments dated before it)."""

    __tablename__ = "model_artifacts"
    __table_args__ = (Index("ix_model_artifacts_kind_cutoff", "kind", "knowledge_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    knowledge_before: Mapped[dt.date] = mapped_column(Date)
    fingerprint: Mapped[str] = mapped_column(String(64))
    n_invoices: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # JSON: booster text, calibration, bins, features
    trained_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
