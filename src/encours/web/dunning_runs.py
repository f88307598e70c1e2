"""Dunning runs queued from the web (SPEC §9, §12): what the API and the screens share.

A run is a ``dunning_run`` job; its view is the job (status, progress) with the actions of
the run it decided. A pause stops reminders to one customer until a date (a casework hold).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from encours.casework.holds import HoldKind, holds_in_force, place_hold, release_hold
from encours.domain.errors import InvalidInput, NotFound
from encours.dunning import run_job  # registers the job kind in this process
from encours.dunning import service as dunning
from encours.jobs import service as jobs
from encours.jobs.views import JobView


def start_run(session: Session, as_of: dt.date, dry_run: bool, requested_by: str) -> JobView:
    """Queue a run at ``as_of``; it starts once the caller's transaction commits."""
    params = {**run_job.run_params(as_of, dry_run), "actor": requested_by}
    return jobs.enqueue(session, run_job.KIND, params, requested_by=requested_by)


def run_job_view(session: Session, job_id: int) -> tuple[JobView, int | None, list[dunning.DunningAction]]:
    """The job, the run it decided (None before it has, or for a dry run) and that run's actions."""
    job = jobs.get(session, job_id)
    if job.kind != run_job.KIND:
        raise NotFound(f"no dunning run {job_id}", field="id")
    run_id = dunning.run_of_job(session, job_id)
    actions = [] if run_id is None else dunning.list_actions(session, run_id=run_id)
    return job, run_id, actions


def action_json(row: dunning.DunningAction) -> dict[str, Any]:
    """SPEC §8's keys, then why it was not delivered and how many attempts."""
    return {
        "action_id": row.id, "customer_id": row.customer_id, "step": row.step, "channel": row.channel,
        "invoice_ids": list(row.invoice_ids), "status": row.status,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "sent_at": None if row.sent_at is None else row.sent_at.isoformat().replace("+00:00", "Z"),
        "document": row.document, "reason": row.reason, "attempts": row.attempts,
    }  # fmt: skip


def run_json(session: Session, job_id: int) -> dict[str, Any]:
    job, run_id, actions = run_job_view(session, job_id)
    return {**job.as_json(), "run_id": run_id, "actions": [action_json(a) for a in actions]}


def pause(session: Session, customer_id: str, until: dt.date, today: dt.date, actor: str) -> None:
    """No reminder to the customer from ``today`` to ``until`` included (runs honour it)."""
    if until < today:
        raise InvalidInput(f"until: {until.isoformat()} is before {today.isoformat()}", field="until")
    place_hold(
        session, customer_id, HoldKind.PAUSE, actor=actor, start_date=today, end_date=until,
        reason="dunning paused",
    )  # fmt: skip


def resume(session: Session, customer_id: str, actor: str) -> None:
    release_hold(session, customer_id, HoldKind.PAUSE, actor=actor, reason="dunning resumed")


def paused_until(session: Session, customer_id: str, on: dt.date) -> dt.date | bool | None:
    """The last paused day of the customer at ``on``; True for a pause without end; None: not paused."""
    for hold in holds_in_force(session, on, customer_id):
        if hold.kind == HoldKind.PAUSE:
            return hold.end_date if hold.end_date is not None else True
    return None
