"""Jobs on the web: the jobs page (/jobs), /metrics and /health (the API: web/api/jobs.py).

Reads go through ``encours.jobs.service``; a retry or a cancel needs the manage permission.
``/metrics`` is Prometheus' text format (queue depth per kind and status, job durations,
failures), for a scraper with ``ENCOURS_METRICS_TOKEN`` as its bearer token (compared in
constant time) or a signed-in admin; anyone else gets 401. ``/health`` stays open for a load
balancer: whether the database answers and how old the oldest queued job is, no business
figure, no job's parameters, no database error text.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from encours.jobs import metrics, schedule, service
from encours.jobs.views import STATUSES
from encours.storage.base import utcnow
from encours.users.roles import Permission, Role
from encours.users.service import User
from encours.web.deps import CsrfChecked, SessionDep, UiUser, app_settings, optional_user, ui_permission
from encours.web.ui.refusals import said_in
from encours.web.ui.render import language_of, render
from encours.web.ui.texts import TEXTS  # every area's, so a kind named in another module is shown too

log = logging.getLogger(__name__)
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
    problem = schedule.problem(app_settings(request).data_dir)  # else a wrong file is found at 07:00
    return render(request, "jobs.html", jobs=jobs, statuses=STATUSES, kind=kind or "", status=status or "",
                  kind_texts=KIND_TEXTS, refresh=REFRESH_SECONDS if active else None,
                  schedule_problem=said_in(problem, language_of(request)) if problem else "")  # fmt: skip


@ui.post("/jobs/{job_id}/retry", dependencies=[CsrfChecked])
def jobs_retry(session: SessionDep, user: UiManager, job_id: int) -> Response:
    service.retry(session, job_id, requested_by=user.email)
    return RedirectResponse("/jobs", status_code=303)


@ui.post("/jobs/{job_id}/cancel", dependencies=[CsrfChecked])
def jobs_cancel(session: SessionDep, user: UiManager, job_id: int) -> Response:
    service.cancel(session, job_id)
    return RedirectResponse("/jobs", status_code=303)


def may_scrape(request: Request, session: Session) -> bool:
    """The scraper's bearer token is ``ENCOURS_METRICS_TOKEN``, or the caller is a signed-in admin."""
    expected = app_settings(request).metrics_token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if (
        expected
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), expected.encode())
    ):
        return True
    user = optional_user(request, session)
    return user is not None and user.role == Role.ADMIN


@ops.get("/metrics")
def prometheus_metrics(request: Request, session: SessionDep) -> Response:
    if not may_scrape(request, session):
        challenge = {"WWW-Authenticate": 'Bearer realm="metrics"'}
        said = "401 not authorised: send the metrics token as a bearer token\n"
        return Response(said, status_code=401, media_type="text/plain", headers=challenge)
    body, content_type = metrics.render(session)
    return Response(body, media_type=content_type)


@ops.get("/health")
def health(session: SessionDep) -> JSONResponse:
    """200 when the database answers, with the age of the oldest queued job; 503 otherwise."""
    try:
        session.execute(text("SELECT 1"))
        oldest = metrics.oldest_queued(session)
        workers = metrics.live_workers(session)
    except Exception:  # a health check reports, it does not raise (nor tell the database's address)
        log.exception("health check: the database does not answer")
        return JSONResponse({"status": "unavailable", "database": "unavailable"}, status_code=503)
    age = None if oldest is None else round((utcnow() - oldest).total_seconds(), 1)
    return JSONResponse({"status": "ok", "database": "ok",
                         "queue": {"oldest_queued_seconds": age, "workers": workers}})  # fmt: skip
