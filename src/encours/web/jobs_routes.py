"""Jobs on the web: the jobs page (/jobs), /metrics and /health (the API: web/api/jobs.py).

Reads go through ``encours.jobs.service``; a retry or a cancel needs the manage permission.
``/metrics`` is Prometheus' text format (queue depth per kind and status, job durations,
failures) and ``/health`` says whether the database answers and how the queue stands, for a
load balancer or a monitor; neither shows a job's parameters or results.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from encours.jobs import metrics, service
from encours.jobs.views import STATUSES
from encours.storage.base import utcnow
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, SessionDep, UiUser, ui_permission
from encours.web.ui.render import render
from encours.web.ui.texts.jobs import TEXTS

ui = APIRouter(include_in_schema=False)
ops = APIRouter(include_in_schema=False)
UiManager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
Kind = Annotated[str | None, Query(max_length=64)]
Status = Annotated[str | None, Query(max_length=16)]
REFRESH_SECONDS = 3  # the page reloads itself while a job is queued or running
KIND_TEXTS = frozenset(key for key in TEXTS if key.startswith("job_kind_"))


@ui.get("/jobs")
def jobs_page(
    request: Request, session: SessionDep, user: UiUser, kind: Kind = None, status: Status = None
) -> Response:
    jobs = service.list_jobs(session, kind=kind, status=status if status in STATUSES else None, limit=200)
    active = any(not j.finished for j in jobs)
    return render(request, "jobs.html", jobs=jobs, statuses=STATUSES, kind=kind or "", status=status or "",
                  kind_texts=KIND_TEXTS, refresh=REFRESH_SECONDS if active else None)  # fmt: skip


@ui.post("/jobs/{job_id}/retry", dependencies=[CsrfChecked])
def jobs_retry(session: SessionDep, user: UiManager, job_id: int) -> Response:
    service.retry(session, job_id, requested_by=user.email)
    return RedirectResponse("/jobs", status_code=303)


@ui.post("/jobs/{job_id}/cancel", dependencies=[CsrfChecked])
def jobs_cancel(session: SessionDep, user: UiManager, job_id: int) -> Response:
    service.cancel(session, job_id)
    return RedirectResponse("/jobs", status_code=303)


@ops.get("/metrics")
def prometheus_metrics(session: SessionDep) -> Response:
    body, content_type = metrics.render(session)
    return Response(body, media_type=content_type)


@ops.get("/health")
def health(session: SessionDep) -> JSONResponse:
    """200 when the database answers, with the queue; 503 otherwise."""
    try:
        session.execute(text("SELECT 1"))
        depth = service.queue_depth(session)
        oldest = metrics.oldest_queued(session)
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, status_code=503)
    counts: dict[str, int] = {}
    for (_kind, status), n in depth.items():
        counts[status] = counts.get(status, 0) + n
    age = None if oldest is None else round((utcnow() - oldest).total_seconds(), 1)
    return JSONResponse({"status": "ok", "database": "ok",
                         "queue": {"by_status": counts, "oldest_queued_seconds": age,
                                   "workers": metrics.live_workers(session)}})  # fmt: skip
