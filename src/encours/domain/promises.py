"""Promise to pay: when reminders may resume, and whether the promise was kept or broken."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

DEFAULT_GRACE_DAYS = 3


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


def honour_by(promised_date: dt.date, grace_days: int = DEFAULT_GRACE_DAYS) -> dt.date:
    """Last day the promised money may arrive; reminders stay paused until then."""
    if grace_days < 0:
        raise ValueError("grace days cannot be negative")
    return promised_date + dt.timedelta(days=grace_days)


def evaluate(promised: Decimal, paid: Decimal, deadline: dt.date, as_of: dt.date) -> PromiseStatus:
    """Kept as soon as the promised amount is paid; broken once ``deadline`` has passed short."""
    if paid >= promised:
        return PromiseStatus.KEPT
    if as_of > deadline:
        return PromiseStatus.BROKEN
    return PromiseStatus.OPEN
