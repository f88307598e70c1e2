"""`encours dispute`: disputed invoices, out of dunning until resolved."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import disputes
from encours.casework.schemas import dispute_document
from encours.cli.casework.common import (
    ByOption,
    CustomerFilter,
    Fmt,
    FormatOption,
    ReasonOption,
    cell,
    in_session,
    optional_date,
    print_records,
)
from encours.cli.context import DbOption

dispute_app = typer.Typer(help="Disputed invoices: out of dunning until resolved.", no_args_is_help=True)
ResolutionOption = Annotated[str, typer.Option("--resolution")]


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
    found = in_session(
        db,
        lambda s: disputes.open_dispute(
            s, customer, invoice, reason=reason, owner=owner, actor=by, opened_on=day
        ),
    )
    typer.echo(f"dispute {found.dispute_id} opened on {found.invoice} ({found.customer_id})")


def _close_dispute(dispute_id: int, resolution: str, by: str, db: str | None, *, reject: bool) -> None:
    close = disputes.reject_dispute if reject else disputes.resolve_dispute
    found = in_session(db, lambda s: close(s, dispute_id, resolution=resolution, actor=by))
    typer.echo(f"dispute {found.dispute_id} {found.status} ({found.invoice}, {found.customer_id})")


@dispute_app.command("resolve")
def dispute_resolve(
    dispute_id: int, resolution: ResolutionOption, by: ByOption = "cli", db: DbOption = None
) -> None:
    """Close a dispute as resolved (the invoice returns to dunning while it is open)."""
    _close_dispute(dispute_id, resolution, by, db, reject=False)


@dispute_app.command("reject")
def dispute_reject(
    dispute_id: int, resolution: ResolutionOption, by: ByOption = "cli", db: DbOption = None
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
    found = in_session(db, lambda s: disputes.list_disputes(s, customer, status))
    print_records(
        output, found, dispute_document, "Disputes",
        ["id", "customer", "invoice", "status", "reason", "owner", "opened", "resolution"],
        lambda d: [d.dispute_id, d.customer_id, d.invoice, d.status.value, d.reason, cell(d.owner),
                   d.opened_on, cell(d.resolution)],
    )  # fmt: skip
