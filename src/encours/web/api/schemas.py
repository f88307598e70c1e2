"""API schemas. Money is a decimal string (two decimals), never a float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from encours.domain.money import format_amount
from encours.domain.user_amounts import parse_user_amount

Amount = Annotated[Decimal, PlainSerializer(format_amount, return_type=str, when_used="always")]
T = TypeVar("T")


def _typed_amount(value: object) -> object:
    """A decimal string read like every amount a person types; the field's bounds apply after."""
    return parse_user_amount(value, negative=True) if isinstance(value, str) else value


AmountIn = Annotated[Decimal, BeforeValidator(_typed_amount)]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class ErrorOut(BaseModel):
    detail: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class BalanceOut(BaseModel):
    currency: str
    balance: Amount
    overdue: Amount
    not_due: Amount


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer_id: str
    name: str
    country: str | None = None
    currency: str | None = None
    payment_terms_days: int | None = None
    credit_limit: Amount | None = None
    email: str | None = None
    language: str | None = None
    segment: str | None = None
    siren: str | None = None
    vat_number: str | None = None
    sales_rep: str | None = None
    balances: list[BalanceOut] = Field(default_factory=list)


class InvoiceOut(BaseModel):
    invoice_id: str
    kind: str
    date: dt.date
    due_date: dt.date
    amount: Amount
    open_amount: Amount
    currency: str
    disputed: bool
    days_past_due: int
    label: str = ""


class PaymentOut(BaseModel):
    payment_id: str
    date: dt.date
    amount: Amount
    unapplied: Amount
    currency: str
    label: str = ""


class TimelineOut(BaseModel):
    day: dt.date
    at: dt.datetime | None
    kind: str
    event: str
    title: str
    actor: str | None
    amount: Amount | None
    currency: str | None
    ref: str


class NoteOut(BaseModel):
    note_id: int
    customer_id: str
    entry_key: str | None
    author: str
    body: str
    created_at: dt.datetime


class DisputeIn(BaseModel):
    invoice_id: str = Field(min_length=1, max_length=255)
    reason: str = Field(min_length=1, max_length=255)
    owner: str | None = Field(default=None, max_length=255)


class DisputeOut(BaseModel):
    dispute_id: int
    customer_id: str
    invoice: str
    reason: str
    owner: str | None
    status: str
    resolution: str | None
    opened_on: dt.date
    opened_by: str


class PromiseIn(BaseModel):
    amount: AmountIn = Field(gt=0, le=Decimal("1e12"), decimal_places=2)
    promised_date: dt.date
    invoice_ids: list[str] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=2000)


class PromiseOut(BaseModel):
    promise_id: int
    customer_id: str
    amount: Amount
    currency: str
    made_on: dt.date
    promised_date: dt.date
    honour_by: dt.date
    status: str
    entry_keys: list[str]
    note: str
    created_by: str


class PlanOut(BaseModel):
    plan_id: int
    customer_id: str
    currency: str
    total: Amount
    start_date: dt.date
    status: str
    entry_keys: list[str]
    created_by: str


class TaskOut(BaseModel):
    task_id: int
    customer_id: str
    kind: str
    title: str
    due_date: dt.date
    assignee: str | None
    status: str
    source: str
    outcome: str | None


class CallIn(BaseModel):
    summary: str = Field(min_length=1, max_length=2000)


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=255)
    role: str = Field(default="collector", pattern="^(collector|sales_rep)$")


class WorkItemOut(BaseModel):
    customer_id: str
    name: str
    currency: str
    overdue: Amount
    priority: float
    reason: str = ""


class UserOut(BaseModel):
    id: int
    email: str
    role: str
    language: str
    active: bool
    digest: bool


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    role: str
    password: str = Field(min_length=8, max_length=1024)
    language: str = "fr"
    digest: bool = False


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    invoice_id: str | None = Field(default=None, max_length=255)


class PortalLinkOut(BaseModel):
    url: str
    expires: dt.datetime
