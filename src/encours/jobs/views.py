"""What a job looks like to the CLI, the API and the UI (SPEC §12)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

Status = Literal["queued", "running", "done", "failed", "cancelled"]
STATUSES: tuple[Status, ...] = ("queued", "running", "done", "failed", "cancelled")
FINISHED: frozenset[str] = frozenset({"done", "failed", "cancelled"})


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclasses.dataclass(frozen=True, slots=True)
class JobView:
    """One job as users see it: immutable, made from a row by ``service``."""

    job_id: int
    kind: str
    status: Status
    attempts: int
    queued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None
    progress_done: int = 0
    progress_total: int | None = None
    progress_note: str = ""
    result: Any = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    requested_by: str | None = None
    parent_id: int | None = None
    files_gone: bool = False  # it read uploaded files that are no longer kept (``files``)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def retryable(self) -> bool:
        """A failed or cancelled job may be queued again, unless the files it reads are gone."""
        return self.status in ("failed", "cancelled") and not self.files_gone

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, when the job knows how much there is to do."""
        if self.status == "done":
            return 100
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)

    def as_json(self) -> dict[str, Any]:
        """SPEC §12's keys first, then progress, result and who asked."""
        return {
            "job_id": self.job_id,
            "kind": self.kind,
            "status": self.status,
            "attempts": self.attempts,
            "queued_at": _iso(self.queued_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "error": self.error,
            "progress": {
                "done": self.progress_done,
                "total": self.progress_total,
                "note": self.progress_note,
            },
            "result": self.result,
            "params": self.params,
            "requested_by": self.requested_by,
            "parent_id": self.parent_id,
            "retryable": self.retryable,
        }
