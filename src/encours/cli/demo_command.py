"""`encours demo`: create the demo company, then show its aged balance and KPIs."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Annotated

import typer

from encours.analytics.aging import aged_balance
from encours.analytics.kpi import kpis
from encours.analytics.runner import AlchemyRunner
from encours.cli.context import DbOption, engine_for, err_console, parse_date
from encours.cli.ledger_commands import print_kpi_tables
from encours.cli.output import print_table
from encours.demo.generator import generate
from encours.domain.money import format_amount
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.ledger.queries import DEMO_FORMAT
from encours.storage.base import business_today
from encours.storage.database import unit_of_work


def demo(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same company.")] = 42,
    customers: Annotated[int, typer.Option(min=1, max=1_000_000)] = 300,
    until: Annotated[
        str, typer.Option(help="Last day of the ledger, YYYY-MM-DD, or `today` (Europe/Paris).")
    ] = "today",
    db: DbOption = None,
) -> dt.date:
    """Create a realistic demo company (two years of invoices, payments, disputes) ending today.

    Its last day is today by default, so the dashboard opens on a live ledger (CEI, alerts and
    worklist as a company would see them), not on data that stopped weeks ago.
    """
    last_day = business_today() if until == "today" else parse_date(until, "--until")
    with err_console.status("generating the demo company"):
        ledger = generate(seed=seed, customers=customers, until=last_day)
    parsed = ParsedFile(
        file=f"demo(seed={seed})", format=DEMO_FORMAT, customers=ledger.customers,
        entries=ledger.entries, allocations=ledger.allocations,
    )  # fmt: skip
    # the batch of format "demo" marks the database as the demo's (dunning may then send as the demo company)
    source = SourceFile(Path(parsed.file), hashlib.sha256(parsed.file.encode()).digest(), DEMO_FORMAT)
    engine = engine_for(db)
    with unit_of_work(engine) as session:
        counts = ImportService(session).store(parsed, source)
    typer.echo(counts.describe())
    with unit_of_work(engine) as session:
        runner = AlchemyRunner(session)
        balances = aged_balance(runner, last_day)
        results = kpis(runner, last_day)
    for balance in balances:
        labels = [b.label for b in balance.buckets]
        print_table(
            f"Aged balance totals at {last_day} ({balance.currency}), {len(balance.rows)} customers",
            ["", "total", *labels],
            [["TOTAL", format_amount(balance.total), *map(format_amount, balance.totals)]],
        )
    print_kpi_tables(results)
    return last_day
