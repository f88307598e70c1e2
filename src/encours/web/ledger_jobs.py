"""Ledger work the screens and the API queue as jobs (SPEC §12): files uploaded for import, and
a cash-application run. One function each, so both edges queue exactly the same job.

The upload's size is bounded twice by the settings: admission control refuses a multipart
body beyond ENCOURS_WEB_MAX_UPLOAD_BYTES before it is read, and the files are counted again
here. They wait in the data directory until the import job (``ledger.jobs``, kind
``import_file``: each file all or nothing, line errors kept) has read them, then it removes them.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy.orm import Session

from encours.domain.errors import InvalidInput
from encours.jobs import service as jobs
from encours.jobs.views import JobView
from encours.settings import Settings
from encours.storage.base import business_today

UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_FILES = 20
CHUNK = 1024 * 1024
UPLOADS = "imports"  # under the data directory, removed by the job
IMPORT_KIND = "import_file"
CASH_KIND = "cash_application"


async def queue_import(
    session: Session, settings: Settings, files: list[UploadFile], requested_by: str
) -> JobView:
    """Keep the uploaded files under the data directory and queue the job that imports them."""
    chosen = [f for f in files if f.filename]
    if not chosen or len(chosen) > MAX_FILES:
        raise InvalidInput(f"choose between 1 and {MAX_FILES} files", field="files")
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
                    raise InvalidInput("the files are larger than the upload limit", field="files")
                out.write(chunk)
    params = {"paths": paths, "names": names, "remove_files": True}
    return jobs.enqueue(session, IMPORT_KIND, params, requested_by=requested_by)


def queue_cash_application(session: Session, requested_by: str) -> JobView:
    """Match every unmatched credit dated by today, in a job rather than inside the request."""
    params = {"as_of": business_today().isoformat(), "actor": requested_by}
    return jobs.enqueue(session, CASH_KIND, params, requested_by=requested_by)
