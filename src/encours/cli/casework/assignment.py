"""`encours assign`: customers assigned to a collector or a sales rep."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import assignment
from encours.cli.casework.common import ByOption, cell, in_session
from encours.cli.context import DbOption

assign_app = typer.Typer(help="Assign customers to a collector or a sales rep.", no_args_is_help=True)
RoleArgument = Annotated[str, typer.Argument(help="collector or sales_rep")]


@assign_app.command("set")
def assign_set(
    customer: str,
    role: RoleArgument,
    assignee: str,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Assign a customer."""
    found = in_session(db, lambda s: assignment.assign(s, customer, role, assignee, actor=by))
    typer.echo(f"{found.customer_id}: {found.role.value} = {found.assignee}")


@assign_app.command("remove")
def assign_remove(
    customer: str,
    role: RoleArgument,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Remove an assignment."""
    in_session(db, lambda s: assignment.unassign(s, customer, role, actor=by))
    typer.echo(f"{customer}: {role} removed")


@assign_app.command("show")
def assign_show(customer: str, db: DbOption = None) -> None:
    """A customer's collector and sales rep."""
    found = in_session(db, lambda s: assignment.assignees(s, customer))
    typer.echo(f"collector: {cell(found.collector)}")
    typer.echo(f"sales_rep: {cell(found.sales_rep)}")


@assign_app.command("portfolio")
def assign_portfolio(
    assignee: str,
    role: Annotated[str | None, typer.Option("--role")] = None,
    db: DbOption = None,
) -> None:
    """Customers assigned to someone, one per line."""
    found = in_session(db, lambda s: assignment.portfolio(s, assignee, role))
    for customer_id in found:
        typer.echo(customer_id)
