"""How much less than the amount due a transfer may bring and still settle it: the bank's charges.

A foreign or intermediary bank often deducts a few euros; chasing them costs more than they
are worth. The difference, up to the tolerance, is booked as a charge instead of a balance.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from encours.domain.money import round_cents

DEFAULT_RATE = Decimal("0.005")  # 0.5 % of the amount due...
DEFAULT_CAP = Decimal("15.00")  # ...at most this much


class ChargeTolerance(NamedTuple):
    rate: Decimal = DEFAULT_RATE
    cap: Decimal = DEFAULT_CAP

    def of(self, due: Decimal) -> Decimal:
        """The largest shortfall on ``due`` that still settles it."""
        return min(round_cents(abs(due) * self.rate), self.cap)

    def settles(self, paid: Decimal, due: Decimal) -> bool:
        """``paid`` settles ``due``: the same amount, or short of it by the tolerance at most."""
        return Decimal(0) <= due - paid <= self.of(due)
