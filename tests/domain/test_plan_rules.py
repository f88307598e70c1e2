"""Payment plan rules: schedules, validation, cumulative kept/broken evaluation."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encours.domain.plans import (
    Instalment,
    InstalmentStatus,
    PlanStatus,
    add_months,
    equal_schedule,
    evaluate,
    plan_status,
    schedule_errors,
)

D = dt.date
K, P, B = InstalmentStatus.KEPT, InstalmentStatus.PENDING, InstalmentStatus.BROKEN


def test_months_clamp_to_month_end() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2027, 12, 15), 2) == D(2028, 2, 15)


def test_equal_schedule_puts_the_remainder_last() -> None:
    schedule = equal_schedule(Decimal("100.00"), D(2026, 1, 31), 3)
    assert [i.amount for i in schedule] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert [i.due_date for i in schedule] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    assert [i.seq for i in schedule] == [1, 2, 3]


@given(
    cents=st.integers(min_value=1, max_value=10**10),
    count=st.integers(min_value=1, max_value=36),
)
def test_equal_schedule_always_sums_to_the_total(cents: int, count: int) -> None:
    total = Decimal(cents) / 100
    schedule = equal_schedule(total, D(2026, 1, 15), count, 1)
    assert sum(i.amount for i in schedule) == total
    # every instalment is at least a cent exactly when there are enough cents to share
    assert (schedule_errors(schedule, total) == []) == (cents >= count)


def test_schedule_errors_name_each_problem() -> None:
    bad = [Instalment(1, D(2026, 2, 1), Decimal("50")), Instalment(2, D(2026, 2, 1), Decimal("-5"))]
    errors = schedule_errors(bad, Decimal("100"))
    assert "instalment 2: amount must be positive" in errors
    assert "instalment 2: due dates must strictly increase" in errors
    assert "instalments total 45.00 but the covered invoices owe 100.00" in errors
    assert schedule_errors([], Decimal(1)) == ["a plan needs at least one instalment"]


SCHEDULE = [
    Instalment(1, D(2026, 1, 10), Decimal("100")),
    Instalment(2, D(2026, 2, 10), Decimal("100")),
    Instalment(3, D(2026, 3, 10), Decimal("100")),
]


def states(payments: list[tuple[dt.date, str]], as_of: dt.date) -> list[InstalmentStatus]:
    dated = [(day, Decimal(amount)) for day, amount in payments]
    return [s.status for s in evaluate(SCHEDULE, dated, 3, as_of)]


def test_instalments_are_settled_cumulatively() -> None:
    assert states([], D(2026, 1, 13)) == [P, P, P]  # within grace
    assert states([], D(2026, 1, 14)) == [B, P, P]
    assert states([(D(2026, 1, 12), "100")], D(2026, 2, 20)) == [K, B, P]
    # one payment covering two instalments, paid late for the first but within grace
    assert states([(D(2026, 1, 13), "200")], D(2026, 3, 1)) == [K, K, P]
    # a payment after the grace does not repair a broken instalment
    assert states([(D(2026, 1, 20), "300")], D(2026, 3, 20)) == [B, K, K]
    # payments after the evaluation date are not seen
    assert states([(D(2026, 3, 1), "300")], D(2026, 2, 28)) == [B, B, P]


def test_remaining_and_settlement_day() -> None:
    result = evaluate(
        SCHEDULE, [(D(2026, 1, 5), Decimal("60")), (D(2026, 1, 9), Decimal("90"))], 0, D(2026, 1, 9)
    )
    assert [(s.remaining, s.settled_on) for s in result] == [
        (Decimal("0"), D(2026, 1, 9)),
        (Decimal("50"), None),
        (Decimal("100"), None),
    ]


def test_plan_status() -> None:
    by_status = {
        PlanStatus.ACTIVE: [P, P, P],
        PlanStatus.BROKEN: [K, B, P],
        PlanStatus.COMPLETED: [K, K, K],
    }
    for expected, statuses in by_status.items():
        fake = [
            s._replace(status=st)
            for s, st in zip(evaluate(SCHEDULE, [], 0, D(2026, 1, 1)), statuses, strict=True)
        ]
        assert plan_status(fake) is expected


def test_bad_schedule_parameters() -> None:
    with pytest.raises(ValueError):
        equal_schedule(Decimal("10"), D(2026, 1, 1), 0)
    with pytest.raises(ValueError):
        equal_schedule(Decimal("0"), D(2026, 1, 1), 2)
