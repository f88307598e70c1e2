"""Requests and answers of the workspace API (SPEC §9): what the collector's screens do."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from encours.casework.schemas import Amount, TaskOut
from encours.web.deps import IsoDay

Kind = Literal["call", "callback", "letter", "other"]


class OutcomeIn(BaseModel):
    outcome: Literal["kept", "broken"]


class ResolveIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=2000)
    note: str = Field(default="", max_length=5000)
    rejected: bool = False  # the claim is rejected: the invoice is due as issued


class DisputeOwnerIn(BaseModel):
    owner: str = Field(min_length=1, max_length=255)


class CategoryIn(BaseModel):
    category: Literal["price", "quantity", "quality", "delivery", "billing", "other"]


class TaskIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)
    kind: Kind
    due_date: IsoDay
    assignee: str | None = Field(default=None, max_length=255)  # a user's e-mail; default: the collector
    title: str = Field(default="", max_length=255)


class DoneIn(BaseModel):
    outcome: str = Field(default="", max_length=2000)


class PlanIn(BaseModel):
    invoice_ids: list[str] = Field(default_factory=list, max_length=200)  # empty: every open invoice
    count: int = Field(ge=1, le=60)
    first_due: IsoDay
    every_months: int = Field(default=1, ge=1, le=12)
    note: str = Field(default="", max_length=2000)


class BulkIn(BaseModel):
    action: Literal["assign", "pause", "statement"]
    customer_ids: list[str] = Field(min_length=1, max_length=500)
    assignee: str | None = Field(default=None, max_length=255)  # for assign
    until: IsoDay | None = None  # for pause: the last day reminders wait


class BulkOut(BaseModel):
    action: str
    customers: int
    job_id: int | None = None  # the statements job, for action "statement"


class NotificationOut(BaseModel):
    notification_id: int
    kind: str
    customer_id: str | None
    message: str
    created_at: dt.datetime
    read: bool


class NotificationsOut(BaseModel):
    unread: int
    items: list[NotificationOut]


class PreferenceIn(BaseModel):
    email: bool


class NextActionOut(BaseModel):
    task_id: int
    kind: str
    due_date: dt.date
    assignee: str | None


class WorklistRowOut(BaseModel):
    customer_id: str
    name: str
    currency: str
    overdue: Amount
    priority: float
    bucket: str
    collector: str | None
    next_action: NextActionOut | None
    stage: str | None
    last_contact: dt.date | None
    risk_class: str | None


class WorklistPageOut(BaseModel):
    rows: list[WorklistRowOut]
    total: int
    page: int
    pages: int


__all__ = ["TaskOut"]
