"""`encours einvoice statuses`: the 212 Encaissée messages the seller owes its platform (SPEC §11)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from encours.cli.context import DbOption, parse_date, session_for
from encours.cli.output import OutputFormat, OutputOption, print_csv, print_document, print_table
from encours.einvoicing.reporting import Reported, load_seller, report_collected
from encours.settings import get_settings

einvoice_app = typer.Typer(help="E-invoicing lifecycle statuses (CDAR D22B).", no_args_is_help=True)

HEADER = list(Reported._fields)


@einvoice_app.command("statuses")
def statuses(
    since: Annotated[str, typer.Option("--since", help="Payments received from this day on (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option("--out", help="Folder the CDAR messages are written to.")],
    again: Annotated[bool, typer.Option("--again", help="Write payments already reported again.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    db: DbOption = None,
) -> None:
    """One 212 Encaissée per payment applied to an invoice, valid against the CDAR D22B XSD.

    A payment already reported is not written again unless --again; customers without a SIREN
    are listed as skipped.
    """
    day = parse_date(since, "--since")
    seller = load_seller(get_settings().data_dir)  # a company.toml without SIREN: exit 2
    with session_for(db) as session:
        results = report_collected(session, day, out, seller, again=again)
    rows = [list(r) for r in results]
    if output is OutputFormat.JSON:
        print_document([r._asdict() for r in results])
    elif output is OutputFormat.CSV:
        print_csv(HEADER, rows)
    else:
        written = sum(r.status == "written" for r in results)
        title = f"CDAR 212 Encaissée since {day.isoformat()}: {written} written into {out}"
        print_table(title, HEADER, [[("" if v is None else v) for v in row] for row in rows])
