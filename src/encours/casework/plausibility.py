"""What a promise or a plan may say: dates near the business date, amounts near what is owed.

The business date is the command's ``--as-of`` (the screen's date in the web app), never the
machine's clock. A promise is made on a day at most a year before it and never after it; its
promised date and a plan's dates lie within a year of it. A promised amount is at most the
open balance of the invoices it covers plus the late-payment penalties they may carry: the
fixed indemnity per late invoice and a generous bound on the interest (L441-10 II).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from encours.casework.errors import CaseworkError

HORIZON_DAYS = 366  # "within a year", leap years included
INDEMNITY_PER_LATE_INVOICE = Decimal(40)  # D441-5
INTEREST_RATE_BOUND = Decimal("0.25")  # a year's interest never exceeds a quarter of the debt


class OpenInvoice(NamedTuple):
    reference: str
    due_date: dt.date
    open_amount: Decimal  # positive


def within_a_year(day: dt.date, as_of: dt.date, field: str, what: str) -> None:
    """Refuse ``day`` more than a year away from the business date ``as_of``."""
    if abs((day - as_of).days) > HORIZON_DAYS:
        raise CaseworkError.because("more_than_a_year", field=field, what=what, day=day, as_of=as_of)


def made_on(day: dt.date, as_of: dt.date) -> None:
    """The day a promise was made: not after the business date, not more than a year before."""
    if day > as_of:
        raise CaseworkError.because("promise_after_day", field="made_on", day=day, as_of=as_of)
    within_a_year(day, as_of, "made_on", "the promise's day")


def amount_ceiling(invoices: Iterable[OpenInvoice], on: dt.date) -> Decimal:
    """The most a customer can owe on ``invoices`` at ``on``: open balance plus penalties."""
    ceiling = Decimal(0)
    for invoice in invoices:
        late = (on - invoice.due_date).days
        ceiling += invoice.open_amount
        if late > 0:
            interest = invoice.open_amount * INTEREST_RATE_BOUND * min(late, HORIZON_DAYS) / 365
            ceiling += INDEMNITY_PER_LATE_INVOICE + interest.quantize(Decimal("0.01"))
    return ceiling


def promised_amount(amount: Decimal, invoices: list[OpenInvoice], on: dt.date, currency: str) -> None:
    """Refuse a promised amount above what the covered invoices can amount to."""
    balance = sum((i.open_amount for i in invoices), Decimal(0))
    ceiling = amount_ceiling(invoices, on)
    if amount > ceiling:
        raise CaseworkError.because(
            "promise_exceeds",
            field="amount",
            amount=amount,
            currency=currency,
            balance=balance,
            ceiling=ceiling,
        )
