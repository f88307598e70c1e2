"""Import from the browser: files uploaded, imported by a background job, its progress and errors
(the upload and its job: ``web.ledger_jobs``, shared with the API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from encours.domain.errors import NotFound
from encours.jobs import service as jobs
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, RowId, SessionDep, app_settings, ui_permission
from encours.web.ledger_jobs import IMPORT_KIND, queue_import
from encours.web.ui.job_page import files_gone
from encours.web.ui.line_messages import line_message
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]


@router.get("/admin/import")
def import_page(request: Request, session: SessionDep, user: Manager) -> Response:
    return render(
        request, "admin_import.html", recent=jobs.list_jobs(session, kind=IMPORT_KIND, limit=10), error=None
    )


@router.post("/admin/import", dependencies=[CsrfChecked])
async def upload(
    request: Request, session: SessionDep, user: Manager, files: Annotated[list[UploadFile], File()]
) -> Response:
    job = await queue_import(session, app_settings(request), files, user.email)
    return RedirectResponse(f"/admin/import/jobs/{job.job_id}", status_code=303)


@router.get("/admin/import/jobs/{job_id}")
def import_job_page(request: Request, session: SessionDep, user: Manager, job_id: RowId) -> Response:
    job = jobs.get(session, job_id)
    if job.kind != IMPORT_KIND:
        raise NotFound.because("no_import_job", job=job_id)
    lang = language_of(request)
    files = (job.result or {}).get("files", [])
    imported = [f for f in files if f.get("status") == "imported"]
    return render(
        request, "admin_import_job.html", job=job,
        imported=[f for f in imported if f.get("kind", "ledger") == "ledger"],
        statements=[f for f in imported if f.get("kind") == "bank"],
        statuses=[f for f in imported if f.get("kind") == "lifecycle"],
        rejected=[f for f in files if f.get("status") == "rejected"],
        said=lambda message: line_message(message, lang), files_gone=files_gone(request, job),
    )  # fmt: skip
