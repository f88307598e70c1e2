"""Rendering e-mails and letters from Jinja2 templates the user can override.

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
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

from encours.data_files import user_or_shipped
from encours.domain.penalties import Penalty
from encours.dunning import typography

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


@cache
def environment(user_dir: str, language: str) -> Environment:
    loaders = [FileSystemLoader(user_dir), PackageLoader("encours.dunning", "templates")]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(typography.filters(language))
    return env


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
