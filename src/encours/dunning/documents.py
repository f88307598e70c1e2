"""Rendering e-mails and letters from Jinja2 templates the user can override.

Templates are never trusted (a credit manager edits them in the web UI): they are rendered in
a sandbox (``TemplateSandbox``) that refuses attribute access to Python internals, any method
that changes a value, ORM attributes other than columns and outsized repetitions; templates
reach no file but the other templates (the loaders refuse ``..``) and no process.
Templates are looked up first in ``$ENCOURS_DATA_DIR/templates/`` then in the shipped
``encours/dunning/templates/`` (a Jinja loader applying ``encours.data_files``' rule), as
``<language>/email/<name>.txt`` (first line ``Subject: ...``, a blank line, then the body) and
``<language>/letters/<name>.html``. The creditor's details come from ``company.toml`` (same
override rule).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import inspect as sa_inspect

from encours.data_files import user_or_shipped
from encours.domain.creditor_reference import customer_reference, invoice_reference
from encours.domain.escalation import NO_HISTORY, InvoiceHistory
from encours.domain.penalties import Penalty
from encours.dunning import typography
from encours.storage.base import Base

LANGUAGES = ("fr", "en")


class Company(NamedTuple):
    name: str
    address: tuple[str, ...]
    siren: str
    vat_number: str
    email: str
    phone: str
    iban: str
    bic: str
    payment_days_after_notice: int
    city: str


def load_company(data_dir: Path | None) -> Company:
    raw = tomllib.loads(user_or_shipped("company.toml", data_dir).read_text())
    return Company(
        name=str(raw.get("name", "")),
        address=tuple(str(line) for line in raw.get("address", [])),
        siren=str(raw.get("siren", "")),
        vat_number=str(raw.get("vat_number", "")),
        email=str(raw.get("email", "")),
        phone=str(raw.get("phone", "")),
        iban=str(raw.get("iban", "")),
        bic=str(raw.get("bic", "")),
        payment_days_after_notice=int(raw.get("payment_days_after_notice", 8)),
        city=str(raw.get("city", "")),
    )


MAX_REPEAT = 100_000  # characters or items a template may make with ``*``; ``**`` is capped too
MAX_EXPONENT = 64


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, narrowed for our contexts.

    Stored rows (e.g. the customer) expose only their mapped columns: no relationship, registry,
    metadata or method can lead a template to the session or the engine.
    """

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, Base):
            return attr in sa_inspect(type(obj)).column_attrs
        return True

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is too large in a template")
            return left**right
        for sized, count in ((left, right), (right, left)):
            repeated = isinstance(sized, (str, list, tuple)) and isinstance(count, int)
            if repeated and len(sized) * count > MAX_REPEAT:
                raise SecurityError("repetition too large in a template")
        return left * right


def template_loaders(user_dir: str) -> list[BaseLoader]:
    """The user's folder first, then the shipped templates."""
    return [FileSystemLoader(user_dir), PackageLoader("encours.dunning", "templates")]


def build_environment(loader: BaseLoader, language: str) -> Environment:
    """THE one place an environment for e-mails and letters is made: sandboxed, with our filters."""
    env = TemplateSandbox(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(typography.filters(language))
    # ISO 11649 references cash application reads back (SPEC §10): one per invoice, one per customer
    env.filters.update(invoice_rf=invoice_reference, customer_rf=customer_reference)
    return env


@cache
def environment(user_dir: str, language: str) -> Environment:
    return build_environment(ChoiceLoader(template_loaders(user_dir)), language)


def template_env(language: str, data_dir: Path) -> Environment:
    return environment(str(data_dir / "templates"), language)


class InvoiceLine(NamedTuple):
    reference: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal  # invoice amount
    open_amount: Decimal
    currency: str
    days_late: int
    penalty: Penalty | None = None
    history: InvoiceHistory = NO_HISTORY  # steps decided earlier; ``history.delivered``: received

    @property
    def reminders(self) -> int:
        """Reminders (reminder, formal notice, hand-over) delivered for this invoice before now."""
        return self.history.reminders

    @property
    def reminded_before(self) -> bool:
        return self.history.reminded_before

    @property
    def notice_delivered_on(self) -> dt.date | None:
        return self.history.notice_delivered_on


def least_reminded(lines: Sequence[InvoiceLine]) -> int:
    """Reminders delivered for every one of ``lines`` (what a text about all of them may claim)."""
    return min((line.reminders for line in lines), default=0)


def notice_delivered_for_all(lines: Sequence[InvoiceLine]) -> dt.date | None:
    """The latest day a formal notice reached one of ``lines``, when one reached each of them."""
    days = [line.notice_delivered_on for line in lines]
    if not days or any(day is None for day in days):
        return None
    return max(day for day in days if day is not None)


class Section(NamedTuple):
    step: str
    tone: str
    template: str
    channel: str
    invoices: tuple[InvoiceLine, ...]
    instalment: dict[str, Any] | None = None  # instalment reminders: seq, count, due_date, amount, remaining

    @property
    def total(self) -> Decimal:
        return sum((line.open_amount for line in self.invoices), Decimal(0))

    @property
    def reminders(self) -> int:
        """Reminders delivered before now for each invoice of the section (the least reminded)."""
        return least_reminded(self.invoices)

    @property
    def reminded_before(self) -> bool:
        return self.reminders > 0

    @property
    def notice_delivered_on(self) -> dt.date | None:
        """Set when a formal notice was delivered earlier for every invoice of the section."""
        return notice_delivered_for_all(self.invoices)


class RenderedEmail(NamedTuple):
    subject: str
    body: str


def render_email(template: str, language: str, context: dict[str, Any], data_dir: Path) -> RenderedEmail:
    text = template_env(language, data_dir).get_template(f"{language}/email/{template}.txt").render(**context)
    first, _, rest = text.partition("\n")
    if not first.lower().startswith("subject:"):
        return RenderedEmail(template, text.strip() + "\n")
    return RenderedEmail(first.split(":", 1)[1].strip(), rest.lstrip("\n").rstrip() + "\n")


def render_letter(template: str, language: str, context: dict[str, Any], data_dir: Path) -> str:
    return (
        template_env(language, data_dir).get_template(f"{language}/letters/{template}.html").render(**context)
    )


def penalty_totals(lines: Sequence[InvoiceLine]) -> tuple[Decimal, Decimal]:
    """(interest, indemnities) over the lines whose penalty could be computed."""
    interest = sum((ln.penalty.interest for ln in lines if ln.penalty and ln.penalty.interest), Decimal(0))
    indemnity = sum((ln.penalty.indemnity for ln in lines if ln.penalty and ln.penalty.ok), Decimal(0))
    return interest, indemnity
