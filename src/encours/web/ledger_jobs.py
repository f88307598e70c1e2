"""Ledger work the screens and the API queue as jobs (SPEC §12): files uploaded for import, and
a cash-application run. One function each, so both edges queue exactly the same job.

The upload's size is bounded twice by the settings: admission control refuses a multipart
body beyond ENCOURS_WEB_MAX_UPLOAD_BYTES before it is read, and the files are counted again
here. They are kept in the database beside the job (``encours.jobs.files``), so a worker on
another host reads them, until the import job (``importing.jobs``, kind ``import_file``: ledger
files, bank statements, lifecycle statuses, each all or nothing, line errors kept) finishes.
"""

from __future__ import annotations

from fastapi import UploadFile
from sqlalchemy.orm import Session

from encours.domain.errors import InvalidInput
from encours.jobs import files as job_files
from encours.jobs import service as jobs
from encours.jobs.views import JobView
from encours.settings import Settings
from encours.storage.base import business_today

MAX_FILES = 20
CHUNK = 1024 * 1024
IMPORT_KIND = "import_file"
CASH_KIND = "cash_application"


async def queue_import(
    session: Session, settings: Settings, files: list[UploadFile], requested_by: str
) -> JobView:
    """Keep the uploaded files in the database beside the job that imports them."""
    chosen = [f for f in files if f.filename]
    if not chosen or len(chosen) > MAX_FILES:
        raise InvalidInput.because("upload_count", field="files", count=MAX_FILES)
    limit = settings.web_max_upload_bytes
    kept: list[job_files.JobFile] = []
    total = 0
    for upload_file in chosen:
        shown = (upload_file.filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
        chunks: list[bytes] = []
        while chunk := await upload_file.read(CHUNK):
            total += len(chunk)
            if total > limit:
                raise InvalidInput.because("upload_too_large", field="files")
            chunks.append(chunk)
        kept.append(job_files.JobFile(shown, b"".join(chunks)))
    job = jobs.enqueue(session, IMPORT_KIND, {"names": [f.name for f in kept]}, requested_by=requested_by)
    job_files.attach(session, job.job_id, kept, limit=limit)
    return job


def queue_cash_application(session: Session, requested_by: str) -> JobView:
    """Match every unmatched credit dated by today, in a job rather than inside the request."""
    params = {"as_of": business_today().isoformat(), "actor": requested_by}
    return jobs.enqueue(session, CASH_KIND, params, requested_by=requested_by)
