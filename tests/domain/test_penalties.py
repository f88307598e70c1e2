"""SPEC §7 penalties against values computed by hand, and against a naive day-by-day sum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from encours.domain.money import round_cents
from encours.domain.penalties import (
    EU_DIRECTIVE,
    FRANCE,
    HalfYear,
    RateTable,
    Reduction,
    ReferenceRate,
    late_payment_penalty,
    parse_rate_table,
)
from encours.dunning.rates import load_rate_table

D = dt.date
TABLE = load_rate_table().table


def penalty(amount: str, due: dt.date, until: dt.date, *reductions: Reduction, **kwargs: object):  # type: ignore[no-untyped-def]
    options = {"rule": FRANCE, "table": TABLE, **kwargs}
    return late_payment_penalty(Decimal(amount), due, until, reductions, **options)  # type: ignore[arg-type]


def test_known_rates_of_spec_section_7() -> None:
    expected = {
        "2016-H1": "10.00", "2019-H2": "10.00", "2022-H2": "10.00", "2023-H1": "12.50",
        "2023-H2": "14.00", "2024-H1": "14.50", "2024-H2": "14.25", "2025-H1": "13.15",
        "2025-H2": "12.15", "2026-H1": "12.15",
    }  # fmt: skip
    for half, rate in expected.items():
        reference = TABLE.get(HalfYear.parse(half))
        assert reference is not None
        assert FRANCE.rate(reference, None) == Decimal(rate)
    assert HalfYear(2026, 2) in load_rate_table().table.provisional


def test_across_a_half_year_boundary() -> None:
    # 1000.00 due 2024-06-20, D = 2024-07-10: 10 days at 14.50 % then 10 days at 14.25 %.
    # 1000 × 10 × 14.50 / 36500 + 1000 × 10 × 14.25 / 36500 = 287500 / 36500 = 7.8767… → 7.88
    result = penalty("1000.00", D(2024, 6, 20), D(2024, 7, 10))
    assert result.interest == Decimal("7.88")
    assert result.indemnity == Decimal("40.00")
    assert result.days_late == 20
    assert [p.days for p in result.periods] == [10, 10]


def test_allocated_payment_reduces_from_its_date_on() -> None:
    # 400.00 paid on 2024-07-05: Jun 21–30 1000 @14.50, Jul 1–4 1000 @14.25, Jul 5–10 600 @14.25
    # (145000 + 57000 + 51300) / 36500 = 6.9397… → 6.94
    result = penalty("1000.00", D(2024, 6, 20), D(2024, 7, 10), Reduction(D(2024, 7, 5), Decimal("400.00")))
    assert result.interest == Decimal("6.94")


def test_full_payment_stops_interest_and_payment_before_due_is_not_late() -> None:
    # paid in full on 2025-03-11, due 2025-03-01: Mar 2–10 = 9 days at 13.15 % on 500
    # 500 × 9 × 13.15 / 36500 = 1.6212… → 1.62 — and nothing more at a later D.
    paid = Reduction(D(2025, 3, 11), Decimal("500.00"))
    assert penalty("500.00", D(2025, 3, 1), D(2025, 12, 31), paid).interest == Decimal("1.62")
    on_time = Reduction(D(2025, 3, 1), Decimal("500.00"))
    not_late = penalty("500.00", D(2025, 3, 1), D(2025, 12, 31), on_time)
    assert not_late.interest == Decimal("0.00") and not_late.indemnity == Decimal("0.00")
    assert penalty("500.00", D(2025, 3, 1), D(2025, 3, 1)).indemnity == Decimal("0.00")


def test_rounding_is_half_up_to_the_cent() -> None:
    # 18.25 × 1 day × 10 % / 365 = 0.005 exactly: half-up gives 0.01 (banker's would give 0.00)
    table = RateTable({HalfYear(2020, 1): ReferenceRate(HalfYear(2020, 1), Decimal("0"), Decimal("0.87"))})
    result = late_payment_penalty(Decimal("18.25"), D(2020, 3, 1), D(2020, 3, 2), rule=FRANCE, table=table)
    assert result.interest == Decimal("0.01")


def test_contract_rate_is_floored_at_three_times_the_legal_rate() -> None:
    # 2024-H1 legal rate 5.07 % → floor 15.21 %; a 5 % contract rate is raised to it.
    # 10000 × 30 days (Feb 1–Mar 1, 2024) × 15.21 / 36500 = 125.013… → 125.01
    low = penalty("10000.00", D(2024, 1, 31), D(2024, 3, 1), contract_rate=Decimal("5"))
    assert low.interest == Decimal("125.01")
    # a 20 % contract rate applies as is: 10000 × 30 × 20 / 36500 = 164.383… → 164.38
    high = penalty("10000.00", D(2024, 1, 31), D(2024, 3, 1), contract_rate=Decimal("20"))
    assert high.interest == Decimal("164.38")


def test_eu_directive_rule_is_ecb_plus_eight() -> None:
    # 2023-H2 ECB 4.00 % → 12.00 %; 3650 × 10 days × 12 / 36500 = 12.00
    result = penalty("3650.00", D(2023, 8, 1), D(2023, 8, 11), rule=EU_DIRECTIVE)
    assert result.interest == Decimal("12.00")
    assert result.indemnity == Decimal("40.00")


def test_missing_half_year_is_an_error_not_a_crash() -> None:
    result = penalty("1000.00", D(2008, 11, 30), D(2009, 1, 10))
    assert result.interest is None
    assert [e.half_year for e in result.errors] == ["2008-H2"]


def test_rate_file_errors_name_line_and_field() -> None:
    rows = [
        (2, {"half_year": "2024-H3", "ecb_mro_rate": "1"}),
        (3, {"half_year": "2024-H1", "ecb_mro_rate": "x"}),
    ]
    table, errors = parse_rate_table(rows, "rates.csv")
    assert not table.rates
    assert [(e.line, e.field) for e in errors] == [(2, "half_year"), (3, "ecb_mro_rate")]


def naive(amount: Decimal, due: dt.date, until: dt.date, reductions: list[Reduction]) -> Decimal:
    """SPEC §7 literally: one term per day."""
    total = Decimal(0)
    day = due + dt.timedelta(days=1)
    while day <= until:
        owed = amount - sum((r.amount for r in reductions if r.date <= day), Decimal(0))
        reference = TABLE.get(HalfYear.of(day))
        assert reference is not None
        if owed > 0:
            total += owed * (reference.ecb_rate + 10)
        day += dt.timedelta(days=1)
    return round_cents(total / Decimal(36500))


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(1, 10_000_000),
    due=st.dates(D(2016, 1, 1), D(2026, 6, 1)),
    span=st.integers(0, 800),
    payments=st.lists(st.tuples(st.integers(-40, 800), st.integers(1, 5_000_000)), max_size=4),
)
def test_period_sum_equals_the_day_by_day_sum(
    cents: int, due: dt.date, span: int, payments: list[tuple[int, int]]
) -> None:
    amount = Decimal(cents) / 100
    until = min(due + dt.timedelta(days=span), D(2026, 12, 31))
    reductions = [Reduction(due + dt.timedelta(days=offset), Decimal(c) / 100) for offset, c in payments]
    result = penalty(str(amount), due, until, *reductions)
    assert result.interest == naive(amount, due, until, reductions)
