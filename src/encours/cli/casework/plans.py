"""`encours plan`: payment plans (échéanciers), whose instalments replace reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import typer

from encours.casework import plans
from encours.casework.schemas import plan_document
from encours.cli.casework.common import (
    ByOption,
    CustomerFilter,
    Fmt,
    FormatOption,
    InvoiceOption,
    OptionalAsOf,
    ReasonOption,
    cell,
    date_or_today,
    in_session,
    optional_date,
    parse_amount,
    print_records,
)
from encours.cli.context import AsOfOption, DbOption, fail, parse_as_of, parse_date
from encours.cli.output import print_document, print_table
from encours.domain.money import format_amount

plan_app = typer.Typer(
    help="Payment plans (échéanciers): instalments replace reminders.", no_args_is_help=True
)


def _instalment(text: str) -> tuple[dt.date, Decimal]:
    day, sep, amount = text.partition(":")
    if not sep:
        fail(f"--instalment: expected DATE:AMOUNT, got {text!r}")
    return parse_date(day, "--instalment"), parse_amount(amount, "--instalment")


@plan_app.command("add")
def plan_add(
    customer: str,
    invoice: InvoiceOption = None,
    instalment: Annotated[
        list[str] | None, typer.Option("--instalment", help="DATE:AMOUNT (repeatable, in order).")
    ] = None,
    count: Annotated[int | None, typer.Option("--count", help="Equal instalments instead.")] = None,
    first: Annotated[str | None, typer.Option("--first", help="First due date with --count.")] = None,
    every_months: Annotated[int, typer.Option("--every-months")] = 1,
    as_of: OptionalAsOf = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Day the plan starts (default --as-of).")
    ] = None,
    grace: Annotated[int, typer.Option("--grace")] = plans.DEFAULT_PLAN_GRACE_DAYS,
    note: Annotated[str, typer.Option("--note")] = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Agree a payment plan on invoices; the instalments must add up to what they owe."""
    explicit = [_instalment(item) for item in instalment or []]
    first_due = optional_date(first, "--first")
    day = date_or_today(as_of, "--as-of")
    start_date = optional_date(start, "--start") or day
    plan = in_session(
        db,
        lambda s: plans.create_plan(
            s, customer, invoice or [], start_date=start_date, instalments=explicit, count=count,
            first_due=first_due, every_months=every_months, grace_days=grace, note=note, actor=by, as_of=day,
        ),
    )  # fmt: skip
    typer.echo(
        f"plan {plan.plan_id}: {format_amount(plan.total)} {plan.currency} in {len(plan.instalments)} "
        f"instalments ({plan.customer_id})"
    )
    _print_instalments(plan)


def _print_instalments(plan: plans.Plan) -> None:
    print_table(
        f"Plan {plan.plan_id} ({plan.status})",
        ["#", "due", "amount", "status", "settled"],
        [
            [i.seq, i.due_date, format_amount(i.amount), i.status.value, cell(i.settled_on)]
            for i in plan.instalments
        ],
    )


@plan_app.command("show")
def plan_show(plan_id: int, output: FormatOption = Fmt.TABLE, db: DbOption = None) -> None:
    """A plan and its instalments."""
    plan = in_session(db, lambda s: plans.get_plan(s, plan_id))
    if output is Fmt.JSON:
        print_document(plan_document(plan))
        return
    typer.echo(
        f"{plan.customer_id}: {format_amount(plan.total)} {plan.currency}, invoices "
        f"{' '.join(plan.entry_keys)}"
    )
    _print_instalments(plan)


@plan_app.command("list")
def plan_list(
    customer: CustomerFilter = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """List payment plans."""
    found = in_session(db, lambda s: plans.list_plans(s, customer, status))
    print_records(
        output, found, plan_document, "Payment plans",
        ["id", "customer", "total", "start", "instalments", "status"],
        lambda p: [p.plan_id, p.customer_id, f"{format_amount(p.total)} {p.currency}", p.start_date,
                   len(p.instalments), p.status],
    )  # fmt: skip


@plan_app.command("cancel")
def plan_cancel(
    plan_id: int,
    reason: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Cancel an active plan (its invoices return to ordinary reminders)."""
    in_session(db, lambda s: plans.cancel_plan(s, plan_id, by, reason))
    typer.echo(f"plan {plan_id} cancelled")


@plan_app.command("check")
def plan_check(as_of: AsOfOption, by: ByOption = "system", db: DbOption = None) -> None:
    """Evaluate active plans at a date: instalments kept or broken, plan completed or broken."""
    day = parse_as_of(as_of)
    outcomes = in_session(db, lambda s: plans.evaluate_plans(s, day, by))
    for o in outcomes:
        states = ", ".join(f"#{s.seq} {s.status.value}" for s in o.instalments)
        typer.echo(f"plan {o.plan_id} ({o.customer_id}): {o.status.value} [{states}]")
