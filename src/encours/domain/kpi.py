"""Receivable KPIs (SPEC §5) as pure formulas over aggregates an engine computed."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from encours.domain.money import format_amount


class KpiInputs(NamedTuple):
    """The few set-wise aggregates every KPI is made of."""

    as_of: dt.date
    currency: str
    outstanding: Decimal
    outstanding_30_days_before: Decimal
    overdue: Decimal  # positive open items past due
    positive_open: Decimal  # sum of the positive open items
    current: Decimal  # the not_due bucket
    sales_90_days: Decimal
    sales_30_days: Decimal
    doubtful: Decimal = Decimal(0)  # open items of customers handed over or in litigation


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def _scaled(value: Decimal | None, factor: int) -> Decimal | None:
    return None if value is None else value * factor


def month_windows(as_of: dt.date) -> tuple[dt.date, dt.date, int]:
    """(first day, last day counted, days) of the month of ``as_of`` up to it."""
    return as_of.replace(day=1), as_of, as_of.day


def dso_countback(
    outstanding: Decimal,
    as_of: dt.date,
    sales_between: Callable[[dt.date, dt.date], Decimal],
    earliest_sale: dt.date | None,
) -> Decimal:
    """Countback DSO: absorb the balance with the latest months' sales, walking back."""
    remaining = outstanding
    days = Decimal(0)
    if remaining <= 0 or earliest_sale is None:
        return days
    start, end, month_days = month_windows(as_of)
    while True:
        sales = sales_between(start, end)
        if remaining > sales and start > earliest_sale:
            remaining -= sales
            days += month_days
            end = start - dt.timedelta(days=1)
            start = end.replace(day=1)
            month_days = calendar.monthrange(end.year, end.month)[1]
            continue
        if sales > 0:
            days += min(remaining / sales, Decimal(1)) * month_days
        return days


class Kpis(NamedTuple):
    as_of: dt.date
    currency: str
    outstanding: Decimal
    overdue: Decimal
    overdue_ratio: Decimal | None
    dso_countback: Decimal
    dso_simple: Decimal | None
    best_possible_dso: Decimal | None
    add: Decimal | None
    cei: Decimal | None
    doubtful_rate: Decimal | None

    def to_json(self) -> dict[str, object]:
        def num(value: Decimal | None, places: str) -> float | None:
            if value is None:
                return None
            return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))

        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "outstanding": format_amount(self.outstanding),
            "overdue": format_amount(self.overdue),
            "overdue_ratio": num(self.overdue_ratio, "0.001"),
            "dso_countback": num(self.dso_countback, "0.1"),
            "dso_simple": num(self.dso_simple, "0.1"),
            "best_possible_dso": num(self.best_possible_dso, "0.1"),
            "add": num(self.add, "0.1"),
            "cei": num(self.cei, "0.1"),
            "doubtful_rate": num(self.doubtful_rate, "0.001"),
        }


def compute_kpis(inputs: KpiInputs, countback: Decimal) -> Kpis:
    """Every KPI from the aggregates; a ratio over an empty denominator is None, not zero."""
    dso_simple = _scaled(_ratio(inputs.outstanding, inputs.sales_90_days), 90)
    best = _scaled(_ratio(inputs.current, inputs.sales_90_days), 90)
    collectable = inputs.outstanding_30_days_before + inputs.sales_30_days
    cei = _scaled(_ratio(collectable - inputs.outstanding, collectable - inputs.current), 100)
    return Kpis(
        as_of=inputs.as_of,
        currency=inputs.currency,
        outstanding=inputs.outstanding,
        overdue=inputs.overdue,
        overdue_ratio=_ratio(inputs.overdue, inputs.positive_open),
        dso_countback=countback,
        dso_simple=dso_simple,
        best_possible_dso=best,
        add=None if dso_simple is None or best is None else dso_simple - best,
        cei=cei,
        doubtful_rate=_ratio(inputs.doubtful, inputs.positive_open),
    )
