"""Disputes, promises, plans, tasks, calls and assignment: thin routes over casework services."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Query, Response

from encours.casework import assignment, disputes, plans, promises, tasks
from encours.casework.queries import litigation_board
from encours.casework.schemas import DisputeOut, HandedOverOut, PlanOut, PromiseOut, TaskOut
from encours.users.roles import Permission
from encours.users.service import User
from encours.web import integrations
from encours.web.api.schemas import AssignIn, CallIn, DisputeIn, PromiseIn
from encours.web.deps import ApiUser, IsoDay, SessionDep, api_permission, as_of_param

router = APIRouter(tags=["casework"])
AsOf = Annotated[dt.date, Depends(as_of_param)]
Worker = Annotated[User, Depends(api_permission(Permission.WORK))]
Status = Annotated[str | None, Query(max_length=16, pattern="^[a-z_]+$")]
CustomerFilter = Annotated[str | None, Query(max_length=64)]


class Cases(NamedTuple):
    """Which cases a list shows: one customer's or all, in one status or all."""

    customer_id: str | None
    status: str | None


def cases(customer_id: CustomerFilter = None, status: Status = None) -> Cases:
    return Cases(customer_id, status)


CasesFilter = Annotated[Cases, Depends(cases)]


class Window(NamedTuple):
    """Which slice of a list: ``limit`` rows from ``offset``; the total goes in ``X-Total-Count``."""

    offset: int
    limit: int


def window(
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 500
) -> Window:
    return Window(offset, limit)


Paged = Annotated[Window, Depends(window)]


def _counted(response: Response, total: int) -> None:
    response.headers["X-Total-Count"] = str(total)


@router.get("/disputes", response_model=list[DisputeOut])
def list_disputes(
    session: SessionDep, user: ApiUser, filters: CasesFilter, paged: Paged, response: Response
) -> list[DisputeOut]:
    """Open disputes first, newest first; a page of ``limit`` from ``offset``."""
    found = disputes.dispute_page(session, *filters, offset=paged.offset, limit=paged.limit)
    _counted(response, found.total)
    return [DisputeOut.model_validate(d) for d in found.rows]


@router.post("/customers/{customer_id}/disputes", response_model=DisputeOut, status_code=201)
def open_dispute(session: SessionDep, user: Worker, customer_id: str, body: DisputeIn) -> DisputeOut:
    found = disputes.open_dispute(
        session, customer_id, body.invoice_id, reason=body.reason, actor=user.email, owner=body.owner
    )
    return DisputeOut.model_validate(found)


@router.get("/promises", response_model=list[PromiseOut])
def list_promises(
    session: SessionDep, user: ApiUser, filters: CasesFilter, paged: Paged, response: Response
) -> list[PromiseOut]:
    """Open promises first, newest first; a page of ``limit`` from ``offset``."""
    found = promises.promise_page(session, *filters, offset=paged.offset, limit=paged.limit)
    _counted(response, found.total)
    return [PromiseOut.model_validate(p) for p in found.rows]


@router.post("/customers/{customer_id}/promises", response_model=PromiseOut, status_code=201)
def make_promise(
    session: SessionDep, user: Worker, customer_id: str, body: PromiseIn, as_of: AsOf
) -> PromiseOut:
    """A promise on ``invoice_ids``, or on every open invoice of the customer when empty.

    ``as_of`` (query, default today) is the business date; ``made_on`` defaults to it.
    """
    made = promises.make_promise(
        session, customer_id, body.amount, body.promised_date, actor=user.email,
        invoices=body.invoice_ids, note=body.note, made_on=body.made_on, as_of=as_of,
    )  # fmt: skip
    return PromiseOut.model_validate(made)


@router.get("/plans", response_model=list[PlanOut])
def list_plans(
    session: SessionDep, user: ApiUser, filters: CasesFilter, paged: Paged, response: Response
) -> list[PlanOut]:
    """Active plans first, newest first; a page of ``limit`` from ``offset``."""
    found = plans.plan_page(session, *filters, offset=paged.offset, limit=paged.limit)
    _counted(response, found.total)
    return [PlanOut.model_validate(p) for p in found.rows]


@router.get("/tasks", response_model=list[TaskOut])
def list_tasks(
    session: SessionDep,
    user: ApiUser,
    paged: Paged,
    response: Response,
    customer_id: CustomerFilter = None,
    assignee: Annotated[str | None, Query(max_length=255)] = None,
    status: Status = "open",
    due_date: Annotated[IsoDay | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
) -> list[TaskOut]:
    """Tasks by due date; ``due_date``: due on or before it; ``assignee=`` (empty): nobody's;
    a page of ``limit`` from ``offset``."""
    found = tasks.task_page(
        session, customer_id=customer_id, assignee=assignee, status=status, due_by=due_date, kind=kind,
        offset=paged.offset, limit=paged.limit,
    )  # fmt: skip
    _counted(response, found.total)
    return [TaskOut.model_validate(t) for t in found.rows]


@router.post("/customers/{customer_id}/calls", response_model=TaskOut, status_code=201)
def log_call(session: SessionDep, user: Worker, customer_id: str, body: CallIn) -> TaskOut:
    return TaskOut.model_validate(integrations.log_call(session, user.email, customer_id, body.summary))


@router.post("/customers/{customer_id}/assignee", status_code=204)
def assign(session: SessionDep, user: Worker, customer_id: str, body: AssignIn) -> None:
    assignment.assign(session, customer_id, body.role, body.assignee, actor=user.email)


@router.get("/litigation", response_model=list[HandedOverOut])
def list_litigation(
    session: SessionDep, user: ApiUser, as_of: AsOf, paged: Paged, response: Response
) -> list[HandedOverOut]:
    """The litigation board: customers handed over to litigation or an agency at ``as_of``
    (they have left the worklist), earliest hand-over first, with their open balances."""
    found = litigation_board(session, as_of, offset=paged.offset, limit=paged.limit)
    _counted(response, found.total)
    return [HandedOverOut.of(h) for h in found.rows]
