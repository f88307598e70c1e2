"""`encours cash unmatched`: the unidentified receipts, outside the aged balance and KPIs."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.bank.queries import totals_by_currency, unidentified_receipts
from encours.cli.context import DbOption, parse_as_of, session_for
from encours.cli.output import OutputFormat, OutputOption, print_csv, print_document, print_table
from encours.domain.money import format_amount

HEADER = ["receipt_id", "date", "amount", "currency", "payer", "remittance", "account", "reason"]


def unmatched(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only receipts booked on or before, YYYY-MM-DD.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
    db: DbOption = None,
) -> None:
    """Bank credits no customer is matched to yet: not receivables until they are."""
    day = parse_as_of(as_of) if as_of is not None else None
    with session_for(db) as session:
        receipts = unidentified_receipts(session, day)
    totals = totals_by_currency(receipts)
    if output is OutputFormat.JSON:
        print_document(
            {
                "as_of": day,
                "receipts": [r.to_json() for r in receipts],
                "totals": [{"currency": c, "count": sum(r.currency == c for r in receipts), "amount": a}
                           for c, a in totals.items()],
            }
        )  # fmt: skip
        return
    rows = [
        [r.receipt_id, r.date.isoformat(), format_amount(r.amount), r.currency, r.payer, r.remittance[:80],
         r.account, r.reason]
        for r in receipts
    ]  # fmt: skip
    if output is OutputFormat.CSV:
        print_csv(HEADER, rows)
        return
    total = ", ".join(f"{format_amount(a)} {c}" for c, a in totals.items()) or "0.00"
    print_table(f"Unidentified receipts: {len(rows)}, {total}", HEADER, rows)
