"""`encours cash apply | allocate | unallocate`: bank receipts matched to invoices (SPEC §10)."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.cli.cash_unmatched import unmatched
from encours.cli.context import AsOfOption, DbOption, parse_as_of, session_for
from encours.cli.output import OutputFormat, OutputOption, print_document, print_table, refuse_unprinted
from encours.domain.user_amounts import parse_positive_amount
from encours.ledger.cash_allocation import ManualAllocation
from encours.ledger.cash_application import CashApplication, ReceiptOutcome
from encours.ledger.cash_schemas import TABLE_HEADER, receipt_document, run_document, table_row
from encours.settings import get_settings

cash_app = typer.Typer(help="Cash application: match bank receipts to invoices.", no_args_is_help=True)

cash_app.command("unmatched")(unmatched)

ByOption = Annotated[str, typer.Option("--by", help="Author recorded in the audit trail.")]


def _show_receipt(receipt: ReceiptOutcome, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        print_document(receipt_document(receipt))
    else:
        print_table(f"Receipt {receipt.receipt_id}", TABLE_HEADER, [table_row(receipt)])


@cash_app.command("apply")
def apply(
    as_of: AsOfOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the decisions, store nothing.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Match unmatched bank credits (and unapplied payments) dated by --as-of: creditor references,
    invoice numbers, amounts of one or several open invoices of the payer (by IBAN or name)."""
    refuse_unprinted(output, "cash apply", OutputFormat.TABLE, OutputFormat.JSON)
    day = parse_as_of(as_of)
    tolerance = get_settings().charge_tolerance
    with session_for(db) as session:
        run = CashApplication(session, tolerance, actor=by).apply(day, dry_run=dry_run)
    if output is OutputFormat.JSON:
        print_document(run_document(run))
        return
    summary = run.summary()
    verb = "dry run" if dry_run else "stored"
    counts = ", ".join(
        f"{summary[status]} {status}" for status in ("matched", "suggested", "unmatched", "duplicate")
    )
    title = f"Cash application at {day.isoformat()} ({verb}): {summary['receipts']} receipts, {counts}"
    print_table(title, TABLE_HEADER, [table_row(r) for r in run.receipts])


@cash_app.command("allocate")
def allocate(
    receipt_id: Annotated[
        str, typer.Argument(help="The bank line's id, or an unapplied payment's reference.")
    ],
    invoice_id: Annotated[str, typer.Argument(help="The invoice number.")],
    amount: Annotated[
        str | None, typer.Argument(help="Default: as much as the receipt and invoice allow.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Allocate a receipt to an invoice by hand."""
    refuse_unprinted(output, "cash allocate", OutputFormat.TABLE, OutputFormat.JSON)
    value = None if amount is None else parse_positive_amount(amount)  # a bad one is refused: exit 2
    with session_for(db) as session:
        receipt = ManualAllocation(session, by).allocate(receipt_id, invoice_id, value)
    _show_receipt(receipt, output)


@cash_app.command("unallocate")
def unallocate(
    receipt_id: Annotated[
        str, typer.Argument(help="The bank line's id, or an unapplied payment's reference.")
    ],
    invoice_id: Annotated[str | None, typer.Argument(help="Only this invoice (default: every one).")] = None,
    output: OutputOption = OutputFormat.TABLE,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Undo cash application's allocations of a receipt; a bank line with none left waits for a person."""
    refuse_unprinted(output, "cash unallocate", OutputFormat.TABLE, OutputFormat.JSON)
    with session_for(db) as session:
        receipt = ManualAllocation(session, by).unallocate(receipt_id, invoice_id)
    _show_receipt(receipt, output)
