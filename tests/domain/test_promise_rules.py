"""Promise to pay rules: deadline with grace, kept as soon as paid, broken only past deadline."""

import datetime as dt
from decimal import Decimal

import pytest

from encours.domain.promises import PromiseStatus, evaluate, honour_by

D = dt.date


def test_deadline_adds_grace_days() -> None:
    assert honour_by(D(2026, 2, 26), 3) == D(2026, 3, 1)
    assert honour_by(D(2026, 2, 26), 0) == D(2026, 2, 26)
    with pytest.raises(ValueError):
        honour_by(D(2026, 2, 26), -1)


@pytest.mark.parametrize(
    ("paid", "as_of", "expected"),
    [
        ("1000.00", D(2026, 3, 1), PromiseStatus.KEPT),  # paid in full on the deadline
        ("1200.00", D(2026, 2, 1), PromiseStatus.KEPT),  # early and more than promised
        ("999.99", D(2026, 3, 1), PromiseStatus.OPEN),  # short by a cent, deadline not passed
        ("999.99", D(2026, 3, 2), PromiseStatus.BROKEN),  # short by a cent, the day after
        ("0", D(2026, 3, 2), PromiseStatus.BROKEN),
    ],
)
def test_evaluation(paid: str, as_of: dt.date, expected: PromiseStatus) -> None:
    assert evaluate(Decimal("1000.00"), Decimal(paid), D(2026, 3, 1), as_of) is expected
