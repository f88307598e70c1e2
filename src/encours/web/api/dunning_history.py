"""What dunning sent, over the API: the history of deliveries, the e-mail an action went out in,
the letter it produced, and a letter of a customer's next message (the screens' own functions)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from encours.web import dunning_documents, dunning_runs
from encours.web.deps import ApiUser, RowId, SessionDep, app_settings, as_of_param

router = APIRouter(tags=["dunning"])
AsOf = Annotated[dt.date, Depends(as_of_param)]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The letter (PDF)"}
}


class SentEmailOut(BaseModel):
    action_id: int
    headers: dict[str, str]
    body: str
    attachments: list[str]


@router.get("/dunning/history")
def sent_history(
    session: SessionDep, user: ApiUser, customer_id: Annotated[str | None, Query(max_length=64)] = None
) -> list[dict[str, Any]]:
    """Actions sent or produced, latest first (the latest 300), as a run's actions show them."""
    return [dunning_runs.action_json(a) for a in dunning_documents.history(session, customer_id)]


@router.get("/dunning/actions/{action_id}/email", response_model=SentEmailOut)
def sent_email(request: Request, session: SessionDep, user: ApiUser, action_id: RowId) -> SentEmailOut:
    """The e-mail the action went out in: its headers, plain-text body and attachment names."""
    found = dunning_documents.action(session, action_id)
    sent = dunning_documents.sent_email(app_settings(request).data_dir, found)
    return SentEmailOut(action_id=action_id, **sent._asdict())


@router.get("/dunning/actions/{action_id}/document", response_class=Response, responses=PDF)
def sent_letter(request: Request, session: SessionDep, user: ApiUser, action_id: RowId) -> Response:
    found = dunning_documents.action(session, action_id)
    path = dunning_documents.sent_letter(app_settings(request).data_dir, found)
    return dunning_documents.pdf(path.read_bytes(), path.name)


@router.get("/dunning/preview/{customer_id}/letters/{name}", response_class=Response, responses=PDF)
def preview_letter(request: Request, user: ApiUser, customer_id: str, name: str, as_of: AsOf) -> Response:
    """A letter the next run at ``as_of`` would produce for the customer."""
    return dunning_documents.pdf(dunning_documents.next_letter(request, as_of, customer_id, name), name)
