"""`encours forecast`, `backtest`, `score` and `model train` (SPEC §1, §6)."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from encours.cli.context import (
    AsOfOption,
    DbOption,
    err_console,
    fail,
    parse_as_of,
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
from encours.foresight.history import to_date
from encours.foresight.reports import money as _money

if TYPE_CHECKING:  # the model stack (LightGBM, DuckDB, SciPy) loads only when a command needs it
    from encours.foresight.backtest import Backtest

model_app = typer.Typer(
    help="The payment model (trained per company from its own ledger).", no_args_is_help=True
)


def _working(message: str) -> contextlib.AbstractContextManager[object]:
    """A spinner on a terminal, nothing when the output is piped."""
    return err_console.status(message) if show_progress() else contextlib.nullcontext()


def forecast(
    as_of: AsOfOption,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="csv (per invoice) or json (all)")
    ] = OutputFormat.JSON,
    db: DbOption = None,
) -> None:
    """Per open invoice: expected payment date (p10–p90), probability of late payment; 13-week cash-in."""
    from encours.foresight.reports import INVOICE_HEADER, forecast_report

    day = parse_as_of(as_of)
    refuse_unprinted(output, "forecast", OutputFormat.CSV, OutputFormat.JSON)
    with _working("forecasting (training the payment model when stale)"), session_for(db) as session:
        report = forecast_report(session, day)
    if output is OutputFormat.CSV:
        print_csv(INVOICE_HEADER, report.rows)
        return
    print_json(report.payloads)


def backtest(
    cutoff: Annotated[str, typer.Option("--cutoff", help="First issue date predicted, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file of the predictions.")],
    forecast_checks: Annotated[
        bool, typer.Option("--forecast/--no-forecast", help="Also backtest the 13-week forecast.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Rolling backtest without look-ahead (SPEC §6): MAE, AUC, calibration, beside a baseline."""
    from encours.foresight.backtest import run_backtest
    from encours.foresight.service import read_ledger

    try:
        day = dt.date.fromisoformat(cutoff)
    except ValueError:
        fail(f"--cutoff: invalid date {cutoff!r}, expected YYYY-MM-DD")
    if out.is_dir() or not out.parent.exists():
        fail(f"--out: cannot write {str(out)!r}")
    with session_for(db) as session:
        ledger = read_ledger(session)
    with Progress(disable=not show_progress(), transient=True, console=err_console) as bar:
        task = bar.add_task("backtest: monthly models", total=None)
        result = run_backtest(
            ledger.history, ledger.allocations, day, forecast_checks=forecast_checks,
            reminders=ledger.reminders,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    try:
        result.write_csv(out)
    except OSError as exc:
        fail(f"--out: cannot write {str(out)!r}: {exc.strerror}")
    _print_backtest(result)


def _number(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _print_backtest(result: Backtest) -> None:
    m, b = result.model, result.baseline
    typer.echo(
        f"backtest from {result.cutoff.isoformat()}: {result.history.size} invoices, "
        f"{m.settled} settled, {result.retrainings} monthly models "
        f"({result.prior_retrainings} cold-start priors)"
    )
    print_table(
        "Payment prediction",
        ["metric", "encours", "customer median"],
        [
            ["MAE (days)", _number(m.mae_days, 2), _number(b.mae_days, 2)],
            ["AUC late", _number(m.auc, 3), _number(b.auc, 3)],
        ],
    )
    print_table(
        "Calibration of p_late (deciles, settled invoices)",
        ["decile", "invoices", "mean p_late", "late rate"],
        [[r.decile, r.size, f"{r.mean_predicted:.3f}", f"{r.observed_rate:.3f}"] for r in m.calibration],
    )
    if result.forecasts:
        rows = [
            [
                f.as_of.isoformat(),
                _money(f.actual_cents),
                _money(f.expected_cents),
                _number(f.abs_error_cents / f.actual_cents if f.actual_cents else None, 3),
                _number(f.baseline_abs_error_cents / f.actual_cents if f.actual_cents else None, 3),
                f"{f.weeks_in_band}/13",
            ]
            for f in result.forecasts
        ]
        actual = sum(f.actual_cents for f in result.forecasts)
        error = sum(f.abs_error_cents for f in result.forecasts)
        base = sum(f.baseline_abs_error_cents for f in result.forecasts)
        band = sum(f.weeks_in_band for f in result.forecasts)
        footer = [
            "ALL",
            _money(actual),
            "",
            _number(error / actual if actual else None, 3),
            _number(base / actual if actual else None, 3),
            f"{band}/{13 * len(result.forecasts)}",
        ]
        print_table(
            "13-week cash-in forecast (weekly absolute error / cash collected)",
            ["as_of", "collected", "expected", "WAPE", "baseline WAPE", "weeks in p10-p90"],
            rows,
            footer,
        )


def score(as_of: AsOfOption, output: OutputOption = OutputFormat.TABLE, db: DbOption = None) -> None:
    """Risk score 0–100 and segment A–D per customer, stored; alerts on deterioration."""
    from encours.foresight.scoring import store_scores
    from encours.foresight.service import read_ledger

    day = parse_as_of(as_of)
    refuse_unprinted(output, "score", OutputFormat.TABLE, OutputFormat.JSON)
    with _working("scoring customers"), session_for(db) as session:
        ledger = read_ledger(session)
        scores, alerts = store_scores(session, ledger, day)
    if output is OutputFormat.JSON:
        print_json(
            [
                {
                    "as_of": day.isoformat(),
                    "scores": [
                        {
                            "customer_id": s.customer_id,
                            "score": s.score,
                            "segment": s.segment,
                            "p_late": round(s.p_late, 4),
                            "recommended_credit_limit": _money(s.recommended_credit_limit_cents),
                            "reasons": [r.to_json() for r in s.reasons],
                        }
                        for s in scores
                    ],
                    "alerts": [a._asdict() for a in alerts],
                }
            ]
        )
        return
    print_table(
        f"Risk scores at {day.isoformat()}",
        ["customer_id", "segment", "score", "credit limit", "reasons"],
        [
            [
                s.customer_id,
                s.segment,
                s.score,
                _money(s.recommended_credit_limit_cents),
                "; ".join(r.en for r in s.reasons),
            ]
            for s in scores
        ],
    )
    for alert in alerts:
        typer.echo(
            f"alert: {alert.customer_id} {alert.previous_segment}->{alert.segment} "
            f"({alert.previous_score}->{alert.score})"
        )


@model_app.command("train")
def train(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Train with payments up to this day (default: the ledger's last day)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Train the payment model from the ledger and store it."""
    from encours.foresight.service import read_ledger, train_model

    day = parse_as_of(as_of) if as_of is not None else None
    with session_for(db) as session:
        ledger = read_ledger(session)
        if day is None:
            h, a = ledger.history, ledger.allocations
            last = max(int(h.issue.max(initial=0)), int(a.day.max(initial=0)))
            if last == 0:
                fail("the ledger has no invoice: import one first")
            day = to_date(last)
        with _working("training the payment model"):
            model = train_model(session, ledger, day + dt.timedelta(days=1))
    kind = "cold-start prior (too little history)" if model.is_prior else "gradient-boosted hazard"
    typer.echo(
        f"model trained with payments up to {day.isoformat()}: {model.n_invoices} invoices, "
        f"{model.n_settled} settled; {kind}"
    )
