"""One job's page (/jobs/{id}): its progress while it runs, then what it did; a statements job
lists the customers whose statement could not be sent, and why, in the page's language.

The page reloads itself until the job has finished; the jobs list links here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from encours.domain.refusals import sentence
from encours.jobs import files as job_files
from encours.jobs import service as jobs
from encours.jobs.views import JobView
from encours.web.deps import RowId, SessionDep, UiUser
from encours.web.jobs_routes import KIND_TEXTS, REFRESH_SECONDS
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
BACK = {"statements": "/worklist", "import_file": "/admin/import"}  # else the jobs list


def files_gone(request: Request, job: JobView) -> str:
    """Why a finished job offers no retry (the refusal a retry would get), in the page's language."""
    if not job.files_gone:
        return ""
    values = {"job": job.job_id, "days": job_files.KEPT_DAYS}
    said = sentence("job_files_gone", values, language_of(request))
    return said[:1].upper() + said[1:]


@router.get("/jobs/{job_id}")
def job_page(request: Request, session: SessionDep, user: UiUser, job_id: RowId) -> Response:
    job = jobs.get(session, job_id)
    result = job.result if isinstance(job.result, dict) else {}
    return render(
        request, "job.html", job=job, result=result, kind_texts=KIND_TEXTS, back=BACK.get(job.kind, "/jobs"),
        refresh=None if job.finished else REFRESH_SECONDS, files_gone=files_gone(request, job),
    )  # fmt: skip
