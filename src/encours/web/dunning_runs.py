"""Dunning runs queued from the web (SPEC §9, §12): what the API and the screens share.

A run is a ``dunning_run`` job; its view is the job (status, progress) with the actions of
the run it decided. A pause stops reminders to one customer until a date (a casework hold).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from encours.casework.holds import Hold, HoldKind, holds_in_force, place_hold, release_hold
from encours.domain.errors import InvalidInput, NotFound
from encours.dunning import jobs as _dunning_jobs  # noqa: F401 - registers the dunning job kinds
from encours.dunning import service as dunning
from encours.jobs import service as jobs
from encours.jobs.views import JobView

KIND = "dunning_run"
COUNTS = ("messages", "files", "letters", "tasks", "failed", "retry")


class RunView(NamedTuple):
    job: JobView
    run_id: int | None  # None before the job has decided, and for a dry run
    actions: list[dunning.DunningAction]
    done: int  # messages handled by the run's delivery shards, of ``total``
    total: int | None
    delivery: dict[str, int] | None  # the shards' counts once every one has finished


def start_run(session: Session, as_of: dt.date, dry_run: bool, requested_by: str) -> JobView:
    """Queue a run at ``as_of``; it starts once the caller's transaction commits."""
    params = {"as_of": as_of.isoformat(), "dry_run": dry_run, "actor": requested_by}
    return jobs.enqueue(session, KIND, params, requested_by=requested_by)


def run_job_view(session: Session, job_id: int) -> RunView:
    """The job, the run it decided and that run's actions, with its delivery shards' progress."""
    job = jobs.get(session, job_id)
    if job.kind != KIND:
        raise NotFound.because("no_dunning_run", field="id", job=job_id)
    run_id = dunning.run_of_job(session, job_id)
    actions = [] if run_id is None else dunning.list_actions(session, run_id=run_id)
    shards = jobs.list_jobs(session, parent_id=job_id, limit=1000)
    done = sum(s.progress_done for s in shards)
    totals = [s.progress_total for s in shards]
    total = sum(t or 0 for t in totals) if shards and None not in totals else None
    delivery = None
    if shards and all(s.finished for s in shards):
        delivery = {key: sum(int((s.result or {}).get(key, 0)) for s in shards) for key in COUNTS}
    return RunView(job, run_id, actions, done, total, delivery)


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
    found = run_job_view(session, job_id)
    return {**found.job.as_json(), "run_id": found.run_id, "delivery": found.delivery,
            "delivered": {"done": found.done, "total": found.total},
            "actions": [action_json(a) for a in found.actions]}  # fmt: skip


def pause(session: Session, customer_id: str, until: dt.date, today: dt.date, actor: str) -> None:
    """No reminder to the customer from ``today`` to ``until`` included (runs honour it)."""
    if until < today:
        raise InvalidInput.because("date_before", field="until", day=until, today=today)
    place_hold(
        session, customer_id, HoldKind.PAUSE, actor=actor, start_date=today, end_date=until,
        reason="dunning paused",
    )  # fmt: skip


def resume(session: Session, customer_id: str, actor: str) -> None:
    release_hold(session, customer_id, HoldKind.PAUSE, actor=actor, reason="dunning resumed")


def paused_until(session: Session, customer_id: str, on: dt.date) -> dt.date | bool | None:
    """The last paused day of the customer at ``on``; True for a pause without end; None: not paused."""
    return pause_end(holds_in_force(session, on, customer_id))


def pause_end(in_force: Sequence[Hold]) -> dt.date | bool | None:
    """As :func:`paused_until`, from the holds in force on the customer that day."""
    for hold in in_force:
        if hold.kind == HoldKind.PAUSE:
            return hold.end_date if hold.end_date is not None else True
    return None
