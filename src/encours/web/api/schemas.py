"""API schemas. Money is a decimal string (two decimals), never a float.

Casework records are shown by their presenters in ``encours.casework.schemas``, shared with the CLI.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from encours.casework.schemas import Amount
from encours.domain.user_amounts import parse_user_amount
from encours.web.deps import IsoDay

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
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    iban: str | None = None  # several separated by ";"
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


class DisputeIn(BaseModel):
    invoice_id: str = Field(min_length=1, max_length=255)
    reason: str = Field(min_length=1, max_length=255)
    owner: str | None = Field(default=None, max_length=255)


class PromiseIn(BaseModel):
    amount: AmountIn = Field(gt=0, le=Decimal("1e12"), decimal_places=2)
    promised_date: IsoDay  # 1990-01-01 to 2100-12-31, as the screens' forms take it
    invoice_ids: list[str] = Field(default_factory=list, max_length=100)  # empty: every open invoice
    note: str = Field(default="", max_length=2000)
    made_on: IsoDay | None = None  # the day the customer promised (default: the business date)


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
    password: str = Field(min_length=12, max_length=1024)  # and not guessable (users.passwords)
    language: str = "fr"
    digest: bool = False


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    invoice_id: str | None = Field(default=None, max_length=255)


class PortalLinkOut(BaseModel):
    url: str
    expires: dt.datetime
