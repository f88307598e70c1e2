"""Exposure against a credit limit."""

from decimal import Decimal

from encours.domain.credit import position


def test_exposure_counts_open_orders_and_compares_strictly() -> None:
    at_limit = position(Decimal("800.00"), Decimal("200.00"), Decimal("1000.00"))
    assert (at_limit.exposure, at_limit.available, at_limit.exceeded) == (
        Decimal("1000.00"),
        Decimal("0.00"),
        False,
    )
    assert at_limit.utilisation == Decimal("1.000")
    over = position(Decimal("800.00"), Decimal("200.01"), Decimal("1000.00"))
    assert (over.exceeded, over.available) == (True, Decimal("-0.01"))


def test_no_limit_never_alerts() -> None:
    free = position(Decimal("1e9"), Decimal(0), None)
    assert (free.exceeded, free.available, free.utilisation) == (False, None, None)


def test_zero_limit_means_no_credit() -> None:
    cash_only = position(Decimal("0.01"), Decimal(0), Decimal(0))
    assert cash_only.exceeded and cash_only.utilisation is None
