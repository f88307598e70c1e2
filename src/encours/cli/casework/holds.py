"""`encours hold`: customer pause, credit hold, litigation or agency hand-over."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import holds
from encours.casework.schemas import HoldOut
from encours.cli.casework.common import (
    ByOption,
    CustomerFilter,
    Fmt,
    FormatOption,
    OptionalAsOf,
    ReasonOption,
    cell,
    date_or_today,
    in_session,
    optional_date,
    print_records,
)
from encours.cli.context import DbOption

hold_app = typer.Typer(
    help="Customer pause, credit hold, litigation or agency hand-over.", no_args_is_help=True
)
KindOption = Annotated[str, typer.Option("--kind", help="pause, credit_hold, litigation or agency.")]


@hold_app.command("place")
def hold_place(
    customer: str,
    kind: KindOption = "pause",
    start: Annotated[str | None, typer.Option("--from", help="First day (default today).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day (default: until released).")] = None,
    reason: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Put a customer on hold (pause stops reminders; credit_hold flags the account)."""
    first = date_or_today(start, "--from")
    last = optional_date(until, "--until")
    found = in_session(
        db,
        lambda s: holds.place_hold(
            s, customer, kind, actor=by, start_date=first, end_date=last, reason=reason
        ),
    )
    end = f" until {found.end_date}" if found.end_date else ""
    typer.echo(f"{found.customer_id}: {found.kind.value} from {found.start_date}{end}")


@hold_app.command("release")
def hold_release(
    customer: str,
    kind: KindOption = "pause",
    reason: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Lift a hold."""
    in_session(db, lambda s: holds.release_hold(s, customer, kind, actor=by, reason=reason))
    typer.echo(f"{customer}: {kind} released")


@hold_app.command("list")
def hold_list(
    as_of: OptionalAsOf = None,
    customer: CustomerFilter = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """Holds in force at a date."""
    day = date_or_today(as_of, "--as-of")
    found = in_session(db, lambda s: holds.holds_in_force(s, day, customer))
    print_records(
        output, found, HoldOut.document, f"Holds at {day}", ["customer", "kind", "from", "until", "reason"],
        lambda h: [h.customer_id, h.kind.value, h.start_date, cell(h.end_date), h.reason],
    )  # fmt: skip
