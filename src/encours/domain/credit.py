"""Credit exposure against a limit: how much is used, what is left, whether it is exceeded."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class CreditPosition(NamedTuple):
    outstanding: Decimal  # net open balance of the ledger
    open_orders: Decimal  # ordered, not yet invoiced
    exposure: Decimal  # outstanding + open orders
    limit: Decimal | None  # None: no limit set
    available: Decimal | None  # limit - exposure (negative when exceeded)
    exceeded: bool
    utilisation: Decimal | None  # exposure / limit, a fraction rounded to 0.001


def position(outstanding: Decimal, open_orders: Decimal, limit: Decimal | None) -> CreditPosition:
    exposure = outstanding + open_orders
    if limit is None:
        return CreditPosition(outstanding, open_orders, exposure, None, None, False, None)
    utilisation = None if limit <= 0 else (exposure / limit).quantize(Decimal("0.001"))
    return CreditPosition(
        outstanding, open_orders, exposure, limit, limit - exposure, exposure > limit, utilisation
    )
