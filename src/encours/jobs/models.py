"""The job rows: one per piece of work, whatever backend runs it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import BIG_ID, Base, UtcDateTime, utcnow


class JobRow(Base):
    """A job: what to do (kind, params), where it stands (status, progress) and how it ended."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_kind", "status", "kind"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # the in-process lease
    worker: Mapped[str | None] = mapped_column(String(255))  # host:pid of the runner
    error: Mapped[str | None] = mapped_column(Text)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    progress_note: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[Any | None] = mapped_column(JSON)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # its function returned but sub-jobs it started are still running: the last one finishes it
    waiting: Mapped[bool] = mapped_column(default=False)
    # a scheduled occurrence or a shard is enqueued once, however many schedulers or retries ask
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)  # shards


class JobFileRow(Base):
    """A file a job reads (an upload), kept in the database so a worker on any host reads it;
    deleted when its job finishes."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
