"""Dunning as jobs: a run (dry run or real) and its delivery split in shards of customers.

``dunning_run`` decides and commits the run's actions, then starts one ``dunning_delivery``
sub-job per shard (``ENCOURS_SMTP_CONCURRENCY`` shards by default), which any worker may
take: two workers deliver a run side by side, each with one message in flight. The run job
finishes when its last shard does. A retried run decides nothing twice (the markers of the
committed actions) and finds its shards again; a retried shard delivers only what is still
pending, so a worker killed mid-run repeats at most the message it had in flight, with the
same Message-ID.
"""

from __future__ import annotations

from typing import Any

from encours.dunning.channels.smtp import smtp_config
from encours.dunning.outbox import DeliveryReport, Outbox
from encours.dunning.run_lock import Shard
from encours.dunning.service import decide_and_record, decision_rows, load_config, preview
from encours.jobs.registry import JobContext, job_day, job_kind
from encours.settings.smtp import DEFAULT_CONCURRENCY

SHOWN_DECISIONS = 2000  # a dry run's result lists this many actions, and counts them all


def report_json(report: DeliveryReport) -> dict[str, Any]:
    return {
        "messages": report.messages, "files": report.files, "letters": report.letters,
        "tasks": report.tasks, "failed": report.failed, "retry": report.retry,
        "problems": [{"customer_id": p.customer_id, "status": p.status, "reason": p.reason,
                      "attempts": p.attempts, "action_ids": list(p.action_ids)} for p in report.problems],
    }  # fmt: skip


@job_kind("dunning_run")
def dunning_run(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Dunning run at ``as_of`` (default today): ``dry_run`` shows the decisions, else they are sent."""
    day = job_day(params)
    config = load_config(context.settings)
    actor = str(params.get("actor") or "job")
    if params.get("dry_run"):
        decisions = preview(context.engine, config, day)
        rows = decision_rows(decisions)
        return {"as_of": day.isoformat(), "dry_run": True, "actions": len(rows),
                "decisions": rows[:SHOWN_DECISIONS],
                "suppressed": dict(sorted(decisions.reminders.suppressed.items()))}  # fmt: skip
    context.progress(0, None, "deciding")
    run_id, decisions = decide_and_record(context.engine, config, day, actor, context.job_id)
    smtp = smtp_config(context.settings)
    shards = int(params.get("shards") or (smtp.concurrency if smtp else DEFAULT_CONCURRENCY))
    parts = [
        context.spawn("dunning_delivery", {"part": part, "parts": shards, "actor": actor}, f"shard{part}")
        for part in range(shards)
    ]
    return {"as_of": day.isoformat(), "dry_run": False, "run_id": run_id,
            "actions": len(decisions.actions), "shards": parts}  # fmt: skip


@job_kind("dunning_delivery")
def dunning_delivery(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """One shard of the outbox: the pending actions of its customers, one message in flight."""
    shard = Shard(int(params.get("part", 0)), int(params.get("parts", 1)))
    config = load_config(context.settings)
    smtp = smtp_config(context.settings)

    def progress(done: int, total: int) -> None:
        context.progress(done, total, "messages")

    outbox = Outbox(
        context.engine, config.scenarios, config.rates, smtp, context.settings,
        str(params.get("actor") or "job"), progress, shard,
    )  # fmt: skip
    return report_json(outbox.deliver())
