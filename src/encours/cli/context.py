"""What every command shares: the database option, the unit of work, errors and exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session

from encours.domain.errors import EncoursError, InvalidLines
from encours.settings import get_settings
from encours.storage.database import get_engine, unit_of_work

EXIT_BAD_INPUT = 2
SHOWN_LINE_ERRORS = 50  # a file wrong on every line should not flood the terminal

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $ENCOURS_DATABASE_URL or sqlite:///encours.db)."),
]
AsOfOption = Annotated[str, typer.Option("--as-of", help="Date of the view, YYYY-MM-DD.")]

err_console = Console(stderr=True)


def say_error(message: str) -> None:
    """One unwrapped line on stderr, so scripts can grep file:line [field]."""
    print(message, file=sys.stderr)


def fail(message: str) -> NoReturn:
    """Bad usage or bad input: message on stderr, exit code 2."""
    say_error(message)
    raise typer.Exit(EXIT_BAD_INPUT)


def report(refusal: EncoursError) -> None:
    """A refusal on stderr: one ``error:`` line, or one per bad line then what it means."""
    if not isinstance(refusal, InvalidLines):
        say_error(f"error: {refusal}")
        return
    for error in refusal.errors[:SHOWN_LINE_ERRORS]:
        say_error(f"error: {error}")
    if len(refusal.errors) > SHOWN_LINE_ERRORS:
        say_error(f"... and {len(refusal.errors) - SHOWN_LINE_ERRORS} more errors")
    say_error(refusal.message)


@contextlib.contextmanager
def refusals_exit_2() -> Iterator[None]:
    """Every command runs inside this (cli/main.py): a refusal is reported and exits 2."""
    try:
        yield
    except EncoursError as refusal:
        report(refusal)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def parse_date(text: str, option: str) -> dt.date:
    """A YYYY-MM-DD option value; anything else exits 2 naming the option."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: invalid date {text!r}, expected YYYY-MM-DD")


def parse_as_of(text: str) -> dt.date:
    return parse_date(text, "--as-of")


def engine_for(db: str | None) -> Engine:
    """The migrated engine; a URL SQLAlchemy cannot parse or load is bad usage (exit 2)."""
    resolved = db or get_settings().database_url  # a bad setting is a refusal: exit 2
    try:
        url = make_url(resolved)
        url.get_dialect()
    except (ArgumentError, NoSuchModuleError) as exc:
        fail(f"--db: invalid database URL: {exc}")
    return get_engine(resolved)


@contextlib.contextmanager
def session_for(db: str | None) -> Iterator[Session]:
    with unit_of_work(engine_for(db)) as session:
        yield session


def show_progress() -> bool:
    """Progress bars only for a person watching a terminal."""
    return sys.stderr.isatty()
