"""Whom to call first without a model: overdue amounts weighted by their bucket's days late."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from encours.domain.aging import DEFAULT_BUCKETS, AgedBalance, AgedRow
from encours.domain.overdue_priority import overdue_priorities, typical_days

AS_OF = dt.date(2026, 10, 31)


def balance(*rows: AgedRow, currency: str = "EUR") -> AgedBalance:
    return AgedBalance(AS_OF, currency, DEFAULT_BUCKETS, rows)


def test_typical_days_are_the_middle_of_each_past_due_bucket() -> None:
    # not_due, 1-30, 31-60, 61-90, 91+
    assert typical_days(balance()) == [0, 15, 45, 75, 121]


def test_heaviest_first_and_nothing_not_yet_due() -> None:
    zero = D(0)
    found = overdue_priorities(
        [
            balance(
                AgedRow("LATE", "Late", (zero, zero, zero, zero, D(100))),  # 100 × 121
                AgedRow("FRESH", "Fresh", (zero, D(500), zero, zero, zero)),  # 500 × 15
                AgedRow("NOTDUE", "Not due", (D(9999), zero, zero, zero, zero)),
            ),
            balance(AgedRow("USD1", "Dollars", (zero, D(100), zero, zero, D(100))), currency="USD"),
        ],
        limit=10,
    )
    assert [(p.customer_id, p.currency, p.overdue, p.weight) for p in found] == [
        ("USD1", "USD", D(200), D(13600)),
        ("LATE", "EUR", D(100), D(12100)),
        ("FRESH", "EUR", D(500), D(7500)),
    ]


def test_equal_weights_by_customer_id_up_to_the_limit() -> None:
    rows = [AgedRow(c, c, (D(0), D(10), D(0), D(0), D(0))) for c in ("B", "A", "C")]
    assert [p.customer_id for p in overdue_priorities([balance(*rows)], limit=2)] == ["A", "B"]
