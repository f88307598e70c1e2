"""A dunning run as a background job (SPEC §12): what "approve and run" in the browser and
``POST /api/v1/dunning/runs`` queue.

The run is linked to its job, so the job's page lists the run's actions as they are decided
and delivered. A retried job (its worker was killed) does not decide again: it delivers what
its run left pending, so nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from encours.domain.errors import InvalidInput
from encours.dunning.actions import ActionRepository
from encours.dunning.channels.smtp import smtp_config
from encours.dunning.outbox import DeliveryReport
from encours.dunning.service import deliver, load_config, preview, run, waiting_handovers
from encours.jobs.registry import JobContext, job_kind

KIND = "dunning_run"


def run_params(as_of: dt.date, dry_run: bool) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "dry_run": dry_run}


def _as_of(params: dict[str, Any]) -> dt.date:
    try:
        return dt.date.fromisoformat(str(params["as_of"]))
    except (KeyError, ValueError):
        raise InvalidInput(f"as_of: not a date: {params.get('as_of')!r}", field="as_of") from None


def _report(report: DeliveryReport) -> dict[str, Any]:
    return {
        "messages": report.messages, "files": report.files, "letters": report.letters, "tasks": report.tasks,
        "failed": report.failed, "pending": report.retry, "complete": report.complete,
        "problems": [{"customer_id": p.customer_id, "status": p.status, "reason": p.reason,
                      "attempts": p.attempts, "steps": list(p.steps)} for p in report.problems],
    }  # fmt: skip


@job_kind(KIND)
def dunning_run(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Runs the day's dunning (or previews it with ``dry_run``), reporting delivery progress."""
    as_of = _as_of(params)
    config = load_config(context.settings)
    if params.get("dry_run"):
        decisions = preview(context.engine, config, as_of)
        waits = waiting_handovers(decisions)
        return {"as_of": as_of.isoformat(), "dry_run": True, "actions": len(decisions.actions),
                "customers": len({a.customer_id for a in decisions.actions}),
                "handovers_waiting": sum(len(w.invoice_ids) for w in waits)}  # fmt: skip
    smtp = smtp_config(config.settings)
    actor = str(params.get("actor") or "job")

    def progress(done: int, total: int) -> None:
        context.progress(done, total, "delivering")

    with context.session() as session:
        earlier = ActionRepository(session).run_of_job(context.job_id)
    if earlier is not None:  # a retried job: its decisions stand, deliver what they left
        report = deliver(context.engine, config, smtp, actor, progress)
        return {"as_of": as_of.isoformat(), "dry_run": False, "run_id": earlier, **_report(report)}
    context.progress(0, None, "deciding")
    result = run(context.engine, config, as_of, smtp, actor, progress, job_id=context.job_id)
    return {"as_of": as_of.isoformat(), "dry_run": False, "run_id": result.run_id,
            "actions": len(result.decisions.actions), **_report(result.delivery)}  # fmt: skip
