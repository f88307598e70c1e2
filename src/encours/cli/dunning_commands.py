"""`encours dunning run|preview|actions|deliver|terms` (SPEC §8)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.progress import Progress

from encours.cli.context import (
    AsOfOption,
    DbOption,
    engine_for,
    err_console,
    fail,
    parse_as_of,
    session_for,
    show_progress,
)
from encours.cli.output import print_table
from encours.domain.penalties import RULES
from encours.dunning.channels.smtp import smtp_config
from encours.dunning.outbox import DeliveryReport
from encours.dunning.service import (
    Decisions,
    DunningAction,
    HandoverWait,
    decision_rows,
    deliver,
    list_actions,
    load_config,
    preview,
    run,
    set_penalty_terms,
    waiting_handovers,
)
from encours.settings import get_settings

dunning_app = typer.Typer(help="Dunning: scenarios, reminders, letters and tasks, sent exactly once.")

FormatOption = Annotated[str, typer.Option("--format", help="table or json.")]


def _check_format(output: str) -> None:
    if output not in ("table", "json"):
        fail(f"--format: expected table or json, got {output!r}")


def _waiting_json(wait: HandoverWait) -> dict[str, Any]:
    return {"customer_id": wait.customer_id, "invoice_ids": list(wait.invoice_ids),
            "possible_on": None if wait.possible_on is None else wait.possible_on.isoformat(),
            "reason": wait.reason}  # fmt: skip


def _print_waiting(decisions: Decisions) -> None:
    """Hand-overs held back by the formal notice rule (SPEC §8), with the day each becomes possible."""
    waits = waiting_handovers(decisions)
    if not waits:
        return
    typer.echo(f"hand-overs waiting for a formal notice: {sum(len(w.invoice_ids) for w in waits)} invoices")
    for wait in waits:
        if wait.possible_on is None:
            when = "possible once its formal notice is delivered and its period has run"
        elif wait.reason == "formal_notice_first":
            day = wait.possible_on.isoformat()
            when = f"formal notice now; hand-over possible from {day} if it is delivered"
        else:
            when = f"possible from {wait.possible_on.isoformat()} (the notice's period is running)"
        typer.echo(f"  {wait.customer_id}: {_short(list(wait.invoice_ids))}: {when}")


def _print_decisions(decisions: Decisions, output: str) -> None:
    rows = decision_rows(decisions)
    if output == "json":
        payload = {"as_of": decisions.as_of.isoformat(), "actions": rows,
                   "suppressed": dict(sorted(decisions.reminders.suppressed.items())),
                   "below_minimum": decisions.reminders.below_minimum,
                   "handovers_waiting": [_waiting_json(w) for w in waiting_handovers(decisions)]}  # fmt: skip
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    print_table(
        f"Dunning at {decisions.as_of}: {len(rows)} actions",
        ["customer", "step", "channel", "invoices", "amount"],
        [[r["customer_id"], r["step"], r["channel"], _short(r["invoice_ids"]),
          f"{r['amount']} {r['currency']}"] for r in rows],
    )  # fmt: skip
    suppressed = ", ".join(f"{k}: {v}" for k, v in sorted(decisions.reminders.suppressed.items())) or "none"
    typer.echo(f"suppressed invoices: {suppressed}; below minimum: {decisions.reminders.below_minimum}")
    _print_waiting(decisions)


def _short(ids: list[str]) -> str:
    return ", ".join(ids[:4]) + (f" (+{len(ids) - 4})" if len(ids) > 4 else "")


@contextlib.contextmanager
def delivery_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal, nothing when output is redirected."""
    with Progress(disable=not show_progress(), transient=True, console=err_console) as bar:
        task = bar.add_task("delivering", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


EXIT_NOT_DELIVERED = 3  # SPEC §8: some due actions are failed or pending


def _describe(report: DeliveryReport) -> str:
    return (
        f"delivered: {report.messages} e-mails, {report.files} e-mails written as files, "
        f"{report.letters} letters, {report.tasks} tasks; failed: {report.failed}; "
        f"left pending for retry: {report.retry}"
    )


def _report_delivery(report: DeliveryReport) -> None:
    """The summary, one line per customer not reached with its reason; exit 3 when there is any."""
    typer.echo(_describe(report))
    if report.complete:
        return
    customers = len({p.customer_id for p in report.problems})
    plural = customers != 1
    typer.echo(f"NOT DELIVERED: {customers} {'customers' if plural else 'customer'}")
    for problem in report.problems:
        typer.echo(
            f"  {problem.status:<7} {problem.customer_id} ({', '.join(problem.steps)}): {problem.reason}"
            f" [{problem.outcome}]"
        )
    err_console.print(
        f"{customers} {'customers were' if plural else 'customer was'} not reached"
        " (see the summary above and `encours dunning actions`)"
    )
    raise typer.Exit(EXIT_NOT_DELIVERED)


@dunning_app.command("run")
def run_command(
    as_of: AsOfOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be done; write and send nothing.")
    ] = False,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Evaluate the scenarios at --as-of and send or produce every due action once.

    Exits 3 when some actions could not be delivered (failed or left pending), naming each
    customer and reason; the next run retries them.
    """
    day = parse_as_of(as_of)
    _check_format(output)
    config = load_config(get_settings())
    if dry_run:
        _print_decisions(preview(engine_for(db), config, day), output)
        return
    smtp = smtp_config(config.settings)
    if smtp is None:
        err_console.print(
            "ENCOURS_SMTP_URL is not set: e-mails are written as .eml files under the data directory"
        )
    with delivery_progress() as progress:
        result = run(engine_for(db), config, day, smtp, progress=progress)
    typer.echo(f"run {result.run_id} at {day}: {len(result.decisions.actions)} actions decided")
    _print_waiting(result.decisions)
    _report_delivery(result.delivery)


@dunning_app.command("preview")
def preview_command(as_of: AsOfOption, output: FormatOption = "table", db: DbOption = None) -> None:
    """What a run at --as-of would do (same as run --dry-run)."""
    day = parse_as_of(as_of)
    _check_format(output)
    _print_decisions(preview(engine_for(db), load_config(get_settings()), day), output)


@dunning_app.command("deliver")
def deliver_command(db: DbOption = None) -> None:
    """Deliver actions left pending by an interrupted run, deciding nothing new."""
    config = load_config(get_settings())
    smtp = smtp_config(config.settings)
    with delivery_progress() as progress:
        report = deliver(engine_for(db), config, smtp, progress=progress)
    _report_delivery(report)


def action_json(row: DunningAction) -> dict[str, Any]:
    """SPEC §8 keys, in this order, then ``reason`` and ``attempts``."""
    return {
        "action_id": row.id,
        "customer_id": row.customer_id,
        "step": row.step,
        "channel": row.channel,
        "invoice_ids": list(row.invoice_ids),
        "status": row.status,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "sent_at": None if row.sent_at is None else row.sent_at.isoformat().replace("+00:00", "Z"),
        "document": row.document,
        "reason": row.reason,  # beyond SPEC §8's keys: why it was not delivered
        "attempts": row.attempts,
    }


@dunning_app.command("actions")
def actions_command(
    output: FormatOption = "table",
    customer: Annotated[str | None, typer.Option("--customer", help="Only this customer's actions.")] = None,
    db: DbOption = None,
) -> None:
    """Every dunning action ever decided, with its status."""
    _check_format(output)
    with session_for(db) as session:
        rows = [action_json(row) for row in list_actions(session, customer)]
    if output == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    print_table(
        f"{len(rows)} dunning actions",
        ["action", "customer", "step", "channel", "invoices", "status", "attempts", "reason", "sent_at",
         "document"],
        [[r["action_id"], r["customer_id"], r["step"], r["channel"], _short(r["invoice_ids"]), r["status"],
          r["attempts"], r["reason"] or "", r["sent_at"] or "", r["document"] or ""] for r in rows],
    )  # fmt: skip


@dunning_app.command("terms")
def penalty_terms_command(
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    rule: Annotated[str, typer.Option("--rule", help=f"Penalty rule: {', '.join(RULES)}.")] = "fr_l441_10",
    contract_rate: Annotated[
        str | None, typer.Option("--contract-rate", help="Contractual penalty rate in percent.")
    ] = None,
    waive: Annotated[
        bool, typer.Option("--waive/--claim", help="Waive or claim late-payment penalties.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a customer's late-payment penalty terms (rule, contract rate, claim or waive)."""
    if rule not in RULES:
        fail(f"--rule: unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    rate = None
    if contract_rate is not None:
        try:
            rate = Decimal(contract_rate)
        except InvalidOperation:
            fail(f"--contract-rate: not a number {contract_rate!r}")
        if not rate.is_finite() or rate < 0 or rate > 100:
            fail(f"--contract-rate: expected a percentage between 0 and 100, got {contract_rate!r}")
    with session_for(db) as session:
        if not set_penalty_terms(session, customer_id, rule, rate, waive, "cli"):
            fail(f"customer_id: unknown customer {customer_id!r}")
    state = "waived" if waive else "claimed"
    typer.echo(
        f"{customer_id}: penalties {state}, rule {rule}, contract rate {rate if rate is not None else '-'}"
    )
