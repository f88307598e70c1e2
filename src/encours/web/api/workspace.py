"""The workspace API (SPEC §9): what the collector's screens do, a script can do.

Promises' outcomes, disputes resolved, assigned and categorised, tasks planned and done,
payment plans on open invoices, bulk worklist actions, the filtered worklist and the
notifications. Thin routes over casework services and ``encours.web.workspace_actions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from encours.casework import disputes, notifications, promises, tasks
from encours.casework.schemas import DisputeOut, PlanOut, PromiseOut, TaskOut
from encours.users.roles import Permission
from encours.users.service import User
from encours.web import workspace_actions
from encours.web.api.workspace_schemas import (
    BulkIn,
    BulkOut,
    CategoryIn,
    DisputeOwnerIn,
    DoneIn,
    NextActionOut,
    NotificationOut,
    NotificationsOut,
    OutcomeIn,
    PlanIn,
    PreferenceIn,
    ResolveIn,
    TaskIn,
    WorklistPageOut,
    WorklistRowOut,
)
from encours.web.deps import ApiUser, SessionDep, api_permission, as_of_param
from encours.web.worklist_view import Filters, filtered_worklist

RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # a record's number (else 422, not a database error)
router = APIRouter(tags=["workspace"])
AsOf = Annotated[dt.date, Depends(as_of_param)]
Worker = Annotated[User, Depends(api_permission(Permission.WORK))]
Filter = Annotated[str, Query(max_length=255)]


@router.post("/promises/{promise_id}/outcome", response_model=PromiseOut)
def promise_outcome(
    session: SessionDep, user: Worker, promise_id: RowId, body: OutcomeIn, as_of: AsOf
) -> PromiseOut:
    """Kept or broken, said by a person; a broken promise resumes reminders at once."""
    done = promises.set_outcome(session, promise_id, body.outcome, actor=user.email, as_of=as_of)
    return PromiseOut.model_validate(done)


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeOut)
def resolve_dispute(session: SessionDep, user: Worker, dispute_id: RowId, body: ResolveIn) -> DisputeOut:
    """Close the dispute with its resolution; the note is kept on the invoice."""
    closed = workspace_actions.resolve(
        session, dispute_id, body.resolution, body.note, actor=user.email, rejected=body.rejected
    )
    return DisputeOut.model_validate(closed)


@router.post("/disputes/{dispute_id}/owner", response_model=DisputeOut)
def assign_dispute(session: SessionDep, user: Worker, dispute_id: RowId, body: DisputeOwnerIn) -> DisputeOut:
    owner = workspace_actions.a_user(session, body.owner, "owner")
    return DisputeOut.model_validate(disputes.assign_dispute(session, dispute_id, owner, actor=user.email))


@router.post("/disputes/{dispute_id}/category", response_model=DisputeOut)
def categorise_dispute(session: SessionDep, user: Worker, dispute_id: RowId, body: CategoryIn) -> DisputeOut:
    found = disputes.categorise_dispute(session, dispute_id, body.category, actor=user.email)
    return DisputeOut.model_validate(found)


@router.post("/tasks", response_model=TaskOut, status_code=201)
def plan_task(session: SessionDep, user: Worker, body: TaskIn) -> TaskOut:
    """A call, callback, letter or other task on a due date, for a user (default: the collector)."""
    made = tasks.plan_task(
        session, body.customer_id, body.kind, body.due_date, actor=user.email, assignee=body.assignee,
        title=body.title,
    )  # fmt: skip
    return TaskOut.model_validate(made)


@router.post("/tasks/{task_id}/done", response_model=TaskOut)
def task_done(session: SessionDep, user: Worker, task_id: RowId, body: DoneIn | None = None) -> TaskOut:
    outcome = body.outcome if body else ""
    return TaskOut.model_validate(tasks.close_task(session, task_id, user.email, outcome))


@router.post("/customers/{customer_id}/plans", response_model=PlanOut, status_code=201)
def create_plan(session: SessionDep, user: Worker, customer_id: str, body: PlanIn, as_of: AsOf) -> PlanOut:
    """A plan of ``count`` instalments on ``invoice_ids`` (empty: every open invoice), starting ``as_of``."""
    made = workspace_actions.plan_on_open_invoices(
        session, customer_id, body.invoice_ids, body.count, body.first_due, actor=user.email, as_of=as_of,
        every_months=body.every_months, note=body.note,
    )  # fmt: skip
    return PlanOut.model_validate(made)


@router.post("/worklist/bulk", response_model=BulkOut)
def bulk(request: Request, session: SessionDep, user: Worker, body: BulkIn, as_of: AsOf) -> BulkOut:
    """Assign or pause reminders until ``until`` for each customer named; ``statement`` queues the
    job that mails their statements (``job_id``: follow it at /api/v1/jobs/{job_id})."""
    if body.action == "statement":
        job = workspace_actions.queue_statements(session, body.customer_ids, as_of, actor=user.email)
        return BulkOut(action=body.action, customers=len(job.params["customer_ids"]), job_id=job.job_id)
    count = workspace_actions.bulk(
        session, body.action, body.customer_ids, actor=user.email, as_of=as_of, assignee=body.assignee,
        until=body.until,
    )  # fmt: skip
    return BulkOut(action=body.action, customers=count)


@router.get("/worklist/page", response_model=WorklistPageOut)
def worklist_page(
    request: Request, session: SessionDep, user: ApiUser, as_of: AsOf,
    collector: Filter = "", segment: Filter = "", risk: Filter = "", stage: Filter = "", bucket: Filter = "",
    q: Annotated[str, Query(max_length=100)] = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> WorklistPageOut:  # fmt: skip
    """The filtered worklist, a page of 50 (``collector=-``: customers nobody follows; ``q``: a
    customer number or name, whatever the case and accents)."""
    filters = Filters(collector, segment, risk, stage, bucket, q.strip())
    found = filtered_worklist(session, request.app.state.figures, as_of, filters, page)
    rows = [
        WorklistRowOut(
            customer_id=r.item.customer_id, name=r.item.name, currency=r.item.currency,
            overdue=r.item.overdue, priority=r.item.priority, bucket=r.bucket, collector=r.collector,
            next_action=None if r.next_action is None else NextActionOut(
                task_id=r.next_action.task_id, kind=r.next_action.kind, due_date=r.next_action.due_date,
                assignee=r.next_action.assignee,
            ),
            stage=r.stage, last_contact=r.last_contact, risk_class=r.risk,
        )
        for r in found.rows
    ]  # fmt: skip
    return WorklistPageOut(rows=rows, total=found.total, page=found.page, pages=found.pages)


@router.get("/notifications", response_model=NotificationsOut)
def list_notifications(session: SessionDep, user: ApiUser) -> NotificationsOut:
    items = [NotificationOut(**n._asdict()) for n in notifications.latest(session, user.id)]
    return NotificationsOut(unread=notifications.unread_count(session, user.id), items=items)


@router.post("/notifications/read", status_code=204)
def read_notifications(session: SessionDep, user: ApiUser) -> None:
    notifications.mark_read(session, user.id)


@router.put("/notifications/preferences", response_model=PreferenceIn)
def notification_preferences(session: SessionDep, user: ApiUser, body: PreferenceIn) -> PreferenceIn:
    """Whether the user also receives notifications by e-mail."""
    notifications.set_email(session, user.id, body.email)
    return body
