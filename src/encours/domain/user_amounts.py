"""Amounts typed by people (CLI options, UI and portal forms, API requests), read one way.

Accepted: ``1234.56``, ``1234,56``, ``1 234,56`` (groups of three separated by a space, a
no-break space or a narrow no-break space, as French locales print them), ``-12.5`` where
negatives are allowed. Refused with a message saying why: anything else, more than two
decimals, and ``1,234`` (a thousands group in English, 1.234 in French). Files keep their own
strict formats (canonical CSV, FEC): this is only for what a person types.
"""

from __future__ import annotations

import re
from decimal import Decimal

from encours.domain.errors import InvalidInput

MAX_TYPED = Decimal("1e12")  # beyond any receivable: a typing slip
_AMOUNT = re.compile(
    r"(?P<sign>-)?(?P<whole>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:(?P<mark>[.,])(?P<fraction>\d+))?"
)


class AmountError(InvalidInput, ValueError):
    """Text that is not an amount; the message says what is wrong (a ValueError for pydantic too)."""


def parse_user_amount(text: str, *, negative: bool = False) -> Decimal:
    """The exact amount ``text`` says; raises :class:`AmountError` naming the problem."""
    found = _AMOUNT.fullmatch(text.strip())
    if found is None:
        raise AmountError.because("invalid_amount", text=text)
    whole = re.sub(r"\D", "", found["whole"])
    fraction = found["fraction"] or ""
    if found["mark"] == "," and len(fraction) == 3 and whole == found["whole"] and len(whole) <= 3:
        raise AmountError.because("ambiguous_amount", text=text, thousands=whole + fraction)
    if len(fraction) > 2 and fraction[2:].strip("0"):
        raise AmountError.because("amount_two_decimals", text=text)
    if found["sign"] and not negative:
        raise AmountError.because("amount_negative", text=text)
    return Decimal(f"{found['sign'] or ''}{whole}{'.' if fraction else ''}{fraction}")


def parse_positive_amount(text: str) -> Decimal:
    """What a form asks for a promise or a payment: more than zero, at most :data:`MAX_TYPED`."""
    amount = parse_user_amount(text, negative=True)
    if amount <= 0 or amount > MAX_TYPED:
        raise AmountError.because("amount_not_positive", text=text)
    return amount
