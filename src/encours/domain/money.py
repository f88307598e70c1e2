"""Money as exact decimals with a currency; rounding is an explicit policy."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

CENT = Decimal("0.01")


class CurrencyMismatch(ValueError):
    """Raised when amounts of two currencies are combined."""


def to_decimal(value: str | int | Decimal) -> Decimal:
    """Parse an amount without ever going through a float."""
    if isinstance(value, float):  # pragma: no cover - guarded by type hints too
        raise TypeError("floats are not money; pass a string or Decimal")
    try:
        result = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent, the legal rounding for invoices and interest."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Integer minor units, the storage form that keeps SQLite and PostgreSQL identical."""
    return int(round_cents(amount) * 100)


def is_whole_cents(amount: Decimal) -> bool:
    """No fraction of a cent: storing the amount as integer cents loses nothing."""
    return amount == amount.quantize(CENT)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_amount(amount: Decimal) -> str:
    """Decimal string with exactly two decimals, as in every machine-readable output."""
    return str(round_cents(amount))


class Money(NamedTuple):
    """An amount in one currency; arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "EUR") -> Money:
        return cls(to_decimal(amount), currency.upper())

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other)
            return Money(self.amount + other.amount, self.currency)
        if other == 0:  # lets sum() start from 0
            return self
        return NotImplemented

    def __radd__(self, other: object) -> Money:
        return self.__add__(other)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_cents(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.currency}"
