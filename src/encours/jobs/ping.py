"""``ping``: the smallest job, to check that workers take jobs (``encours jobs run ping``)."""

from __future__ import annotations

from typing import Any

from encours.jobs.registry import JobContext, job_kind
from encours.jobs.runner import worker_name


@job_kind("ping")
def ping(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Answers with the worker that ran it (host:pid) and the attempt."""
    return {"worker": worker_name(), "attempt": context.attempt}
