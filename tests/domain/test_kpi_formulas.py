import datetime as dt
from decimal import Decimal

from encours.domain.kpi import KpiInputs, compute_kpis, dso_countback

D = dt.date


def sales_table(by_month: dict[tuple[int, int], str]):  # type: ignore[no-untyped-def]
    def between(start: D, end: D) -> Decimal:
        return Decimal(by_month.get((start.year, start.month), "0"))

    return between


def test_countback_walks_back_months() -> None:
    between = sales_table({(2023, 3): "1000", (2023, 2): "1000", (2023, 1): "1000"})
    # March counts 15 days and absorbs 1000; February absorbs the last 500 of its 1000 over 28 days
    assert dso_countback(Decimal("1500"), D(2023, 3, 15), between, D(2023, 1, 1)) == Decimal("29")


def test_countback_is_zero_without_balance() -> None:
    between = sales_table({(2023, 3): "1000"})
    assert dso_countback(Decimal("0"), D(2023, 3, 15), between, D(2023, 3, 1)) == 0


def test_simple_best_possible_add_cei_overdue_ratio() -> None:
    inputs = KpiInputs(
        as_of=D(2023, 6, 30),
        currency="EUR",
        outstanding=Decimal("900"),
        outstanding_30_days_before=Decimal("1000"),
        overdue=Decimal("300"),
        positive_open=Decimal("1000"),
        current=Decimal("600"),
        sales_90_days=Decimal("2700"),
        sales_30_days=Decimal("500"),
    )
    kpis = compute_kpis(inputs, Decimal("20"))
    assert kpis.dso_simple == Decimal("30")
    assert kpis.best_possible_dso == Decimal("20")
    assert kpis.add == Decimal("10")
    assert kpis.overdue_ratio == Decimal("0.3")
    # (1000 + 500 - 900) / (1000 + 500 - 600) = 600 / 900
    assert kpis.to_json()["cei"] == 66.7
    assert kpis.to_json()["overdue_ratio"] == 0.3
