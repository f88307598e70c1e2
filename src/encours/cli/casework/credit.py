"""`encours credit`: credit limits (customer and SIREN group), exposure, alerts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from encours.casework import credit_limits
from encours.casework.schemas import CreditAlertOut, CreditAlertsOut, CreditStatusOut
from encours.cli.casework.common import (
    ByOption,
    Fmt,
    FormatOption,
    OptionalAsOf,
    cell,
    date_or_today,
    in_session,
    parse_amount,
)
from encours.cli.context import AsOfOption, DbOption, parse_as_of, session_for
from encours.cli.output import print_document, print_table
from encours.domain.credit import CreditPosition
from encours.domain.money import format_amount
from encours.settings import get_settings

credit_app = typer.Typer(
    help="Credit limits (customer and SIREN group), exposure, alerts.", no_args_is_help=True
)
LimitArgument = Annotated[str, typer.Argument(help="Amount, or 'none' to remove the limit.")]


def _limit(text: str) -> Decimal | None:
    return None if text.strip().lower() in ("none", "") else parse_amount(text, "LIMIT", positive=False)


@credit_app.command("limit")
def credit_limit(
    customer: str,
    limit: LimitArgument,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Set a customer's credit limit."""
    value = _limit(limit)
    in_session(db, lambda s: credit_limits.set_customer_limit(s, customer, value, actor=by))
    typer.echo(f"{customer}: credit limit {cell(value)}")


@credit_app.command("group-limit")
def credit_group_limit(
    siren: str,
    limit: LimitArgument,
    currency: Annotated[str, typer.Option("--currency")] = "EUR",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Set the limit shared by every customer with this SIREN."""
    value = _limit(limit)
    in_session(db, lambda s: credit_limits.set_group_limit(s, siren, value, actor=by, currency=currency))
    typer.echo(f"group {siren}: credit limit {cell(value)}")


@credit_app.command("orders")
def credit_orders(
    customer: str,
    amount: Annotated[str, typer.Argument(help="Open orders not yet invoiced.")],
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Record a customer's open orders (counted in its exposure)."""
    value = parse_amount(amount, "AMOUNT", positive=False)
    in_session(db, lambda s: credit_limits.set_open_orders(s, customer, value, actor=by))
    typer.echo(f"{customer}: open orders {format_amount(value)}")


def _position_row(scope: str, currency: str, p: CreditPosition) -> list[str]:
    return [
        scope,
        currency,
        format_amount(p.outstanding),
        format_amount(p.open_orders),
        format_amount(p.exposure),
        cell(p.limit),
        cell(p.available),
        "EXCEEDED" if p.exceeded else "ok",
    ]


@credit_app.command("status")
def credit_status(
    customer: str,
    as_of: OptionalAsOf = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """A customer's exposure against its limit and its group's, and the credit-hold flag."""
    day = date_or_today(as_of, "--as-of")
    rates = credit_limits.load_fx_rates(get_settings().data_dir)
    status = in_session(db, lambda s: credit_limits.credit_status(s, customer, day, rates))
    if output is Fmt.JSON:
        print_document(CreditStatusOut.of(status, day).model_dump())
        return
    c, g = status.customer, status.group
    rows = [_position_row(f"customer {c.customer_id}", c.currency, c.position)]
    if g is not None:
        rows.append(_position_row(f"group {g.siren} ({len(g.customer_ids)})", g.currency, g.position))
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
    rates = credit_limits.load_fx_rates(get_settings().data_dir)
    with session_for(db) as session:
        held = credit_limits.hold_exceeded(session, day, actor=by, rates=rates) if hold else []
        alerts = credit_limits.credit_alerts(session, day, rates)
    if output is Fmt.JSON:
        shown = [CreditAlertOut.model_validate(a) for a in alerts]
        print_document(CreditAlertsOut(as_of=day, alerts=shown, newly_held=held).model_dump())
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
