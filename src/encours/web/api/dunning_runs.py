"""``POST /api/v1/dunning/runs`` (202 with a job, SPEC §12), ``GET /api/v1/dunning/runs/{id}``
(the job and its run's actions), per-customer pauses and the preview of a customer's message."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from encours.users.roles import Permission
from encours.users.service import User
from encours.web import dunning_documents, dunning_runs
from encours.web.deps import ApiUser, IsoDay, SessionDep, api_permission, as_of_param

router = APIRouter(tags=["dunning"])
Manager = Annotated[User, Depends(api_permission(Permission.MANAGE))]
Worker = Annotated[User, Depends(api_permission(Permission.WORK))]
AsOf = Annotated[dt.date, Depends(as_of_param)]


class RunIn(BaseModel):
    as_of: IsoDay
    dry_run: bool = False


class PauseIn(BaseModel):
    until: IsoDay


@router.post("/dunning/runs", status_code=202)
def start_run(session: SessionDep, user: Manager, body: RunIn) -> dict[str, Any]:
    """Queue a dunning run; poll ``GET /api/v1/dunning/runs/{job_id}`` for progress and actions."""
    return dunning_runs.start_run(session, body.as_of, body.dry_run, user.email).as_json()


@router.get("/dunning/runs/{job_id}")
def get_run(session: SessionDep, user: ApiUser, job_id: int) -> dict[str, Any]:
    return dunning_runs.run_json(session, job_id)


@router.get("/dunning/preview/{customer_id}")
def preview_customer(request: Request, user: ApiUser, customer_id: str, as_of: AsOf) -> dict[str, Any]:
    """The e-mail a run at ``as_of`` would send the customer; each letter's PDF is at
    ``/dunning/preview/{customer_id}/letters/{name}``."""
    found = dunning_documents.next_message(request, as_of, customer_id)
    return {"customer_id": found.customer_id, "as_of": as_of.isoformat(), "to": found.recipients,
            "subject": found.subject, "body": found.body, "steps": list(found.steps),
            "letters": [letter.name for letter in found.letters],
            "undeliverable": [{"step": s, "reason": r} for s, r in found.undeliverable]}  # fmt: skip


@router.post("/customers/{customer_id}/dunning-pause", status_code=201)
def pause(session: SessionDep, user: Worker, customer_id: str, body: PauseIn, as_of: AsOf) -> dict[str, Any]:
    """Pause reminders to the customer until ``until`` included."""
    dunning_runs.pause(session, customer_id, body.until, as_of, user.email)
    return {"customer_id": customer_id, "paused_until": body.until.isoformat()}


@router.delete("/customers/{customer_id}/dunning-pause", status_code=204)
def resume(session: SessionDep, user: Worker, customer_id: str) -> None:
    dunning_runs.resume(session, customer_id, user.email)
