"""Dunning in the browser: a customer's next message rendered as it would go (e-mail and letter
PDFs, by the outbox's own composer), approve-and-run as a background job with its progress,
the history of what was sent with its documents, and per-customer pauses."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from encours.domain.errors import NotFound
from encours.dunning import service as dunning
from encours.dunning.rendered import RenderedMessage, render_customer
from encours.jobs.registry import job_day
from encours.ledger.queries import find_customer
from encours.users.roles import Permission
from encours.users.service import User
from encours.web import dunning_runs
from encours.web.deps import CsrfChecked, IsoDay, SessionDep, UiUser, app_settings, as_of_param, ui_permission
from encours.web.ui.render import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
Worker = Annotated[User, Depends(ui_permission(Permission.WORK))]
AsOf = Annotated[dt.date, Depends(as_of_param)]
HISTORY = 300  # latest deliveries shown


def _rendered(request: Request, as_of: dt.date, customer_id: str) -> RenderedMessage:
    config = dunning.load_config(app_settings(request))
    return render_customer(request.app.state.engine, config, as_of, customer_id)


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@router.get("/dunning/customers/{customer_id}/preview")
def customer_preview(
    request: Request, session: SessionDep, user: UiUser, customer_id: str, as_of: AsOf
) -> Response:
    if find_customer(session, customer_id) is None:
        raise NotFound(f"no customer {customer_id}")
    found = _rendered(request, as_of, customer_id)
    return render(
        request, "dunning_customer.html", as_of=as_of, cid=customer_id, message=found,
        paused=dunning_runs.paused_until(session, customer_id, as_of),
    )  # fmt: skip


@router.get("/dunning/customers/{customer_id}/preview/letters/{name}")
def customer_preview_letter(
    request: Request, user: UiUser, customer_id: str, name: str, as_of: AsOf
) -> Response:
    """A letter of the preview, produced again exactly as the run would (same composer)."""
    for letter in _rendered(request, as_of, customer_id).letters:
        if letter.name == name:
            return _pdf(letter.pdf, name)
    raise NotFound(f"no letter {name} in the next message to {customer_id}")


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
    rows = [a for a in dunning.list_actions(session, customer) if a.status in ("sent", "produced")]
    rows.sort(key=lambda a: a.id, reverse=True)
    return render(request, "dunning_history.html", rows=rows[:HISTORY], customer=customer)


def _action(session: SessionDep, action_id: int) -> dunning.DunningAction:
    found = dunning.get_action(session, action_id)
    if found is None:
        raise NotFound(f"no dunning action {action_id}")
    return found


@router.get("/dunning/actions/{action_id}/email")
def sent_email_page(request: Request, session: SessionDep, user: UiUser, action_id: int) -> Response:
    action = _action(session, action_id)
    raw = dunning.sent_email(app_settings(request).data_dir, action)
    if raw is None:
        raise NotFound(f"no e-mail kept for action {action_id}")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    attachments = [p.get_filename() or "" for p in message.iter_attachments()]
    headers = {name: str(message[name] or "") for name in ("From", "To", "Subject", "Date", "Message-ID")}
    return render(
        request, "dunning_email.html", action=action, headers=headers,
        body=part.get_content() if part is not None else "", attachments=attachments,
    )  # fmt: skip


@router.get("/dunning/actions/{action_id}/document")
def sent_document(request: Request, session: SessionDep, user: UiUser, action_id: int) -> Response:
    """The letter an action produced, from the data directory (never a path outside it)."""
    action = _action(session, action_id)
    root = app_settings(request).data_dir.resolve()
    path = Path(action.document or "").resolve()
    if path.suffix != ".pdf" or not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"no letter kept for action {action_id}")
    return _pdf(path.read_bytes(), path.name)


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
