"""Import from the browser: files uploaded, imported by a background job, its progress and errors.

The upload's size is bounded twice by the settings: admission control refuses a multipart
body beyond ENCOURS_WEB_MAX_UPLOAD_BYTES before it is read, and the files are counted again
here. They are kept in the database beside the job (``encours.jobs.files``), so a worker on
another host reads them, until the import job (``importing.jobs``, kind ``import_file``: ledger
files, bank statements, lifecycle statuses, each all or nothing, line errors kept) finishes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from encours.domain.errors import InvalidInput, NotFound
from encours.jobs import files as job_files
from encours.jobs import service as jobs
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, RowId, SessionDep, app_settings, ui_permission
from encours.web.ui.line_messages import line_message
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
MAX_FILES = 20
CHUNK = 1024 * 1024
KIND = "import_file"


@router.get("/admin/import")
def import_page(request: Request, session: SessionDep, user: Manager) -> Response:
    return render(
        request, "admin_import.html", recent=jobs.list_jobs(session, kind=KIND, limit=10), error=None
    )


@router.post("/admin/import", dependencies=[CsrfChecked])
async def upload(
    request: Request, session: SessionDep, user: Manager, files: Annotated[list[UploadFile], File()]
) -> Response:
    chosen = [f for f in files if f.filename]
    if not chosen or len(chosen) > MAX_FILES:
        raise InvalidInput(f"choose between 1 and {MAX_FILES} files", field="files")
    limit = app_settings(request).web_max_upload_bytes
    kept: list[job_files.JobFile] = []
    total = 0
    for upload_file in chosen:
        shown = (upload_file.filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
        chunks: list[bytes] = []
        while chunk := await upload_file.read(CHUNK):
            total += len(chunk)
            if total > limit:
                raise InvalidInput("the files are larger than the upload limit", field="files")
            chunks.append(chunk)
        kept.append(job_files.JobFile(shown, b"".join(chunks)))
    job = jobs.enqueue(session, KIND, {"names": [f.name for f in kept]}, requested_by=user.email)
    job_files.attach(session, job.job_id, kept, limit=limit)
    return RedirectResponse(f"/admin/import/jobs/{job.job_id}", status_code=303)


@router.get("/admin/import/jobs/{job_id}")
def import_job_page(request: Request, session: SessionDep, user: Manager, job_id: RowId) -> Response:
    job = jobs.get(session, job_id)
    if job.kind != KIND:
        raise NotFound(f"no import job {job_id}")
    lang = language_of(request)
    files = (job.result or {}).get("files", [])
    imported = [f for f in files if f.get("status") == "imported"]
    return render(
        request, "admin_import_job.html", job=job,
        imported=[f for f in imported if f.get("kind", "ledger") == "ledger"],
        statements=[f for f in imported if f.get("kind") == "bank"],
        statuses=[f for f in imported if f.get("kind") == "lifecycle"],
        rejected=[f for f in files if f.get("status") == "rejected"],
        said=lambda message: line_message(message, lang),
    )  # fmt: skip
