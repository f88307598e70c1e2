"""Named queries of foresight: model artifacts, ledger fingerprints, stored risk scores."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from encours.analytics.open_items import balances_ctes
from encours.foresight.models import ModelArtifactRow, RiskScoreRow
from encours.ledger.models import CustomerRow

# a fingerprint of the ledger before a date (counts and sums), not an open amount
FINGERPRINT_SQL = """
SELECT (SELECT COUNT(*) FROM entries WHERE date < :before),
       (SELECT COALESCE(SUM(amount_cents), 0) FROM entries WHERE date < :before),
       (SELECT COUNT(*) FROM allocations WHERE date < :before),
       (SELECT COALESCE(SUM(amount_cents), 0) FROM allocations WHERE date < :before),
       (SELECT COUNT(*) FROM entries WHERE date < :before AND disputed)
"""


class StoredScore(NamedTuple):
    customer_pk: int
    customer_id: str
    as_of: dt.date
    score: int
    segment: str
    reasons: list[dict[str, Any]]
    recommended_credit_limit_cents: int


def _stored(row: RiskScoreRow, customer_id: str) -> StoredScore:
    limit = row.recommended_credit_limit_cents
    return StoredScore(
        row.customer_pk, customer_id, row.as_of, row.score, row.segment, list(row.reasons), limit
    )


class ForesightRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def fingerprint(self, before: dt.date) -> str:
        """What the ledger knew before a day; a back-dated import changes it (the model is stale)."""
        row = self.session.execute(text(FINGERPRINT_SQL), {"before": before}).one()
        return hashlib.sha256(repr(tuple(int(v) for v in row)).encode()).hexdigest()

    def latest_model(self, kind: str, not_after: dt.date) -> ModelArtifactRow | None:
        query = (
            select(ModelArtifactRow)
            .where(ModelArtifactRow.kind == kind, ModelArtifactRow.knowledge_before <= not_after)
            .order_by(ModelArtifactRow.knowledge_before.desc(), ModelArtifactRow.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def save_model(
        self, kind: str, knowledge_before: dt.date, fingerprint: str, n_invoices: int, payload: str
    ) -> None:
        self.session.execute(
            delete(ModelArtifactRow).where(
                ModelArtifactRow.kind == kind, ModelArtifactRow.knowledge_before == knowledge_before
            )
        )
        self.session.add(
            ModelArtifactRow(
                kind=kind,
                knowledge_before=knowledge_before,
                fingerprint=fingerprint,
                n_invoices=n_invoices,
                payload=payload,
            )
        )
        self.session.flush()

    def customer_names(self) -> dict[str, tuple[int, str, str | None]]:
        """customer_id → (pk, name, language)."""
        rows = self.session.execute(select(CustomerRow.customer_id, CustomerRow.id, CustomerRow.name,
                                           CustomerRow.language))  # fmt: skip
        return {cid: (pk, name, language) for cid, pk, name, language in rows}

    def credit_positions(self, as_of: dt.date) -> dict[str, tuple[int, int]]:
        """customer_id → (credit limit, open balance in the limit's currency at ``as_of``), in
        cents, for every customer with a limit (the open-items rule, set-wise)."""
        query = text(
            f"WITH {balances_ctes({'open_cents': 'cents'})}\n"
            "SELECT c.customer_id, c.credit_limit_cents, COALESCE(b.open_cents, 0) FROM customers c "
            "LEFT JOIN balances b ON b.customer_pk = c.id AND b.currency = COALESCE(c.currency, 'EUR') "
            "WHERE c.credit_limit_cents IS NOT NULL"
        )
        rows = self.session.execute(query, {"as_of": as_of})
        return {cid: (int(limit), int(cents)) for cid, limit, cents in rows}

    def scores(self, as_of: dt.date, before: bool = False) -> dict[str, StoredScore]:
        """Each customer's latest score on (or, with ``before``, strictly before) ``as_of``."""
        bound = RiskScoreRow.as_of < as_of if before else RiskScoreRow.as_of <= as_of
        latest = (
            select(RiskScoreRow.customer_pk, func.max(RiskScoreRow.as_of).label("as_of"))
            .where(bound)
            .group_by(RiskScoreRow.customer_pk)
            .subquery()
        )
        query = (
            select(RiskScoreRow, CustomerRow.customer_id)
            .join(
                latest,
                (latest.c.customer_pk == RiskScoreRow.customer_pk) & (latest.c.as_of == RiskScoreRow.as_of),
            )
            .join(CustomerRow, CustomerRow.id == RiskScoreRow.customer_pk)
        )
        return {customer_id: _stored(row, customer_id) for row, customer_id in self.session.execute(query)}

    def latest_score(self, customer_id: str, as_of: dt.date) -> StoredScore | None:
        """The customer's latest score on or before ``as_of`` (what its sheet shows)."""
        query = (
            select(RiskScoreRow)
            .join(CustomerRow, CustomerRow.id == RiskScoreRow.customer_pk)
            .where(CustomerRow.customer_id == customer_id, RiskScoreRow.as_of <= as_of)
            .order_by(RiskScoreRow.as_of.desc(), RiskScoreRow.id.desc())
            .limit(1)
        )
        row = self.session.scalars(query).first()
        return None if row is None else _stored(row, customer_id)

    def replace_scores(self, as_of: dt.date, scores: Sequence[StoredScore]) -> None:
        """Scores of one day are recomputed whole: re-running a day replaces them."""
        self.session.execute(delete(RiskScoreRow).where(RiskScoreRow.as_of == as_of))
        self.session.add_all(
            RiskScoreRow(customer_pk=s.customer_pk, as_of=as_of, score=s.score, segment=s.segment,
                         reasons=s.reasons, recommended_credit_limit_cents=s.recommended_credit_limit_cents)
            for s in scores
        )  # fmt: skip
        self.session.flush()
