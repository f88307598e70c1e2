"""Kinds of work: a name and the function that does it, registered by the area that owns it.

    @job_kind("dunning_run")
    def dunning_run(context: JobContext, params: dict[str, Any]) -> dict[str, Any] | None: ...

The function gets a :class:`JobContext` (a unit of work on the job's database, the settings,
``progress``) and the job's JSON params; what it returns (JSON) is the job's result. Raising
fails the job with the message; :class:`~encours.domain.errors.EncoursError` messages are
shown as they are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from encours.domain.errors import BadRequest, EncoursError, InvalidInput
from encours.settings import Settings
from encours.storage.base import BUSINESS_ZONE, business_today
from encours.storage.database import unit_of_work

JobResult = dict[str, Any] | None
JobFunction = Callable[["JobContext", dict[str, Any]], JobResult]


class JobFailed(EncoursError):
    """The job failed and says why, keeping a ``result`` (e.g. an import's line errors)."""

    status = 422

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


class JobCancelled(Exception):
    """Raised by ``JobContext.progress`` when someone cancelled the running job."""


@dataclasses.dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    function: JobFunction
    description: str


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the work of jobs of kind ``name`` (once per name)."""

    def register(function: JobFunction) -> JobFunction:
        known = _KINDS.get(name)
        if known is not None and known.function is not function:
            raise ValueError(f"job kind {name!r} registered twice")
        doc = (function.__doc__ or "").strip().splitlines()
        _KINDS[name] = JobKind(name, function, doc[0] if doc else "")
        return function

    return register


def kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise BadRequest(
            f"unknown job kind {name!r}; known: {', '.join(sorted(_KINDS))}", field="kind"
        ) from None


def kinds() -> list[str]:
    return sorted(_KINDS)


def job_day(params: dict[str, Any]) -> dt.date:
    """The day a job works for: its ``as_of``, else the day of its scheduled occurrence (a
    07:00 run retried after midnight is still that day's run), else today in Paris."""
    text = params.get("as_of")
    if text:
        try:
            return dt.date.fromisoformat(str(text))
        except ValueError:
            raise InvalidInput.because("invalid_date", field="as_of", text=str(text)) from None
    scheduled = params.get("scheduled_for")  # set by encours.jobs.schedule, an aware ISO time
    if scheduled:
        return dt.datetime.fromisoformat(str(scheduled)).astimezone(BUSINESS_ZONE).date()
    return business_today()


ProgressSink = Callable[[int, int | None, str], bool]  # -> whether the job was cancelled
Spawner = Callable[[str, dict[str, Any], str], int]  # (kind, params, key) -> the sub-job's id


@dataclasses.dataclass
class JobContext:
    """What a job function may use: its id, the engine, the settings and a progress report."""

    job_id: int
    engine: Engine
    settings: Settings
    attempt: int
    report: ProgressSink
    spawner: Spawner

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work (commits when the block ends): jobs commit as they go, so a retry resumes."""
        with unit_of_work(self.engine) as session:
            yield session

    def progress(self, done: int, total: int | None = None, note: str = "") -> None:
        """Record how far the job got (committed at once, throttled); raises JobCancelled when asked."""
        if self.report(done, total, note):
            raise JobCancelled()

    def spawn(self, kind: str, params: dict[str, Any], key: str) -> int:
        """Start a sub-job (e.g. one shard of a dunning run) that any worker may take.

        ``key`` names it within this job, so a retried job finds its sub-jobs instead of
        starting them again (a failed one is queued again). This job then finishes when its
        last sub-job does: done when all are, failed otherwise, its result gaining ``parts``.
        """
        return self.spawner(kind, params, key)
