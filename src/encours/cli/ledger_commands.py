"""`encours import`, `aging` and `kpi` (SPEC §1, §4, §5)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import Engine

from encours.analytics.aging import aged_balance
from encours.analytics.kpi import kpis, load_thresholds
from encours.analytics.runner import AlchemyRunner
from encours.cli.context import (
    EXIT_BAD_INPUT,
    AsOfOption,
    DbOption,
    engine_for,
    err_console,
    fail,
    parse_as_of,
    report,
    session_for,
    show_progress,
)
from encours.cli.output import (
    OutputFormat,
    OutputOption,
    print_csv,
    print_json,
    print_table,
    refuse_unprinted,
)
from encours.domain.aging import DEFAULT_BUCKETS, parse_bounds
from encours.domain.errors import Conflict, InvalidLines
from encours.domain.kpi import Kpis
from encours.domain.kpi_alerts import evaluate
from encours.domain.money import format_amount
from encours.importing.service import import_one
from encours.ingest.detect import FORMATS
from encours.ledger.import_service import ImportRejected, import_order, read_source
from encours.settings import get_settings
from encours.storage.database import unit_of_work


def import_files(
    files: Annotated[list[Path], typer.Argument(help="Files to import.")],
    format: Annotated[
        str | None, typer.Option("--format", help=f"Force a format: {', '.join(FORMATS)}.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Import ledger files and bank statements; each file is all or nothing, re-importing changes nothing.

    Bank statements go to the bank journal, never into receivables (SPEC §10). A refused file
    is reported (every bad line) and the next one still imported; exit 2 at the end.
    """
    if format is not None and format not in FORMATS:
        fail(f"--format: unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    engine = engine_for(db)
    refusals: list[InvalidLines] = []
    imported = False
    sources = []
    prefixes = get_settings().fec_customer_prefixes
    for path in files:
        try:
            sources.append(read_source(path, format))
        except ImportRejected as rejected:
            refusals.append(rejected)
    with Progress(disable=not show_progress(), transient=True, console=err_console) as progress:
        task = progress.add_task("importing", total=len(sources))
        for source in import_order(sources):
            progress.update(task, description=f"importing {source.path.name}")
            try:
                typer.echo(import_one(engine, source, prefixes).describe())
                imported = True
            except InvalidLines as rejected:  # a ledger file, a statement or a status message refused
                refusals.append(rejected)
            except Conflict as lost:
                fail(str(lost))
            progress.advance(task)
    if imported:
        queue_figures(engine)
    for refusal in refusals:
        report(refusal)
    if refusals:
        raise typer.Exit(EXIT_BAD_INPUT)


def queue_figures(engine: Engine) -> None:
    """The pages' whole-ledger figures, computed by a job (a worker, or `encours serve` on SQLite).

    One waiting figures job is enough: it reads the ledger when it runs, so an import while one
    is queued (a re-import, a batch of files) adds none.
    """
    from encours.jobs import dispatch
    from encours.jobs import service as jobs
    from encours.web import job_kinds  # noqa: F401 - registers the kinds

    dispatch.configure(get_settings(), run_here=False)  # this command does not wait for it
    with unit_of_work(engine) as session:
        if not jobs.list_jobs(session, kind="figures", status="queued", limit=1):
            jobs.enqueue(session, "figures", {}, requested_by="cli")


def aging(
    as_of: AsOfOption,
    output: OutputOption = OutputFormat.TABLE,
    buckets: Annotated[
        str | None, typer.Option("--buckets", help="Bucket bounds in days, e.g. 0,30,60,90.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Aged balance by customer and bucket."""
    day = parse_as_of(as_of)
    try:
        chosen = parse_bounds(buckets) if buckets else DEFAULT_BUCKETS
    except ValueError as exc:
        fail(f"--buckets: {exc}")
    with session_for(db) as session:
        balances = aged_balance(AlchemyRunner(session), day, chosen)
    if output is OutputFormat.JSON:
        print_json([balance.to_json() for balance in balances], rows=sum(len(b.rows) for b in balances))
        return
    labels = [bucket.label for bucket in chosen]
    if output is OutputFormat.CSV:
        rows = [
            [
                row.customer_id,
                row.name,
                b.currency,
                format_amount(row.total),
                *map(format_amount, row.amounts),
            ]
            for b in balances
            for row in b.rows
        ]
        print_csv(["customer_id", "name", "currency", "total", *labels], rows)
        return
    for balance in balances:
        print_table(
            f"Aged balance at {day.isoformat()} ({balance.currency})",
            ["customer_id", "name", "total", *labels],
            [
                [r.customer_id, r.name, format_amount(r.total), *map(format_amount, r.amounts)]
                for r in balance.rows
            ],
            ["TOTAL", "", format_amount(balance.total), *map(format_amount, balance.totals)],
        )


def kpi(as_of: AsOfOption, output: OutputOption = OutputFormat.TABLE, db: DbOption = None) -> None:
    """Receivable KPIs: outstanding, overdue, DSO (countback, simple, best possible), ADD, CEI."""
    day = parse_as_of(as_of)
    refuse_unprinted(output, "kpi", OutputFormat.TABLE, OutputFormat.JSON)
    with session_for(db) as session:
        results = kpis(AlchemyRunner(session), day)
    payloads = [result.to_json() for result in results]
    if output is OutputFormat.JSON:
        print_json(payloads)
        return
    print_kpi_tables(results)


def print_kpi_tables(results: Sequence[Kpis]) -> None:
    """KPIs with their alert level against the user's thresholds."""
    try:
        thresholds = load_thresholds(get_settings().data_dir)
    except ValueError as exc:
        fail(f"kpi_thresholds.toml: {exc}")
    for result in results:
        levels = {a.kpi: f"{a.level} (threshold {a.threshold})" for a in evaluate(result, thresholds)}
        print_table(
            f"KPIs at {result.as_of.isoformat()} ({result.currency})",
            ["kpi", "value", "alert"],
            [
                [key, "-" if value is None else value, levels.get(key, "")]
                for key, value in result.to_json().items()
                if key not in ("as_of", "currency")
            ],
        )
