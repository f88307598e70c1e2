"""Import from the browser: files uploaded, imported by a background job, its progress and errors.

The upload's size is bounded twice by the settings: admission control refuses a multipart
body beyond ENCOURS_WEB_MAX_UPLOAD_BYTES before it is read, and the files are counted again
here. They wait in the data directory until the import job (``ledger.jobs``, kind
``import_file``: each file all or nothing, line errors kept) has read them, then it removes them.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from encours.domain.errors import InvalidInput, NotFound
from encours.jobs import service as jobs
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, RowId, SessionDep, app_settings, ui_permission
from encours.web.ui.line_messages import line_message
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_FILES = 20
CHUNK = 1024 * 1024
UPLOADS = "imports"  # under the data directory, removed by the job
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
        raise InvalidInput.because("upload_count", field="files", count=MAX_FILES)
    settings = app_settings(request)
    folder = settings.data_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    batch = uuid.uuid4().hex
    paths: list[str] = []
    names: list[str] = []
    total = 0
    for index, upload_file in enumerate(chosen):
        shown = (upload_file.filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
        path = folder / f"{batch}-{index:02d}-{UNSAFE.sub('_', shown)}"
        paths.append(str(path))
        names.append(shown)
        with path.open("wb") as out:
            while chunk := await upload_file.read(CHUNK):
                total += len(chunk)
                if total > settings.web_max_upload_bytes:
                    out.close()
                    for written in paths:
                        Path(written).unlink(missing_ok=True)
                    raise InvalidInput.because("upload_too_large", field="files")
                out.write(chunk)
    params = {"paths": paths, "names": names, "remove_files": True}
    job = jobs.enqueue(session, KIND, params, requested_by=user.email)
    return RedirectResponse(f"/admin/import/jobs/{job.job_id}", status_code=303)


@router.get("/admin/import/jobs/{job_id}")
def import_job_page(request: Request, session: SessionDep, user: Manager, job_id: RowId) -> Response:
    job = jobs.get(session, job_id)
    if job.kind != KIND:
        raise NotFound.because("no_import_job", job=job_id)
    lang = language_of(request)
    files = (job.result or {}).get("files", [])
    return render(
        request, "admin_import_job.html", job=job,
        imported=[f for f in files if f.get("status") == "imported"],
        rejected=[f for f in files if f.get("status") == "rejected"],
        said=lambda message: line_message(message, lang),
    )  # fmt: skip
