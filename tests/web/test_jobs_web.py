"""Jobs on the web: the API, the jobs page with progress, /metrics and /health."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from tests.web.conftest import browser_login, csrf_of

from encours.jobs import service
from encours.jobs.registry import JobContext, job_kind
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import create_app


@job_kind("test_web_job")
def half_done(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Reports progress, then fails or succeeds as asked (a test kind)."""
    context.progress(1, 2, "half way")
    if params.get("fail"):
        raise RuntimeError("broken on purpose")
    return {"ok": True}


def _finished(client: TestClient, headers: dict[str, str], job_id: int) -> dict[str, Any]:
    for _ in range(200):
        found = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if found["status"] in ("done", "failed", "cancelled"):
            return dict(found)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_the_api_lists_and_shows_jobs_and_a_manager_retries_one(
    app_client: TestClient, tokens: dict[str, dict[str, str]], web_url: str
) -> None:
    with unit_of_work(get_engine(web_url)) as session:
        job = service.enqueue(session, "test_web_job", {"fail": True}, requested_by="test")
    reader = tokens["sales"]
    failed = _finished(app_client, reader, job.job_id)
    assert (failed["status"], failed["error"], failed["attempts"]) == (
        "failed",
        "RuntimeError: broken on purpose",
        1,
    )
    assert list(failed)[:8] == ["job_id", "kind", "status", "attempts", "queued_at", "started_at",
                                "finished_at", "error"]  # fmt: skip
    listed = app_client.get("/api/v1/jobs", params={"kind": "test_web_job"}, headers=reader).json()
    assert [j["job_id"] for j in listed] == [job.job_id]
    assert app_client.post(f"/api/v1/jobs/{job.job_id}/retry", headers=reader).status_code == 403
    again = app_client.post(f"/api/v1/jobs/{job.job_id}/retry", headers=tokens["credit_manager"])
    assert again.status_code == 200 and again.json()["status"] == "queued"
    assert _finished(app_client, reader, job.job_id)["attempts"] == 2
    assert app_client.get("/api/v1/jobs/999999", headers=reader).status_code == 404
    assert app_client.get("/api/v1/jobs").status_code == 401


def test_the_jobs_page_shows_status_and_progress_and_refreshes_while_one_runs(
    ui_client: TestClient, web_url: str
) -> None:
    csrf = browser_login(ui_client, "credit_manager")
    with unit_of_work(get_engine(web_url)) as session:
        job = service.enqueue(session, "test_web_job", {}, requested_by="test")
    for _ in range(200):
        page = ui_client.get("/jobs")
        if f'data-job="{job.job_id}" data-status="done"' in page.text:
            break
        time.sleep(0.05)
    assert f'data-job="{job.job_id}" data-status="done"' in page.text
    assert '<progress max="100" value="100">' in page.text
    assert "Tâches de fond" in page.text and "terminée" in page.text
    with unit_of_work(get_engine(web_url)) as session:
        service.cancel(session, service.enqueue(session, "test_web_job", {}).job_id)  # never runs
    assert csrf_of(ui_client.get("/jobs").text) == csrf


def test_metrics_and_health_report_the_queue(app_client: TestClient, web_url: str) -> None:
    with unit_of_work(get_engine(web_url)) as session:
        job = service.enqueue(session, "test_web_job", {})
    for _ in range(200):
        with unit_of_work(get_engine(web_url)) as session:
            if service.get(session, job.job_id).finished:
                break
        time.sleep(0.05)
    assert app_client.get("/metrics").status_code == 401  # nobody signed in, no token
    browser_login(app_client, "admin")
    response = app_client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    done = [s for s in families["encours_jobs"].samples
            if s.labels == {"kind": "test_web_job", "status": "done"}]  # fmt: skip
    assert done and done[0].value >= 1
    durations = [s for s in families["encours_job_duration_seconds"].samples
                 if s.name.endswith("_count") and s.labels["kind"] == "test_web_job"]  # fmt: skip
    assert durations and durations[0].value >= 1
    health = app_client.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "queue": {"oldest_queued_seconds": body["queue"]["oldest_queued_seconds"], "workers": None},
    }  # no business figure, no job


def test_the_dashboard_queues_the_figures_job_and_shows_its_figures_when_done(
    ui_client: TestClient, web_url: str
) -> None:
    browser_login(ui_client, "credit_manager")
    ui_client.get("/?as_of=2026-10-30")  # a date no page asked for yet: its figures are missing
    engine = get_engine(web_url)
    for _ in range(1200):
        with unit_of_work(engine) as session:
            jobs = [
                j for j in service.list_jobs(session, kind="figures") if j.params.get("as_of") == "2026-10-30"
            ]
        if jobs and jobs[0].finished:
            break
        time.sleep(0.1)
    assert jobs and jobs[0].status == "done" and jobs[0].requested_by == "web", jobs
    page = ui_client.get("/?as_of=2026-10-30")
    assert 'id="chart-trend"' in page.text  # read from the job's snapshot, not computed by the page


TOKEN = "scrape-" + "x" * 40


def test_metrics_need_the_scrapers_token_or_a_signed_in_admin(web_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", metrics_token=TOKEN)
    with TestClient(create_app(web_url, settings)) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        assert "encours_jobs" not in refused.text
        assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert scraped.status_code == 200 and "encours_jobs_oldest_queued_seconds" in scraped.text
        browser_login(client, "credit_manager")  # signed in, but not an admin
        assert client.get("/metrics").status_code == 401
        health = client.get("/health")  # stays open
        assert health.status_code == 200 and set(health.json()) == {"status", "database", "queue"}
    with pytest.raises(ValueError, match="at least 24"):
        Settings(metrics_token="short")


def test_a_scheduled_dunning_run_has_its_page_for_the_day_it_ran_for(
    ui_client: TestClient, web_url: str
) -> None:
    browser_login(ui_client, "credit_manager")
    params = {"dry_run": True, "scheduled_for": "2026-10-31T07:00:00+01:00"}  # as schedule.toml queues it
    with unit_of_work(get_engine(web_url)) as session:
        job = service.enqueue(session, "dunning_run", params, requested_by="schedule")
    for _ in range(1200):
        with unit_of_work(get_engine(web_url)) as session:
            if (found := service.get(session, job.job_id)).finished:
                break
        time.sleep(0.1)
    assert found.status == "done" and found.result["as_of"] == "2026-10-31", found
    page = ui_client.get(f"/dunning/runs/{job.job_id}")
    assert page.status_code == 200 and "<small>Au 31/10/2026</small>" in page.text, page.text[-500:]
