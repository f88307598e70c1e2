"""`encours import`, `aging` and `kpi` (SPEC §1, §4, §5)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from encours.analytics.aging import aged_balance
from encours.analytics.kpi import kpis, load_thresholds
from encours.analytics.runner import AlchemyRunner
from encours.cli.context import (
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
from encours.domain.kpi import Kpis
from encours.domain.kpi_alerts import evaluate
from encours.domain.money import format_amount
from encours.ingest.detect import FORMATS
from encours.ledger.import_service import (
    ImportCounts,
    ImportRejected,
    ImportService,
    SourceFile,
    import_order,
    read_source,
)
from encours.settings import get_settings
from encours.storage.database import unit_of_work

RACE_RETRIES = 3  # a concurrent import stored the same new records first: redo, now seeing them


class _NothingImported(Exception):
    """Leaves the unit of work so it rolls back: some file of the command was refused."""


def import_files(
    files: Annotated[list[Path], typer.Argument(help="Files to import.")],
    format: Annotated[
        str | None, typer.Option("--format", help=f"Force a format: {', '.join(FORMATS)}.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Import ledger files, all or nothing: one refused file and the command stores none.

    Every file is still read and checked, so one run reports every bad line; re-importing
    changes nothing.
    """
    if format is not None and format not in FORMATS:
        fail(f"--format: unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    engine = engine_for(db)
    refusals: list[ImportRejected] = []
    sources = []
    for path in files:
        try:
            sources.append(read_source(path, format))
        except ImportRejected as rejected:
            refusals.append(rejected)
    for attempt in range(1, RACE_RETRIES + 1):
        try:
            counts = _import_all(engine, import_order(sources), refusals)
            break
        except IntegrityError:  # the database's constraints caught a concurrent import
            if attempt == RACE_RETRIES:
                fail(
                    "another import stored the same records at the same time; nothing imported, run it again"
                )
    for refusal in refusals:
        report(refusal)
    if refusals:
        refused = len({error.file for refusal in refusals for error in refusal.errors})
        fail(f"nothing imported: {refused} of {len(files)} files refused (all files of a command or none)")
    for count in counts:
        typer.echo(count.describe())


def _import_all(
    engine: Engine, sources: list[SourceFile], refusals: list[ImportRejected]
) -> list[ImportCounts]:
    """Every file in one transaction, committed only when none is refused (added to ``refusals``)."""
    prefixes = get_settings().fec_customer_prefixes
    already = len(refusals)
    counts: list[ImportCounts] = []
    try:
        with (
            Progress(disable=not show_progress(), transient=True, console=err_console) as progress,
            unit_of_work(engine) as session,
        ):
            service = ImportService(session, prefixes)
            task = progress.add_task("importing", total=len(sources))
            for source in sources:
                progress.update(task, description=f"importing {source.path.name}")
                try:
                    counts.append(service.import_source(source))
                except ImportRejected as rejected:
                    refusals.append(rejected)
                progress.advance(task)
            if refusals:
                raise _NothingImported
    except _NothingImported:
        return []
    except IntegrityError:
        del refusals[already:]  # the retry reports its own
        raise
    return counts


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
