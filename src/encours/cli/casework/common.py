"""What the casework commands share: their options, input parsing, unit of work and table cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from encours.cli.context import fail, parse_date, session_for
from encours.cli.output import print_document, print_table
from encours.domain.money import format_amount
from encours.domain.user_amounts import AmountError, parse_user_amount
from encours.storage.base import today

ByOption = Annotated[str, typer.Option("--by", help="Author recorded in the audit trail.")]
InvoiceOption = Annotated[
    list[str] | None, typer.Option("--invoice", help="Invoice number or ledger key (repeatable).")
]
ReasonOption = Annotated[str, typer.Option("--reason")]
CustomerFilter = Annotated[str | None, typer.Option("--customer", help="Only this customer's.")]
OptionalAsOf = Annotated[str | None, typer.Option("--as-of", help="Default today.")]
R = TypeVar("R")
T = TypeVar("T")


class Fmt(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Fmt, typer.Option("--format")]


def in_session(db: str | None, work: Callable[[Session], T]) -> T:
    """``work`` as one unit of work; a refusal rolls it back (and exits 2, cli/main.py)."""
    with session_for(db) as session:
        return work(session)


def optional_date(text: str | None, option: str) -> dt.date | None:
    return None if text is None else parse_date(text, option)


def parse_amount(text: str, option: str, *, positive: bool = True) -> Decimal:
    try:
        amount = parse_user_amount(text, negative=True)
    except AmountError as exc:
        fail(f"{option}: {exc}")
    if positive and amount <= 0:
        fail(f"{option}: amount must be positive, got {text!r}")
    if amount < 0:
        fail(f"{option}: amount must not be negative, got {text!r}")
    return amount


def date_or_today(text: str | None, option: str) -> dt.date:
    return optional_date(text, option) or today()


def cell(value: object) -> str:
    """A table cell: "-" for nothing, amounts with two decimals, ISO dates."""
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def print_records(
    output: Fmt,
    records: Sequence[R],
    document: Callable[[R], Any],
    title: str,
    header: Sequence[str],
    row: Callable[[R], Sequence[Any]],
) -> None:
    """A list command's output: each record's JSON document, or one table row per record."""
    if output is Fmt.JSON:
        print_document([document(r) for r in records])
        return
    print_table(title, header, [row(r) for r in records])
