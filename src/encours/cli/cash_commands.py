"""`encours cash apply`: allocate unapplied receipts to the invoices they surely pay."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.cli.cash_unmatched import unmatched
from encours.cli.context import AsOfOption, DbOption, parse_as_of, session_for
from encours.cli.output import OutputFormat, OutputOption, print_csv, print_document, print_table
from encours.ledger.cash_application import CashApplication, describe

cash_app = typer.Typer(help="Cash application: match receipts to invoices.", no_args_is_help=True)

cash_app.command("unmatched")(unmatched)

HEADER = ["customer_id", "receipt", "document", "amount", "date", "rule"]


@cash_app.command("apply")
def apply(
    as_of: AsOfOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the matches, store nothing.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    by: Annotated[str, typer.Option("--by", help="Author recorded in the audit trail.")] = "cli",
    db: DbOption = None,
) -> None:
    """Match unapplied receipts by invoice number, exact amount, or oldest invoices summing exactly."""
    day = parse_as_of(as_of)
    with session_for(db) as session:
        applied = CashApplication(session).apply(day, by, dry_run=dry_run)
    rows = describe(applied)
    if output is OutputFormat.JSON:
        print_document([dict(zip(HEADER, row, strict=True)) for row in rows])
    elif output is OutputFormat.CSV:
        print_csv(HEADER, rows)
    else:
        verb = "would apply" if dry_run else "applied"
        print_table(f"Cash application at {day.isoformat()}: {len(rows)} allocations {verb}", HEADER, rows)
