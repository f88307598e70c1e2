"""Late-payment penalties (SPEC §7): interest per invoice and the fixed recovery indemnity.

Interest is Σ over each late day of A × r(day) / 365, where A is the amount still owed that
day and r(day) the rate of the day's half-year. The sum is taken per period of constant A and
rate (half-year boundaries and allocation dates cut the periods), not per day, in exact
decimals, then rounded half-up to the cent once per invoice. Rates come from a table that is
data (see ``encours.dunning.rates``); the rule turning a reference rate into a penalty
rate is pluggable per jurisdiction. A day with no known rate is an error returned as data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Context, Decimal, InvalidOperation
from typing import NamedTuple, Protocol

from encours.domain.errors import LedgerError
from encours.domain.money import round_cents

DAYS_IN_YEAR = 365  # SPEC §7: always 365, leap years included
_EXACT = Context(prec=60)
_HALF_YEAR = re.compile(r"^(\d{4})-H([12])$")


class HalfYear(NamedTuple):
    """January–June (half 1) or July–December (half 2) of a year: the period of one rate."""

    year: int
    half: int

    @classmethod
    def of(cls, day: dt.date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        match = _HALF_YEAR.match(text.strip())
        if match is None:
            raise ValueError(f"not a half-year {text!r}, expected YYYY-H1 or YYYY-H2")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"


class ReferenceRate(NamedTuple):
    """Rates of one half-year, in percent."""

    half_year: HalfYear
    ecb_rate: Decimal  # ECB main refinancing rate on 1 January / 1 July
    legal_rate: Decimal | None  # French legal interest rate for professionals
    provisional: bool = False
    note: str = ""


class RateTable(NamedTuple):
    rates: Mapping[HalfYear, ReferenceRate]

    def get(self, half_year: HalfYear) -> ReferenceRate | None:
        return self.rates.get(half_year)

    @property
    def provisional(self) -> tuple[HalfYear, ...]:
        return tuple(sorted(h for h, rate in self.rates.items() if rate.provisional))


RATE_COLUMNS = ("half_year", "ecb_mro_rate", "legal_rate_professional", "provisional", "note")


def _rate(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"{name}: not a number {text!r}") from exc
    if not value.is_finite() or value < -5 or value > 100:
        raise ValueError(f"{name}: implausible rate {text!r} (percent expected)")
    return value


def parse_rate_table(
    rows: Iterable[tuple[int, Mapping[str, str]]], file: str
) -> tuple[RateTable, list[LedgerError]]:
    """Build a rate table from ``(line, row)`` pairs; every bad row is reported, none raises."""
    rates: dict[HalfYear, ReferenceRate] = {}
    errors: list[LedgerError] = []
    for line, row in rows:
        field = "half_year"
        try:
            half = HalfYear.parse(row.get("half_year", ""))
            field = "ecb_mro_rate"
            ecb = _rate(row.get("ecb_mro_rate", ""), field)
            field = "legal_rate_professional"
            legal_text = (row.get("legal_rate_professional") or "").strip()
            legal = _rate(legal_text, field) if legal_text else None
            field = "provisional"
            flag = (row.get("provisional") or "false").strip().lower()
            if flag not in ("true", "false", "1", "0", "yes", "no", ""):
                raise ValueError(f"provisional: expected true or false, got {flag!r}")
        except ValueError as exc:
            errors.append(LedgerError(file, line, field, str(exc)))
            continue
        if half in rates:
            errors.append(LedgerError(file, line, "half_year", f"{half} appears twice"))
            continue
        rates[half] = ReferenceRate(
            half, ecb, legal, flag in ("true", "1", "yes"), (row.get("note") or "").strip()
        )
    return RateTable(rates), errors


class PenaltyError(NamedTuple):
    """Why a penalty could not be computed (e.g. no rate known for a half-year)."""

    half_year: str
    message: str

    def __str__(self) -> str:
        return f"{self.half_year}: {self.message}"


class PenaltyRule(Protocol):
    """A jurisdiction's rule: penalty rate of a half-year and the fixed indemnity per invoice."""

    @property
    def name(self) -> str: ...

    @property
    def indemnity(self) -> Decimal: ...

    def rate(self, reference: ReferenceRate, contract_rate: Decimal | None) -> Decimal | PenaltyError: ...


class ReferencePlusMargin(NamedTuple):
    """Reference (ECB) rate plus a margin, or a contract rate not below a multiple of the legal rate."""

    name: str
    margin: Decimal
    indemnity: Decimal
    legal_floor_multiple: Decimal | None = None

    def rate(self, reference: ReferenceRate, contract_rate: Decimal | None) -> Decimal | PenaltyError:
        if contract_rate is None:
            return reference.ecb_rate + self.margin
        if self.legal_floor_multiple is None:
            return contract_rate
        if reference.legal_rate is None:
            return PenaltyError(
                str(reference.half_year), "no legal interest rate known for the contract-rate floor"
            )
        return max(contract_rate, self.legal_floor_multiple * reference.legal_rate)


FRANCE = ReferencePlusMargin("fr_l441_10", Decimal(10), Decimal(40), Decimal(3))
EU_DIRECTIVE = ReferencePlusMargin("eu_2011_7", Decimal(8), Decimal(40))
RULES: dict[str, PenaltyRule] = {FRANCE.name: FRANCE, EU_DIRECTIVE.name: EU_DIRECTIVE}


class Reduction(NamedTuple):
    """An allocation (payment or credit note applied to the invoice): reduces A from ``date`` on."""

    date: dt.date
    amount: Decimal


class InterestPeriod(NamedTuple):
    """Days ``start``..``end`` (inclusive) with the same amount owed and the same rate."""

    start: dt.date
    end: dt.date
    amount: Decimal
    rate: Decimal  # percent per year

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def interest(self) -> Decimal:
        """Unrounded: only the invoice total is rounded."""
        return _EXACT.divide(self.amount * self.days * self.rate, Decimal(100 * DAYS_IN_YEAR))


class Penalty(NamedTuple):
    interest: Decimal | None  # rounded to the cent; None when a rate is missing
    indemnity: Decimal
    days_late: int
    periods: tuple[InterestPeriod, ...]
    errors: tuple[PenaltyError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> Decimal | None:
        return None if self.interest is None else self.interest + self.indemnity


NOT_LATE = Penalty(Decimal("0.00"), Decimal("0.00"), 0, (), ())


def _half_year_cuts(first: dt.date, last: dt.date) -> list[dt.date]:
    """Starts of the half-years beginning strictly after ``first`` and not after ``last``."""
    cuts: list[dt.date] = []
    half = HalfYear.of(first)
    while True:
        half = HalfYear(half.year + 1, 1) if half.half == 2 else HalfYear(half.year, 2)
        if half.start > last:
            return cuts
        cuts.append(half.start)


def late_payment_penalty(
    amount: Decimal,
    due_date: dt.date,
    until: dt.date,
    reductions: Iterable[Reduction] = (),
    *,
    rule: PenaltyRule,
    table: RateTable,
    contract_rate: Decimal | None = None,
) -> Penalty:
    """Penalty of one invoice of ``amount`` due ``due_date``, counted up to ``until`` inclusive.

    ``until`` is the view date D; a payment ends the interest by bringing A to zero from its
    date on. The invoice is late when something is still owed on the day after its due date.
    """
    first = due_date + dt.timedelta(days=1)
    if until < first:
        return NOT_LATE
    ordered = sorted(reductions)
    owed = amount - sum((r.amount for r in ordered if r.date <= first), Decimal(0))
    if owed <= 0:
        return NOT_LATE
    changes: dict[dt.date, Decimal] = {}
    for reduction in ordered:
        if first < reduction.date <= until:
            changes[reduction.date] = changes.get(reduction.date, Decimal(0)) + reduction.amount
    cuts = sorted(set(changes) | set(_half_year_cuts(first, until)))
    periods: list[InterestPeriod] = []
    errors: dict[HalfYear, PenaltyError] = {}
    start = first
    for boundary in [*cuts, until + dt.timedelta(days=1)]:
        if owed > 0 and boundary > start:
            half = HalfYear.of(start)
            reference = table.get(half)
            rate = (
                rule.rate(reference, contract_rate)
                if reference is not None
                else PenaltyError(str(half), "no rate known for this half-year: update the rate table")
            )
            if isinstance(rate, PenaltyError):
                errors.setdefault(half, rate)
            else:
                periods.append(InterestPeriod(start, boundary - dt.timedelta(days=1), owed, rate))
        owed -= changes.get(boundary, Decimal(0))
        start = boundary
    days_late = (until - due_date).days
    if errors:
        return Penalty(None, rule.indemnity, days_late, tuple(periods), tuple(errors.values()))
    numerator = sum((p.amount * p.days * p.rate for p in periods), Decimal(0))
    interest = round_cents(_EXACT.divide(numerator, Decimal(100 * DAYS_IN_YEAR)))
    return Penalty(interest, round_cents(rule.indemnity), days_late, tuple(periods), ())
