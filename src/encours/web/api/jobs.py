"""Jobs in the API: list, one job, retry and cancel (SPEC §12's JSON, with progress)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from encours.jobs import service
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import ApiUser, SessionDep, api_permission

router = APIRouter(prefix="/jobs", tags=["jobs"])
ApiManager = Annotated[User, Depends(api_permission(Permission.MANAGE))]
Kind = Annotated[str | None, Query(max_length=64)]
Status = Annotated[str | None, Query(max_length=16)]
Limit = Annotated[int, Query(ge=1, le=service.MAX_LIST)]


@router.get("")
def list_jobs(
    session: SessionDep, user: ApiUser, kind: Kind = None, status: Status = None, limit: Limit = 100
) -> list[dict[str, Any]]:
    """The latest jobs first (SPEC §12 keys, then progress and result)."""
    return [j.as_json() for j in service.list_jobs(session, kind=kind, status=status, limit=limit)]


@router.get("/{job_id}")
def get_job(session: SessionDep, user: ApiUser, job_id: int) -> dict[str, Any]:
    """One job: status, attempts, progress, result and error."""
    return service.get(session, job_id).as_json()


@router.post("/{job_id}/retry")
def retry_job(session: SessionDep, user: ApiManager, job_id: int) -> dict[str, Any]:
    """Queue a failed or cancelled job again (409 otherwise)."""
    return service.retry(session, job_id, requested_by=user.email).as_json()


@router.post("/{job_id}/cancel")
def cancel_job(session: SessionDep, user: ApiManager, job_id: int) -> dict[str, Any]:
    """Cancel a queued job; a running one stops at its next progress report (409 when finished)."""
    return service.cancel(session, job_id).as_json()
