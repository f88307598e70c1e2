"""Per-customer late-payment penalty terms: rule, contract rate, claimed or waived."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from encours.dunning.models import PenaltyTermsRow
from encours.storage.base import utcnow


class PenaltyTermsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def penalty_terms(self, customer_pk: int) -> PenaltyTermsRow | None:
        return self.session.get(PenaltyTermsRow, customer_pk)

    def set_penalty_terms(
        self, customer_pk: int, rule: str, contract_rate: Decimal | None, waived: bool, actor: str
    ) -> None:
        row = self.session.get(PenaltyTermsRow, customer_pk)
        if row is None:
            row = PenaltyTermsRow(customer_pk=customer_pk)
            self.session.add(row)
        row.rule = rule
        row.contract_rate = None if contract_rate is None else str(contract_rate)
        row.waived = waived
        row.updated_at = utcnow()
        row.updated_by = actor
        self.session.flush()
