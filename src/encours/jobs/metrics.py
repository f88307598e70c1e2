"""The queue in Prometheus' text format, read from the database at each scrape.

Every web process answers the same figures (they come from the job rows, not from one
process's memory): jobs per kind and status, durations of the jobs finished in the last
hour, failures per kind, and on PostgreSQL the workers whose heartbeat is recent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from encours.jobs.models import JobRow
from encours.jobs.service import queue_depth
from encours.jobs.views import STATUSES
from encours.storage.base import utcnow

RECENT = dt.timedelta(hours=1)
LIVE_WORKER_SECONDS = 60


def oldest_queued(session: Session) -> dt.datetime | None:
    return session.scalar(select(func.min(JobRow.queued_at)).where(JobRow.status == "queued"))


def live_workers(session: Session) -> int | None:
    """PostgreSQL workers with a heartbeat in the last minute (None on SQLite: no registry)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if session.scalar(text("SELECT to_regclass('procrastinate_workers')")) is None:
        return 0
    return int(session.scalar(text(
        "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => :s)"
    ), {"s": LIVE_WORKER_SECONDS}) or 0)  # fmt: skip


class _Queue(Collector):
    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("encours_jobs", "Jobs per kind and status", labels=["kind", "status"])
        found = queue_depth(self.session)
        kinds = sorted({k for k, _ in found})
        for kind in kinds:
            for status in STATUSES:
                depth.add_metric([kind, status], found.get((kind, status), 0))
        yield depth
        failed = CounterMetricFamily("encours_jobs_failed", "Jobs that failed, per kind", labels=["kind"])
        for kind in kinds:
            failed.add_metric([kind], found.get((kind, "failed"), 0))
        yield failed
        durations = SummaryMetricFamily(
            "encours_job_duration_seconds", "Run time of the jobs finished in the last hour", labels=["kind"]
        )
        since = utcnow() - RECENT
        rows = self.session.execute(
            select(JobRow.kind, JobRow.started_at, JobRow.finished_at).where(
                JobRow.finished_at >= since, JobRow.started_at.is_not(None)
            )
        )
        sums: dict[str, tuple[int, float]] = {}
        for kind, started, finished in rows:
            if started is None or finished is None:
                continue
            count, total = sums.get(kind, (0, 0.0))
            sums[kind] = (count + 1, total + max(0.0, (finished - started).total_seconds()))
        for kind, (count, total) in sorted(sums.items()):
            durations.add_metric([kind], count_value=count, sum_value=total)
        yield durations
        oldest = oldest_queued(self.session)
        wait = GaugeMetricFamily("encours_jobs_oldest_queued_seconds", "Age of the oldest queued job")
        wait.add_metric([], 0.0 if oldest is None else (utcnow() - oldest).total_seconds())
        yield wait
        workers = live_workers(self.session)
        if workers is not None:
            live = GaugeMetricFamily("encours_workers", "Workers with a heartbeat in the last minute")
            live.add_metric([], workers)
            yield live


def render(session: Session) -> tuple[bytes, str]:
    """The scrape's body and content type."""
    registry = CollectorRegistry()
    registry.register(_Queue(session))
    return generate_latest(registry), CONTENT_TYPE_LATEST
