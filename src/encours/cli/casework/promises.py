"""`encours promise`: promises to pay, which pause reminders until date + grace."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import promises
from encours.casework.schemas import promise_document
from encours.cli.casework.common import (
    ByOption,
    CustomerFilter,
    Fmt,
    FormatOption,
    InvoiceOption,
    OptionalAsOf,
    ReasonOption,
    cell,
    in_session,
    optional_date,
    parse_amount,
    print_records,
)
from encours.cli.context import AsOfOption, DbOption, parse_as_of, parse_date
from encours.domain.money import format_amount
from encours.domain.promises import DEFAULT_GRACE_DAYS
from encours.storage.base import today

promise_app = typer.Typer(help="Promises to pay: pause reminders until date + grace.", no_args_is_help=True)


@promise_app.command("add")
def promise_add(
    customer: str,
    amount: Annotated[str, typer.Option("--amount")],
    date: Annotated[str, typer.Option("--date", help="Promised payment date.")],
    invoice: InvoiceOption = None,
    grace: Annotated[int, typer.Option("--grace", help="Days of grace after the date.")] = DEFAULT_GRACE_DAYS,
    as_of: OptionalAsOf = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day the promise was made (default --as-of).")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Record a promise to pay for the --invoice given, else for every open invoice of the customer.

    The business date is --as-of (default --on, else today); the promised date lies between the day the
    promise was made (--on, default --as-of) and a year after --as-of.
    """
    value = parse_amount(amount, "--amount")
    promised = parse_date(date, "--date")
    made = optional_date(on, "--on")
    day = optional_date(as_of, "--as-of") or made or today()
    made_on = made or day
    found = in_session(
        db,
        lambda s: promises.make_promise(
            s, customer, value, promised, invoices=invoice or [], grace_days=grace, made_on=made_on,
            as_of=day, note=note, actor=by,
        ),
    )  # fmt: skip
    invoices = ", ".join(key.removeprefix("doc:") for key in found.entry_keys)
    typer.echo(
        f"promise {found.promise_id}: {format_amount(found.amount)} {found.currency} by "
        f"{found.promised_date} (reminders paused until {found.honour_by}) on {invoices}"
    )


@promise_app.command("cancel")
def promise_cancel(
    promise_id: int,
    reason: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Withdraw an open promise (reminders resume)."""
    in_session(db, lambda s: promises.cancel_promise(s, promise_id, by, reason))
    typer.echo(f"promise {promise_id} cancelled")


@promise_app.command("check")
def promise_check(as_of: AsOfOption, by: ByOption = "system", db: DbOption = None) -> None:
    """Settle open promises at a date: kept when paid, broken (alert + task) past their grace."""
    day = parse_as_of(as_of)
    outcomes = in_session(db, lambda s: promises.evaluate_promises(s, day, by))
    for o in outcomes:
        typer.echo(
            f"promise {o.promise_id} ({o.customer_id}): {o.status.value}, paid {format_amount(o.paid)}"
        )
    typer.echo(f"{len(outcomes)} promise(s) settled")


@promise_app.command("list")
def promise_list(
    customer: CustomerFilter = None,
    status: Annotated[str | None, typer.Option("--status", help="open, kept, broken or cancelled.")] = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """List promises to pay."""
    found = in_session(db, lambda s: promises.list_promises(s, customer, status))
    print_records(
        output, found, promise_document, "Promises to pay",
        ["id", "customer", "amount", "date", "until", "status", "paid", "invoices"],
        lambda p: [p.promise_id, p.customer_id, f"{format_amount(p.amount)} {p.currency}", p.promised_date,
                   p.honour_by, p.status, cell(p.paid), " ".join(p.entry_keys)],
    )  # fmt: skip
