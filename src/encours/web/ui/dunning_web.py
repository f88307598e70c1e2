"""Dunning in the browser: a customer's next message rendered as it would go (e-mail and letter
PDFs, by the outbox's own composer), approve-and-run as a background job with its progress,
the history of what was sent with its documents, and per-customer pauses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from encours.domain.errors import NotFound
from encours.jobs.registry import job_day
from encours.ledger.queries import find_customer
from encours.users.roles import Permission
from encours.users.service import User
from encours.web import dunning_documents, dunning_runs
from encours.web.deps import CsrfChecked, IsoDay, SessionDep, UiUser, app_settings, as_of_param, ui_permission
from encours.web.ui.render import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
Worker = Annotated[User, Depends(ui_permission(Permission.WORK))]
AsOf = Annotated[dt.date, Depends(as_of_param)]


@router.get("/dunning/customers/{customer_id}/preview")
def customer_preview(
    request: Request, session: SessionDep, user: UiUser, customer_id: str, as_of: AsOf
) -> Response:
    if find_customer(session, customer_id) is None:
        raise NotFound.because("no_customer", customer=customer_id)
    found = dunning_documents.next_message(request, as_of, customer_id)
    return render(
        request, "dunning_customer.html", as_of=as_of, cid=customer_id, message=found,
        paused=dunning_runs.paused_until(session, customer_id, as_of),
    )  # fmt: skip


@router.get("/dunning/customers/{customer_id}/preview/letters/{name}")
def customer_preview_letter(
    request: Request, user: UiUser, customer_id: str, name: str, as_of: AsOf
) -> Response:
    """A letter of the preview, produced again exactly as the run would (same composer)."""
    return dunning_documents.pdf(dunning_documents.next_letter(request, as_of, customer_id, name), name)


@router.post("/dunning/runs", dependencies=[CsrfChecked])
def approve_and_run(
    session: SessionDep, user: Manager, as_of: Annotated[IsoDay, Form()],
    dry_run: Annotated[bool, Form()] = False,
) -> Response:  # fmt: skip
    job = dunning_runs.start_run(session, as_of, dry_run, user.email)
    return RedirectResponse(f"/dunning/runs/{job.job_id}", status_code=303)


@router.get("/dunning/runs/{job_id}")
def run_page(request: Request, session: SessionDep, user: UiUser, job_id: int) -> Response:
    found = dunning_runs.run_job_view(session, job_id)
    as_of = job_day(found.job.params)  # a scheduled run has no as_of: the day it ran for
    return render(request, "dunning_job.html", run=found, job=found.job, actions=found.actions, as_of=as_of)


@router.get("/dunning/history")
def history_page(
    request: Request, session: SessionDep, user: UiUser, customer: str | None = None
) -> Response:
    rows = dunning_documents.history(session, customer)
    return render(request, "dunning_history.html", rows=rows, customer=customer)


@router.get("/dunning/actions/{action_id}/email")
def sent_email_page(request: Request, session: SessionDep, user: UiUser, action_id: int) -> Response:
    action = dunning_documents.action(session, action_id)
    sent = dunning_documents.sent_email(app_settings(request).data_dir, action)
    return render(
        request, "dunning_email.html", action=action, headers=sent.headers, body=sent.body,
        attachments=sent.attachments,
    )  # fmt: skip


@router.get("/dunning/actions/{action_id}/document")
def sent_document(request: Request, session: SessionDep, user: UiUser, action_id: int) -> Response:
    """The letter an action produced, from the data directory (never a path outside it)."""
    action = dunning_documents.action(session, action_id)
    path = dunning_documents.sent_letter(app_settings(request).data_dir, action)
    return dunning_documents.pdf(path.read_bytes(), path.name)


def _back(customer_id: str, target: str) -> str:
    allowed = (f"/customers/{customer_id}", f"/dunning/customers/{customer_id}/preview", "/dunning")
    return target if target.split("?")[0] in allowed else f"/customers/{customer_id}"


@router.post("/customers/{customer_id}/dunning-pause", dependencies=[CsrfChecked])
def pause_customer(
    session: SessionDep, user: Worker, customer_id: str, as_of: AsOf,
    until: Annotated[IsoDay, Form()], back: Annotated[str, Form(max_length=300)] = "",
) -> Response:  # fmt: skip
    dunning_runs.pause(session, customer_id, until, as_of, user.email)
    return RedirectResponse(_back(customer_id, back), status_code=303)


@router.post("/customers/{customer_id}/dunning-resume", dependencies=[CsrfChecked])
def resume_customer(
    session: SessionDep, user: Worker, customer_id: str, back: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    dunning_runs.resume(session, customer_id, user.email)
    return RedirectResponse(_back(customer_id, back), status_code=303)
