"""Payment terms: how a due date follows from a document date."""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum
from typing import NamedTuple


class TermsKind(StrEnum):
    NET = "net"  # N days net
    DAYS_END_OF_MONTH = "days_end_of_month"  # N jours fin de mois: +N days, then month end
    END_OF_MONTH_PLUS = "end_of_month_plus"  # fin de mois le N / fin de mois + N jours


DEFAULT_TERMS_DAYS = 30


def end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class PaymentTerms(NamedTuple):
    kind: TermsKind = TermsKind.NET
    days: int = DEFAULT_TERMS_DAYS

    def due_date(self, document_date: dt.date) -> dt.date:
        if self.kind is TermsKind.NET:
            return document_date + dt.timedelta(days=self.days)
        if self.kind is TermsKind.DAYS_END_OF_MONTH:
            return end_of_month(document_date + dt.timedelta(days=self.days))
        return end_of_month(document_date) + dt.timedelta(days=self.days)

    @classmethod
    def net(cls, days: int | None) -> PaymentTerms:
        return cls(TermsKind.NET, DEFAULT_TERMS_DAYS if days is None else days)
