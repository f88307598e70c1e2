"""The collector's screens: the filtered worklist with saved views and bulk actions, the task
queue, the boards with their actions (disputes, promises, plans, litigation), the customer
sheet's promise, plan and task forms, and the notifications.

Every action goes through the service that owns it (casework, ``web.workspace_actions``);
refusals are the services' own (422 pages), successes redirect back with ``done=``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from encours.casework import disputes, notifications, promises, saved_views, tasks, worklist_facts
from encours.casework.errors import CaseworkError
from encours.domain.errors import NotFound
from encours.domain.plans import PlanStatus
from encours.domain.promises import PromiseStatus
from encours.dunning.scenarios import load_scenarios, scenario_files
from encours.foresight.risk_classes import CLASSES
from encours.ledger import segments
from encours.ledger.queries import find_customer
from encours.storage.base import business_today
from encours.users.roles import Permission, allows
from encours.users.service import User, UserService
from encours.web import boards, workspace_actions
from encours.web.deps import (
    CsrfChecked,
    SessionDep,
    UiUser,
    app_settings,
    as_of_param,
    csrf_token,
    ui_permission,
)
from encours.web.integrations import parse_amount, parse_day
from encours.web.ui.render import language_of, render
from encours.web.ui.worklist_rows import Page, rows_html, stage_label
from encours.web.worklist_view import UNASSIGNED, Filters, filtered_worklist

RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # a record's number (else 422, not a database error)
router = APIRouter(include_in_schema=False)
AsOf = Annotated[dt.date, Depends(as_of_param)]
Worker = Annotated[User, Depends(ui_permission(Permission.WORK))]
Text = Annotated[str, Form(max_length=2000)]
Field = Annotated[str, Query(max_length=255)]
Ticked = Annotated[list[str], Form(max_length=500)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]


def case_filter(
    customer_id: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(max_length=16, pattern="^[a-z_]*$")] = "",
) -> boards.CaseFilter:
    """A board's filters (empty: every customer, every status), applied in SQL before paging."""
    return boards.CaseFilter(customer_id.strip() or None, status or None)


Cases = Annotated[boards.CaseFilter, Depends(case_filter)]


def _board_query(filters: boards.CaseFilter, **more: str) -> str:
    """The board's filters as a query string, for its pager's links."""
    kept = {"customer_id": filters.customer_id or "", "status": filters.status or "", **more}
    return urlencode({k: v for k, v in kept.items() if v})


def _back(target: str, done: str) -> RedirectResponse:
    """Back to a local page with ``done=`` (never to another site)."""
    safe = target if target.startswith("/") and not target.startswith("//") else "/worklist"
    return RedirectResponse(f"{safe}{'&' if '?' in safe else '?'}done={done}", status_code=303)


def _form_day(text: str, field: str) -> dt.date:
    """A date typed in a form, between 1990 and 2100 (else a 422 page, never a 500)."""
    day = parse_day(text, field)
    if not dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise CaseworkError.because("date_out_of_range", field=field, text=text)
    return day


def _business_day(as_of: str) -> dt.date:
    """The screen's business date a form carries (empty: today in Paris)."""
    return _form_day(as_of, "as_of") if as_of.strip() else business_today()


# worklist -----------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _steps(files: tuple[tuple[str, tuple[str, str]], ...]) -> tuple[str, ...]:
    """Every step key of these scenario files (parsed once per content, not once per page)."""
    return tuple(sorted({s.key for sc in load_scenarios(dict(files)).scenarios.values() for s in sc.steps}))


@router.get("/worklist")
def worklist_page(
    request: Request, session: SessionDep, user: UiUser, as_of: AsOf,
    collector: Annotated[str | None, Query(max_length=255)] = None, segment: Field = "", risk: Field = "",
    stage: Field = "", bucket: Field = "", q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:  # fmt: skip
    """A collector opens on their own customers (when they have some); everyone else on all."""
    if collector is None:
        collector = user.email if worklist_facts.follows_someone(session, user.email) else ""
    filters = Filters(collector, segment, risk, stage, bucket, q.strip())
    found = filtered_worklist(session, request.app.state.figures, as_of, filters, page)
    language, csrf = language_of(request), csrf_token(request)
    query = urlencode({**{k: v for k, v in filters._asdict().items() if v}, "collector": collector})
    shared = Page(as_of, language, (found.page - 1) * 50 + 1, allows(user.role, Permission.WORK), csrf, query)
    steps = _steps(tuple(sorted(scenario_files(app_settings(request).data_dir).items())))
    return render(
        request, "worklist.html", as_of=as_of, found=found, filters=filters, users=UserService(session).all(),
        segments=found.segments, risks=CLASSES, steps=[(s, stage_label(s, language)) for s in steps],
        unassigned=UNASSIGNED, views=saved_views.views(session, user.id), query=query,
        done=request.query_params.get("done"), lang=language, csrf=csrf,
        rows=rows_html(found.rows, shared),
    )  # fmt: skip


@router.post("/worklist/bulk", dependencies=[CsrfChecked])
def worklist_bulk(
    request: Request, session: SessionDep, user: Worker, action: Annotated[str, Form(max_length=16)],
    customer_ids: Ticked = [], assignee: Text = "", until: Text = "", as_of: Text = "", back: Text = "",  # noqa: B006
) -> Response:  # fmt: skip
    """Assign or pause every ticked customer here; their statements are mailed by a job, whose
    page (progress, failures per customer) the request answers with at once."""
    if not customer_ids:
        raise CaseworkError.because("no_customer_ticked", field="customer_ids")
    day = _business_day(as_of)
    if action == "statement":
        job = workspace_actions.queue_statements(session, customer_ids, day, actor=user.email)
        return RedirectResponse(f"/jobs/{job.job_id}", status_code=303)
    workspace_actions.bulk(
        session, action, customer_ids, actor=user.email, as_of=day, assignee=assignee or None,
        until=_form_day(until, "until") if until.strip() else None,
    )  # fmt: skip
    return _back(back or "/worklist", action)


@router.post("/worklist/views", dependencies=[CsrfChecked])
def save_view(
    session: SessionDep, user: UiUser, name: Annotated[str, Form(max_length=80)], query: Text = ""
) -> Response:
    saved_views.save_view(session, user.id, name, query)
    return RedirectResponse(f"/worklist?{query}", status_code=303)


@router.post("/worklist/views/{view_id}/delete", dependencies=[CsrfChecked])
def delete_view(session: SessionDep, user: UiUser, view_id: RowId) -> Response:
    saved_views.delete_view(session, user.id, view_id)
    return RedirectResponse("/worklist", status_code=303)


# tasks --------------------------------------------------------------------------------
@router.get("/tasks")
def tasks_page(
    request: Request, session: SessionDep, user: UiUser, as_of: AsOf,
    assignee: Annotated[str | None, Query(max_length=255)] = None, page: PageNo = 1,
) -> Response:  # fmt: skip
    """Tasks of a person (default: oneself; empty: nobody's), overdue, due today and later,
    a page at a time."""
    whose = user.email if assignee is None else assignee
    board = boards.task_queue(session, whose, page)
    found = [task for _, task in board.rows]
    names = {task.customer_id: name for name, task in board.rows}
    groups = {
        "late_tasks": [t for t in found if t.due_date < as_of],
        "due_today": [t for t in found if t.due_date == as_of],
        "ws_later": [t for t in found if t.due_date > as_of],
    }
    return render(
        request, "tasks.html", as_of=as_of, groups=groups, names=names, whose=whose, kinds=tasks.KINDS,
        users=UserService(session).all(), done=request.query_params.get("done"), board=board,
        query=urlencode({"assignee": whose, "as_of": as_of.isoformat()}),
    )  # fmt: skip


@router.post("/tasks", dependencies=[CsrfChecked])
def plan_task(
    session: SessionDep, user: Worker, customer_id: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(max_length=16)], due_date: Annotated[str, Form(max_length=10)],
    assignee: Text = "", title: Text = "", back: Text = "",
) -> Response:  # fmt: skip
    day = _form_day(due_date, "due_date")
    tasks.plan_task(session, customer_id.strip(), kind, day, actor=user.email, assignee=assignee, title=title)
    return _back(back or "/tasks", "task")


@router.post("/tasks/{task_id}/done", dependencies=[CsrfChecked])
def task_done(
    session: SessionDep, user: Worker, task_id: RowId, outcome: Text = "", back: Text = ""
) -> Response:
    tasks.close_task(session, task_id, user.email, outcome)
    return _back(back or "/tasks", "task")


# boards -------------------------------------------------------------------------------
@router.get("/disputes")
def disputes_board(
    request: Request, session: SessionDep, user: UiUser, filters: Cases, page: PageNo = 1
) -> Response:
    board = boards.dispute_board(session, filters, page)
    return render(
        request, "disputes.html", board=board, rows=board.rows, categories=disputes.CATEGORIES,
        users=UserService(session).all(), done=request.query_params.get("done"), filters=filters,
        statuses=[s.value for s in disputes.DisputeStatus], query=_board_query(filters),
    )  # fmt: skip


@router.post("/disputes/{dispute_id}/resolve", dependencies=[CsrfChecked])
def resolve_dispute(
    session: SessionDep, user: Worker, dispute_id: RowId, resolution: Text, note: Text = "",
    rejected: Annotated[bool, Form()] = False, back: Text = "",
) -> Response:  # fmt: skip
    workspace_actions.resolve(session, dispute_id, resolution, note, actor=user.email, rejected=rejected)
    return _back(back or "/disputes", "resolved")


@router.post("/disputes/{dispute_id}/assign", dependencies=[CsrfChecked])
def assign_dispute(
    session: SessionDep, user: Worker, dispute_id: RowId, owner: Text, back: Text = ""
) -> Response:
    disputes.assign_dispute(
        session, dispute_id, workspace_actions.a_user(session, owner, "owner"), actor=user.email
    )
    return _back(back or "/disputes", "saved")


@router.post("/disputes/{dispute_id}/category", dependencies=[CsrfChecked])
def categorise_dispute(
    session: SessionDep, user: Worker, dispute_id: RowId, category: Text, back: Text = ""
) -> Response:
    disputes.categorise_dispute(session, dispute_id, category, actor=user.email)
    return _back(back or "/disputes", "saved")


@router.get("/promises")
def promises_board(
    request: Request, session: SessionDep, user: UiUser, as_of: AsOf, filters: Cases, page: PageNo = 1
) -> Response:
    board = boards.promise_board(session, filters, page)
    return render(
        request, "promises.html", as_of=as_of, board=board, rows=board.rows, filters=filters,
        done=request.query_params.get("done"), statuses=[s.value for s in PromiseStatus],
        query=_board_query(filters, as_of=as_of.isoformat()),
    )  # fmt: skip


@router.post("/promises/{promise_id}/outcome", dependencies=[CsrfChecked])
def promise_outcome(
    session: SessionDep, user: Worker, promise_id: RowId, outcome: Annotated[str, Form(max_length=8)],
    as_of: Text = "", back: Text = "",
) -> Response:  # fmt: skip
    day = _business_day(as_of)
    promises.set_outcome(session, promise_id, outcome, actor=user.email, as_of=day)
    return _back(back or "/promises", "outcome")


@router.get("/plans")
def plans_board(
    request: Request, session: SessionDep, user: UiUser, as_of: AsOf, filters: Cases, page: PageNo = 1
) -> Response:
    board = boards.plan_board(session, as_of, filters, page)
    return render(
        request, "plans.html", as_of=as_of, board=board, rows=board.rows, filters=filters,
        done=request.query_params.get("done"), statuses=[s.value for s in PlanStatus],
        query=_board_query(filters, as_of=as_of.isoformat()),
    )  # fmt: skip


@router.get("/litigation")
def litigation_board(
    request: Request, session: SessionDep, user: UiUser, as_of: AsOf, page: PageNo = 1
) -> Response:
    board = boards.litigation_board(session, as_of, page)
    return render(
        request, "litigation.html", as_of=as_of, board=board, rows=board.rows,
        query=urlencode({"as_of": as_of.isoformat()}),
    )  # fmt: skip


# customer sheet forms -------------------------------------------------------------------
def _customer(session: SessionDep, customer_id: str) -> None:
    if find_customer(session, customer_id) is None:
        raise NotFound.because("no_customer", customer=customer_id)


@router.post("/customers/{customer_id}/promise", dependencies=[CsrfChecked])
def promise_on_invoices(
    session: SessionDep, user: Worker, customer_id: str, amount: Annotated[str, Form(max_length=32)],
    promised_date: Annotated[str, Form(max_length=10)], invoice_ids: Ticked = [],  # noqa: B006
    note: Text = "", as_of: Text = "", back: Text = "",
) -> Response:  # fmt: skip
    """A promise on the ticked invoices (none ticked: every open invoice); French amounts accepted."""
    _customer(session, customer_id)
    day = _business_day(as_of)
    promises.make_promise(
        session, customer_id, parse_amount(amount), _form_day(promised_date, "promised_date"),
        actor=user.email, invoices=invoice_ids, note=note.strip(), as_of=day,
    )  # fmt: skip
    return _back(back or f"/customers/{customer_id}", "promise")


@router.post("/customers/{customer_id}/plan", dependencies=[CsrfChecked])
def plan_on_invoices(
    session: SessionDep, user: Worker, customer_id: str, count: Annotated[int, Form(ge=1, le=60)],
    first_due: Annotated[str, Form(max_length=10)], invoice_ids: Ticked = [],  # noqa: B006
    as_of: Text = "", back: Text = "",
) -> Response:  # fmt: skip
    _customer(session, customer_id)
    day = _business_day(as_of)
    workspace_actions.plan_on_open_invoices(
        session,
        customer_id,
        invoice_ids,
        count,
        _form_day(first_due, "first_due"),
        actor=user.email,
        as_of=day,
    )
    return _back(back or f"/customers/{customer_id}", "plan")


# notifications ------------------------------------------------------------------------
@router.get("/notifications")
def notifications_page(request: Request, session: SessionDep, user: UiUser) -> Response:
    """The user's notifications, newest first; opening the list reads them."""
    found = notifications.latest(session, user.id)
    names = segments.names(session, [n.customer_id for n in found if n.customer_id])
    wants = notifications.wants_email(session, user.id)
    notifications.mark_read(session, user.id)
    return render(request, "notifications.html", items=found, names=names, wants_email=wants, unread=0)


@router.post("/notifications/preferences", dependencies=[CsrfChecked])
def notification_preferences(
    session: SessionDep, user: UiUser, email: Annotated[bool, Form()] = False
) -> Response:
    notifications.set_email(session, user.id, email)
    return RedirectResponse("/notifications?done=saved", status_code=303)
