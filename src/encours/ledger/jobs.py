"""Ledger work as jobs: cash application (imports are ``encours.importing.jobs``: they reach
the bank journal and e-invoicing too)."""

from __future__ import annotations

from typing import Any

from encours.jobs.registry import JobContext, job_day, job_kind
from encours.ledger.cash_application import CashApplication
from encours.ledger.cash_schemas import run_document


@job_kind("cash_application")
def cash_application(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Match unmatched bank credits at ``as_of`` (default today); ``dry_run`` stores nothing."""
    day = job_day(params)
    dry_run = bool(params.get("dry_run"))
    actor = str(params.get("actor") or "job")
    with context.session() as session:
        run = CashApplication(session, context.settings.charge_tolerance, actor=actor).apply(
            day, dry_run=dry_run
        )
        document = run_document(run)
    if not dry_run and document["summary"].get("matched"):
        context.spawn("figures", {"as_of": day.isoformat()}, "figures")
    return {"dry_run": dry_run, **document}
