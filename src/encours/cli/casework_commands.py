"""Casework commands: disputes, promises, payment plans, notes, holds, assignment, credit, tasks,
timeline. Each command is one unit of work: bad input exits 2 and writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import typer

from encours.casework import (
    assignment,
    credit_limits,
    disputes,
    holds,
    notes,
    plans,
    promises,
    repository,
    tasks,
    timeline,
)
from encours.cli.context import AsOfOption, DbOption, fail, parse_as_of, parse_date, session_for
from encours.cli.output import print_document, print_table
from encours.domain.money import format_amount, is_whole_cents, to_decimal
from encours.domain.promises import DEFAULT_GRACE_DAYS
from encours.storage.base import utcnow

ByOption = Annotated[str, typer.Option("--by", help="Author recorded in the audit trail.")]
InvoiceOption = Annotated[
    list[str] | None, typer.Option("--invoice", help="Invoice number or ledger key (repeatable).")
]
ReasonOption = Annotated[str, typer.Option("--reason")]
CustomerFilter = Annotated[str | None, typer.Option("--customer", help="Only this customer's.")]
OptionalAsOf = Annotated[str | None, typer.Option("--as-of", help="Default today.")]


class Fmt(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Fmt, typer.Option("--format")]


def rejected() -> contextlib.AbstractContextManager[None]:
    """Nothing to do any more: refusals are reported once for every command (cli/main.py).

    Kept only so the commands' `with` lines stay as they are until casework's split drops it.
    """
    return contextlib.nullcontext()


def optional_date(text: str | None, option: str) -> dt.date | None:
    return None if text is None else parse_date(text, option)


def parse_amount(text: str, option: str, *, positive: bool = True) -> Decimal:
    try:
        amount = to_decimal(text.strip())
    except ValueError:
        fail(f"{option}: invalid amount {text!r}, expected e.g. 1200.50")
    if positive and amount <= 0:
        fail(f"{option}: amount must be positive, got {text!r}")
    if amount < 0:
        fail(f"{option}: amount must not be negative, got {text!r}")
    if not is_whole_cents(amount):
        fail(f"{option}: at most two decimals, got {text!r}")
    return amount


def today() -> dt.date:
    return utcnow().date()


def _opt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# disputes -------------------------------------------------------------------------------
dispute_app = typer.Typer(help="Disputed invoices: out of dunning until resolved.", no_args_is_help=True)


@dispute_app.command("open")
def dispute_open(
    customer: str,
    invoice: str,
    reason: ReasonOption,
    owner: Annotated[str | None, typer.Option("--owner", help="Who handles the dispute.")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day the dispute was raised (default today).")
    ] = None,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Open a dispute on an invoice."""
    day = optional_date(on, "--on")
    with session_for(db) as session, rejected():
        found = disputes.open_dispute(
            session, customer, invoice, reason=reason, owner=owner, actor=by, opened_on=day
        )
    typer.echo(f"dispute {found.dispute_id} opened on {found.invoice} ({found.customer_id})")


def _close_dispute(dispute_id: int, resolution: str, by: str, db: str | None, *, reject: bool) -> None:
    close = disputes.reject_dispute if reject else disputes.resolve_dispute
    with session_for(db) as session, rejected():
        found = close(session, dispute_id, resolution=resolution, actor=by)
    typer.echo(f"dispute {found.dispute_id} {found.status} ({found.invoice}, {found.customer_id})")


@dispute_app.command("resolve")
def dispute_resolve(
    dispute_id: int,
    resolution: Annotated[str, typer.Option("--resolution")],
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Close a dispute as resolved (the invoice returns to dunning while it is open)."""
    _close_dispute(dispute_id, resolution, by, db, reject=False)


@dispute_app.command("reject")
def dispute_reject(
    dispute_id: int,
    resolution: Annotated[str, typer.Option("--resolution")],
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Close a dispute as rejected (the invoice is due as issued)."""
    _close_dispute(dispute_id, resolution, by, db, reject=True)


@dispute_app.command("list")
def dispute_list(
    customer: CustomerFilter = None,
    status: Annotated[str | None, typer.Option("--status", help="open, resolved or rejected.")] = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """List disputes."""
    with session_for(db) as session, rejected():
        found = disputes.list_disputes(session, customer, status)
    if output is Fmt.JSON:
        print_document(
            [
                {
                    "dispute_id": d.dispute_id,
                    "customer_id": d.customer_id,
                    "invoice": d.invoice,
                    "entry_key": d.entry_key,
                    "reason": d.reason,
                    "owner": d.owner,
                    "status": d.status.value,
                    "resolution": d.resolution,
                    "opened_on": d.opened_on,
                    "opened_by": d.opened_by,
                }
                for d in found
            ]
        )
        return
    print_table(
        "Disputes",
        ["id", "customer", "invoice", "status", "reason", "owner", "opened", "resolution"],
        [
            [
                d.dispute_id,
                d.customer_id,
                d.invoice,
                d.status.value,
                d.reason,
                _opt(d.owner),
                d.opened_on,
                _opt(d.resolution),
            ]
            for d in found
        ],
    )


# promises -------------------------------------------------------------------------------
promise_app = typer.Typer(help="Promises to pay: pause reminders until date + grace.", no_args_is_help=True)


@promise_app.command("add")
def promise_add(
    customer: str,
    amount: Annotated[str, typer.Option("--amount")],
    date: Annotated[str, typer.Option("--date", help="Promised payment date.")],
    invoice: InvoiceOption = None,
    grace: Annotated[int, typer.Option("--grace", help="Days of grace after the date.")] = DEFAULT_GRACE_DAYS,
    on: Annotated[str | None, typer.Option("--on", help="Day the promise was made (default today).")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Record a promise to pay (for some invoices, or on account)."""
    value = parse_amount(amount, "--amount")
    promised = parse_date(date, "--date")
    made_on = optional_date(on, "--on")
    with session_for(db) as session, rejected():
        found = promises.make_promise(
            session,
            customer,
            value,
            promised,
            invoices=invoice or [],
            grace_days=grace,
            made_on=made_on,
            note=note,
            actor=by,
        )
    typer.echo(
        f"promise {found.promise_id}: {format_amount(found.amount)} {found.currency} by "
        f"{found.promised_date} (reminders paused until {found.honour_by})"
    )


@promise_app.command("cancel")
def promise_cancel(
    promise_id: int,
    reason: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Withdraw an open promise (reminders resume)."""
    with session_for(db) as session, rejected():
        promises.cancel_promise(session, promise_id, by, reason)
    typer.echo(f"promise {promise_id} cancelled")


@promise_app.command("check")
def promise_check(as_of: AsOfOption, by: ByOption = "system", db: DbOption = None) -> None:
    """Settle open promises at a date: kept when paid, broken (alert + task) past their grace."""
    day = parse_as_of(as_of)
    with session_for(db) as session, rejected():
        outcomes = promises.evaluate_promises(session, day, by)
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
    with session_for(db) as session, rejected():
        found = promises.list_promises(session, customer, status)
    if output is Fmt.JSON:
        print_document(
            [
                {
                    "promise_id": p.promise_id,
                    "customer_id": p.customer_id,
                    "amount": p.amount,
                    "currency": p.currency,
                    "made_on": p.made_on,
                    "promised_date": p.promised_date,
                    "grace_days": p.grace_days,
                    "honour_by": p.honour_by,
                    "status": p.status,
                    "paid": p.paid,
                    "invoices": list(p.entry_keys),
                    "created_by": p.created_by,
                }
                for p in found
            ]
        )
        return
    print_table(
        "Promises to pay",
        ["id", "customer", "amount", "date", "until", "status", "paid", "invoices"],
        [
            [
                p.promise_id,
                p.customer_id,
                f"{format_amount(p.amount)} {p.currency}",
                p.promised_date,
                p.honour_by,
                p.status,
                _opt(p.paid),
                " ".join(p.entry_keys),
            ]
            for p in found
        ],
    )


# payment plans ------------------------------------------------------------------------------
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
    start: Annotated[str | None, typer.Option("--start", help="Day the plan starts (default today).")] = None,
    grace: Annotated[int, typer.Option("--grace")] = plans.DEFAULT_PLAN_GRACE_DAYS,
    note: Annotated[str, typer.Option("--note")] = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Agree a payment plan on invoices; the instalments must add up to what they owe."""
    explicit = [_instalment(item) for item in instalment or []]
    first_due = optional_date(first, "--first")
    start_date = optional_date(start, "--start") or today()
    with session_for(db) as session, rejected():
        plan = plans.create_plan(
            session,
            customer,
            invoice or [],
            start_date=start_date,
            instalments=explicit,
            count=count,
            first_due=first_due,
            every_months=every_months,
            grace_days=grace,
            note=note,
            actor=by,
        )
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
            [i.seq, i.due_date, format_amount(i.amount), i.status.value, _opt(i.settled_on)]
            for i in plan.instalments
        ],
    )


def _plan_json(plan: plans.Plan) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id,
        "customer_id": plan.customer_id,
        "currency": plan.currency,
        "total": plan.total,
        "start_date": plan.start_date,
        "status": plan.status,
        "invoices": list(plan.entry_keys),
        "instalments": [
            {
                "seq": i.seq,
                "due_date": i.due_date,
                "amount": i.amount,
                "status": i.status.value,
                "settled_on": i.settled_on,
            }
            for i in plan.instalments
        ],
    }


@plan_app.command("show")
def plan_show(plan_id: int, output: FormatOption = Fmt.TABLE, db: DbOption = None) -> None:
    """A plan and its instalments."""
    with session_for(db) as session, rejected():
        plan = plans.get_plan(session, plan_id)
    if output is Fmt.JSON:
        print_document(_plan_json(plan))
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
    with session_for(db) as session, rejected():
        found = plans.list_plans(session, customer, status)
    if output is Fmt.JSON:
        print_document([_plan_json(p) for p in found])
        return
    print_table(
        "Payment plans",
        ["id", "customer", "total", "start", "instalments", "status"],
        [
            [
                p.plan_id,
                p.customer_id,
                f"{format_amount(p.total)} {p.currency}",
                p.start_date,
                len(p.instalments),
                p.status,
            ]
            for p in found
        ],
    )


@plan_app.command("cancel")
def plan_cancel(
    plan_id: int,
    reason: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Cancel an active plan (its invoices return to ordinary reminders)."""
    with session_for(db) as session, rejected():
        plans.cancel_plan(session, plan_id, by, reason)
    typer.echo(f"plan {plan_id} cancelled")


@plan_app.command("check")
def plan_check(as_of: AsOfOption, by: ByOption = "system", db: DbOption = None) -> None:
    """Evaluate active plans at a date: instalments kept or broken, plan completed or broken."""
    day = parse_as_of(as_of)
    with session_for(db) as session, rejected():
        outcomes = plans.evaluate_plans(session, day, by)
    for o in outcomes:
        states = ", ".join(f"#{s.seq} {s.status.value}" for s in o.instalments)
        typer.echo(f"plan {o.plan_id} ({o.customer_id}): {o.status.value} [{states}]")


# notes ------------------------------------------------------------------------------------
note_app = typer.Typer(help="Notes and comments on customers and invoices.", no_args_is_help=True)


@note_app.command("add")
def note_add(
    customer: str,
    text: str,
    invoice: Annotated[str | None, typer.Option("--invoice")] = None,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Add a note to a customer (or to one of its invoices)."""
    with session_for(db) as session, rejected():
        found = notes.add_note(session, customer, text, author=by, invoice=invoice)
    typer.echo(f"note {found.note_id} added to {found.entry_key or found.customer_id}")


@note_app.command("list")
def note_list(
    customer: str,
    invoice: Annotated[str | None, typer.Option("--invoice")] = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """A customer's notes, oldest first."""
    with session_for(db) as session, rejected():
        found = notes.list_notes(session, customer, invoice)
    if output is Fmt.JSON:
        print_document([n._asdict() for n in found])
        return
    print_table(
        "Notes",
        ["id", "on", "author", "note"],
        [[n.note_id, n.entry_key or n.customer_id, n.author, n.body] for n in found],
    )


# holds ------------------------------------------------------------------------------------
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
    first = optional_date(start, "--from") or today()
    last = optional_date(until, "--until")
    with session_for(db) as session, rejected():
        found = holds.place_hold(
            session, customer, kind, actor=by, start_date=first, end_date=last, reason=reason
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
    with session_for(db) as session, rejected():
        holds.release_hold(session, customer, kind, actor=by, reason=reason)
    typer.echo(f"{customer}: {kind} released")


@hold_app.command("list")
def hold_list(
    as_of: OptionalAsOf = None,
    customer: CustomerFilter = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """Holds in force at a date."""
    day = optional_date(as_of, "--as-of") or today()
    with session_for(db) as session, rejected():
        found = holds.holds_in_force(session, day, customer)
    if output is Fmt.JSON:
        print_document(
            [
                {
                    "customer_id": h.customer_id,
                    "kind": h.kind.value,
                    "start_date": h.start_date,
                    "end_date": h.end_date,
                    "reason": h.reason,
                    "created_by": h.created_by,
                }
                for h in found
            ]
        )
        return
    print_table(
        f"Holds at {day}",
        ["customer", "kind", "from", "until", "reason"],
        [[h.customer_id, h.kind.value, h.start_date, _opt(h.end_date), h.reason] for h in found],
    )


# assignment -------------------------------------------------------------------------------
assign_app = typer.Typer(help="Assign customers to a collector or a sales rep.", no_args_is_help=True)


@assign_app.command("set")
def assign_set(
    customer: str,
    role: Annotated[str, typer.Argument(help="collector or sales_rep")],
    assignee: str,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Assign a customer."""
    with session_for(db) as session, rejected():
        found = assignment.assign(session, customer, role, assignee, actor=by)
    typer.echo(f"{found.customer_id}: {found.role.value} = {found.assignee}")


@assign_app.command("remove")
def assign_remove(
    customer: str,
    role: Annotated[str, typer.Argument(help="collector or sales_rep")],
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Remove an assignment."""
    with session_for(db) as session, rejected():
        assignment.unassign(session, customer, role, actor=by)
    typer.echo(f"{customer}: {role} removed")


@assign_app.command("show")
def assign_show(customer: str, db: DbOption = None) -> None:
    """A customer's collector and sales rep."""
    with session_for(db) as session, rejected():
        found = assignment.assignees(session, customer)
    typer.echo(f"collector: {_opt(found.collector)}")
    typer.echo(f"sales_rep: {_opt(found.sales_rep)}")


@assign_app.command("portfolio")
def assign_portfolio(
    assignee: str,
    role: Annotated[str | None, typer.Option("--role")] = None,
    db: DbOption = None,
) -> None:
    """Customers assigned to someone, one per line."""
    with session_for(db) as session, rejected():
        found = assignment.portfolio(session, assignee, role)
    for customer_id in found:
        typer.echo(customer_id)


# credit -----------------------------------------------------------------------------------
credit_app = typer.Typer(
    help="Credit limits (customer and SIREN group), exposure, alerts.", no_args_is_help=True
)


def _limit(text: str) -> Decimal | None:
    return None if text.strip().lower() in ("none", "") else parse_amount(text, "LIMIT", positive=False)


@credit_app.command("limit")
def credit_limit(
    customer: str,
    limit: Annotated[str, typer.Argument(help="Amount, or 'none' to remove the limit.")],
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Set a customer's credit limit."""
    value = _limit(limit)
    with session_for(db) as session, rejected():
        credit_limits.set_customer_limit(session, customer, value, actor=by)
    typer.echo(f"{customer}: credit limit {_opt(value)}")


@credit_app.command("group-limit")
def credit_group_limit(
    siren: str,
    limit: Annotated[str, typer.Argument(help="Amount, or 'none' to remove the limit.")],
    currency: Annotated[str, typer.Option("--currency")] = "EUR",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Set the limit shared by every customer with this SIREN."""
    value = _limit(limit)
    with session_for(db) as session, rejected():
        credit_limits.set_group_limit(session, siren, value, actor=by, currency=currency)
    typer.echo(f"group {siren}: credit limit {_opt(value)}")


@credit_app.command("orders")
def credit_orders(
    customer: str,
    amount: Annotated[str, typer.Argument(help="Open orders not yet invoiced.")],
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Record a customer's open orders (counted in its exposure)."""
    value = parse_amount(amount, "AMOUNT", positive=False)
    with session_for(db) as session, rejected():
        credit_limits.set_open_orders(session, customer, value, actor=by)
    typer.echo(f"{customer}: open orders {format_amount(value)}")


def _position_json(p: Any) -> dict[str, Any]:
    return {
        "outstanding": p.outstanding,
        "open_orders": p.open_orders,
        "exposure": p.exposure,
        "limit": p.limit,
        "available": p.available,
        "exceeded": p.exceeded,
        "utilisation": None if p.utilisation is None else float(p.utilisation),
    }


@credit_app.command("status")
def credit_status(
    customer: str,
    as_of: OptionalAsOf = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """A customer's exposure against its limit and its group's, and the credit-hold flag."""
    day = optional_date(as_of, "--as-of") or today()
    with session_for(db) as session, rejected():
        status = credit_limits.credit_status(session, customer, day)
    c, g = status.customer, status.group
    if output is Fmt.JSON:
        print_document(
            {
                "as_of": day,
                "customer_id": c.customer_id,
                "currency": c.currency,
                "credit_hold": status.credit_hold,
                "exceeded": status.exceeded,
                "customer": _position_json(c.position),
                "group": None
                if g is None
                else {
                    "siren": g.siren,
                    "currency": g.currency,
                    "customer_ids": list(g.customer_ids),
                    **_position_json(g.position),
                },
            }
        )
        return
    rows = [
        [
            f"customer {c.customer_id}",
            c.currency,
            format_amount(c.position.outstanding),
            format_amount(c.position.open_orders),
            format_amount(c.position.exposure),
            _opt(c.position.limit),
            _opt(c.position.available),
            "EXCEEDED" if c.position.exceeded else "ok",
        ]
    ]
    if g is not None:
        rows.append(
            [
                f"group {g.siren} ({len(g.customer_ids)})",
                g.currency,
                format_amount(g.position.outstanding),
                format_amount(g.position.open_orders),
                format_amount(g.position.exposure),
                _opt(g.position.limit),
                _opt(g.position.available),
                "EXCEEDED" if g.position.exceeded else "ok",
            ]
        )
    print_table(
        f"Credit of {c.customer_id} ({c.name}) at {day}",
        ["scope", "cur", "outstanding", "open orders", "exposure", "limit", "available", "state"],
        rows,
    )
    typer.echo(f"credit hold: {'YES' if status.credit_hold else 'no'}")


@credit_app.command("alerts")
def credit_alerts(
    as_of: AsOfOption,
    hold: Annotated[
        bool, typer.Option("--hold", help="Put every customer concerned on credit hold.")
    ] = False,
    output: FormatOption = Fmt.TABLE,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Customers and SIREN groups whose exposure exceeds their limit."""
    day = parse_as_of(as_of)
    with session_for(db) as session, rejected():
        held = credit_limits.hold_exceeded(session, day, actor=by) if hold else []
        alerts = credit_limits.credit_alerts(session, day)
    if output is Fmt.JSON:
        print_document({"as_of": day, "alerts": [a._asdict() for a in alerts], "newly_held": held})
        return
    print_table(
        f"Credit alerts at {day}",
        ["scope", "key", "name", "cur", "exposure", "limit", "excess", "hold"],
        [
            [
                a.scope,
                a.key,
                a.name,
                a.currency,
                format_amount(a.exposure),
                format_amount(a.limit),
                format_amount(a.excess),
                "yes" if a.credit_hold else "no",
            ]
            for a in alerts
        ],
    )
    if held:
        typer.echo(f"placed on credit hold: {', '.join(held)}")


# tasks ------------------------------------------------------------------------------------
task_app = typer.Typer(help="Collector worklist: calls and follow-ups.", no_args_is_help=True)


@task_app.command("add")
def task_add(
    customer: str,
    title: Annotated[str, typer.Option("--title")],
    due: Annotated[str, typer.Option("--due")],
    kind: Annotated[str, typer.Option("--kind")] = "call",
    assignee: Annotated[str | None, typer.Option("--assignee", help="Default: the collector.")] = None,
    invoice: InvoiceOption = None,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Add a task to the worklist."""
    due_date = parse_date(due, "--due")
    with session_for(db) as session, rejected():
        keys: list[str] = []
        if invoice:
            owner = repository.customer(session, customer)
            keys = [repository.entry(session, owner, name).key for name in invoice]
        found = tasks.create_task(
            session, customer, kind, title, due_date, assignee, keys, source="manual", actor=by
        )
    typer.echo(f"task {found.task_id} for {_opt(found.assignee)}, due {found.due_date}")


@task_app.command("list")
def task_list(
    assignee: Annotated[str | None, typer.Option("--assignee")] = None,
    customer: CustomerFilter = None,
    status: Annotated[str, typer.Option("--status", help="open, done, cancelled or all.")] = "open",
    due_by: Annotated[str | None, typer.Option("--due-by")] = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """The worklist, by due date."""
    day = optional_date(due_by, "--due-by")
    with session_for(db) as session, rejected():
        found = tasks.list_tasks(
            session,
            customer_id=customer,
            assignee=assignee,
            status=None if status == "all" else status,
            due_by=day,
        )
    if output is Fmt.JSON:
        print_document(
            [
                {
                    "task_id": t.task_id,
                    "customer_id": t.customer_id,
                    "kind": t.kind,
                    "title": t.title,
                    "due_date": t.due_date,
                    "assignee": t.assignee,
                    "status": t.status,
                    "source": t.source,
                    "invoices": list(t.entry_keys),
                    "outcome": t.outcome,
                }
                for t in found
            ]
        )
        return
    print_table(
        "Tasks",
        ["id", "due", "customer", "kind", "title", "assignee", "status", "source"],
        [
            [t.task_id, t.due_date, t.customer_id, t.kind, t.title, _opt(t.assignee), t.status, t.source]
            for t in found
        ],
    )


@task_app.command("done")
def task_done(
    task_id: int,
    outcome: Annotated[str, typer.Option("--outcome", help="What came out of it.")] = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Close a task as done."""
    with session_for(db) as session, rejected():
        tasks.close_task(session, task_id, by, outcome)
    typer.echo(f"task {task_id} done")


@task_app.command("cancel")
def task_cancel(
    task_id: int,
    outcome: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Cancel a task."""
    with session_for(db) as session, rejected():
        tasks.close_task(session, task_id, by, outcome, cancelled=True)
    typer.echo(f"task {task_id} cancelled")


@task_app.command("assign")
def task_assign(task_id: int, assignee: str, by: ByOption = "cli", db: DbOption = None) -> None:
    """Give a task to someone else."""
    with session_for(db) as session, rejected():
        found = tasks.reassign_task(session, task_id, assignee, by)
    typer.echo(f"task {task_id} assigned to {found.assignee}")


# timeline ---------------------------------------------------------------------------------
def timeline_command(
    customer: str,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    newest_first: Annotated[bool, typer.Option("--newest-first")] = False,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """A customer's whole story in order: documents, payments, reminders, calls, promises..."""
    first = optional_date(since, "--since")
    last = optional_date(until, "--until")
    with session_for(db) as session, rejected():
        items = timeline.timeline(session, customer, since=first, until=last, newest_first=newest_first)
    if output is Fmt.JSON:
        print_document([i._asdict() for i in items])
        return
    print_table(
        f"Timeline of {customer}",
        ["day", "kind", "event", "what", "amount", "by"],
        [
            [
                i.day,
                i.kind,
                i.event,
                i.title,
                "" if i.amount is None else f"{format_amount(i.amount)} {i.currency}",
                _opt(i.actor),
            ]
            for i in items
        ],
    )
