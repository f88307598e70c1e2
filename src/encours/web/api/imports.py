"""Import over the API: files uploaded (multipart) and imported by a background job, the same
upload and job as the import screen (``web.ledger_jobs``); poll ``GET /api/v1/jobs/{job_id}``
for progress and the line errors of each file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile

from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import SessionDep, api_permission, app_settings
from encours.web.ledger_jobs import queue_import

router = APIRouter(tags=["import"])
Manager = Annotated[User, Depends(api_permission(Permission.MANAGE))]


@router.post("/imports", status_code=202)
async def upload(
    request: Request, session: SessionDep, user: Manager, files: Annotated[list[UploadFile], File()]
) -> dict[str, Any]:
    """Queue the import of the files (1 to 20, each all or nothing, in the pipeline's order)."""
    return (await queue_import(session, app_settings(request), files, user.email)).as_json()
