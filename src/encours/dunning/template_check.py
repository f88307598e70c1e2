"""Checking templates before anyone relies on them: each renders against sample contexts.

A template is refused when it does not parse, names a variable the contexts do not have, or
does what the sandbox forbids (``documents.TemplateSandbox``). The web editor checks a text
before saving it; a run checks every file of ``$ENCOURS_DATA_DIR/templates`` before it sends
anything. Every template (shipped and user's) is rendered in both languages, with the
candidate text in place, so an edited base also proves the templates that extend it.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from encours.domain.dunning import StepKind
from encours.domain.errors import LedgerError
from encours.domain.escalation import Contact, history_of
from encours.domain.penalties import FRANCE, RateTable, late_payment_penalty
from encours.dunning.composer import history_context, rates_of
from encours.dunning.documents import (
    LANGUAGES,
    Company,
    InvoiceLine,
    Section,
    build_environment,
    load_company,
    penalty_totals,
    template_loaders,
)
from encours.dunning.rates import load_rate_table
from encours.ledger.models import CustomerRow

SAMPLE_AS_OF = dt.date(2026, 11, 2)
KINDS = {".txt": "email", ".html": "letters"}
CANDIDATE = "<candidate>/"


class CandidateLoader(BaseLoader):
    """Texts not saved yet, under a file name that errors can point back to."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = dict(texts)

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.texts:
            raise TemplateNotFound(template)
        return self.texts[template], CANDIDATE + template, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.texts)


# an invoice reminded, then given a formal notice: the texts' history branches (SPEC §8)
SAMPLE_HISTORY = history_of(
    (
        Contact("reminder", StepKind.REMINDER, "sent", dt.date(2026, 9, 25)),
        Contact("formal_notice", StepKind.FORMAL_NOTICE, "produced", dt.date(2026, 10, 10)),
    )
)


def _sample_lines(table: RateTable) -> tuple[InvoiceLine, ...]:
    invoices = (
        ("F2026-0001", dt.date(2026, 8, 14), dt.date(2026, 9, 13), Decimal("1200.00")),
        ("F2026-0002", dt.date(2026, 9, 20), dt.date(2026, 10, 20), Decimal("350.50")),
    )
    return tuple(
        InvoiceLine(
            reference,
            issued,
            due,
            amount,
            amount,
            "EUR",
            (SAMPLE_AS_OF - due).days,
            late_payment_penalty(amount, due, SAMPLE_AS_OF, rule=FRANCE, table=table),
        )
        for reference, issued, due, amount in invoices
    )


def _sample_customer(language: str) -> CustomerRow:
    return CustomerRow(
        id=0, customer_id="C00001", name="Exemple SA", country="FR", currency="EUR", payment_terms_days=30,
        email="compta@exemple.test", language=language, siren="123456789", vat_number="FR12123456789",
    )  # fmt: skip


def sample_contexts(language: str, company: Company, table: RateTable) -> dict[str, list[dict[str, Any]]]:
    """Contexts shaped as the composer makes them, per kind; two per kind to cover both branches."""
    lines = _sample_lines(table)
    reminded = tuple(line._replace(history=SAMPLE_HISTORY) for line in lines)
    customer = _sample_customer(language)
    instalment = {"seq": 1, "count": 3, "due_date": dt.date(2026, 10, 30), "amount": Decimal("500.00"),
                  "remaining": Decimal("500.00"), "currency": "EUR"}  # fmt: skip
    steps = ("courtesy", "reminder", "firm_reminder", "formal_notice", "phone_call", "handover")
    sections = [Section(step, "", step, "email", lines) for step in steps]
    sections += [
        Section("instalment:1:1", "", "instalment", "email", lines, instalment),
        Section("thank_you", "", "thank_you", "email", lines),
    ]
    total = sum((line.open_amount for line in lines), Decimal(0))
    common = {"company": company, "customer": customer, "as_of": SAMPLE_AS_OF, "language": language}
    reminded_sections = [section._replace(invoices=reminded) for section in sections]
    emails = [
        {**common, "sections": reminded_sections, "totals": {"EUR": total},
         "attachments": ["1-formal_notice.pdf"], "lead": reminded_sections[-3],
         "thanks": list(reminded), **history_context(reminded)},
        {**common, "sections": sections[:1], "totals": {"EUR": total, "USD": Decimal("10.00")},
         "attachments": [], "lead": sections[0], "thanks": [], **history_context(lines)},
    ]  # fmt: skip
    interest, indemnity = penalty_totals(lines)
    letters = [
        {**common, "place": company.city, "invoices": list(invoices), "currency": "EUR", "principal": total,
         "interest": interest, "indemnity": indemnity, "grand_total": total + interest + indemnity,
         "waived": waived, "contract_rate": None if waived else Decimal("12.00"),
         "errors": [] if waived else ["taux de référence inconnu pour 2027-S1"], "provisional": not waived,
         "rates_of": lambda line: rates_of(line, language, table), **history_context(invoices)}
        for waived, invoices in ((False, reminded), (True, lines))
    ]  # fmt: skip
    return {"email": emails, "letters": letters}


def _where(exc: BaseException, name: str, user_dir: Path, overrides: Mapping[str, str]) -> tuple[str, int]:
    """The file at fault and its line: Jinja maps the frames of a template to its lines."""
    if isinstance(exc, TemplateSyntaxError):
        file, line = exc.name or name, exc.lineno
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")]
        file, line = name, 0
        if frames:
            last = frames[-1]
            line = last.lineno or 0
            found = Path(last.filename)
            if last.filename.startswith(CANDIDATE):
                file = last.filename.removeprefix(CANDIDATE)
            elif found.is_file() and found.is_relative_to(user_dir):
                file = found.relative_to(user_dir).as_posix()
            elif found.is_file():  # a shipped template
                file = "/".join(found.parts[-3:])
    if file not in overrides and (user_dir / file).is_file():
        return str(user_dir / file), line
    return file, line


def _message(exc: BaseException) -> str:
    if isinstance(exc, SecurityError):
        return f"refused by the template sandbox: {exc}"
    if isinstance(exc, TemplateSyntaxError):
        return f"syntax error: {exc.message}"
    return f"does not render: {exc}"


def _names(loader: ChoiceLoader) -> Iterator[str]:
    for name in sorted(set(loader.list_templates())):
        parts = name.split("/")
        suffix = Path(name).suffix
        if len(parts) == 3 and parts[0] in LANGUAGES and suffix in KINDS and parts[1] == KINDS[suffix]:
            yield name


def check_templates(data_dir: Path, candidates: Mapping[str, str] | None = None) -> list[LedgerError]:
    """Every template rendered in both languages, ``candidates`` (name -> text) in place of files.

    An error names the file at fault (the user's copy when there is one) and the line.
    """
    user_dir = data_dir / "templates"
    overrides = dict(candidates or {})
    loader = ChoiceLoader([CandidateLoader(overrides), *template_loaders(str(user_dir))])
    company = load_company(data_dir)
    table = load_rate_table(None, data_dir).table
    errors: dict[str, LedgerError] = {}
    for language in LANGUAGES:
        env = build_environment(loader, language)
        contexts = sample_contexts(language, company, table)
        for name in _names(loader):
            if name in errors:
                continue
            try:
                template = env.get_template(name)
                for context in contexts[KINDS[Path(name).suffix]]:
                    template.render(**context)
            except Exception as exc:  # noqa: BLE001 - any failure of a user's template is a refusal
                file, line = _where(exc, name, user_dir, overrides)
                errors[name] = LedgerError(file, line, "", _message(exc))
    return sorted(set(errors.values()), key=lambda e: (e.file, e.line, e.message))


def user_template_errors(data_dir: Path) -> list[LedgerError]:
    """The run's check: nothing to do without a user template folder."""
    if not (data_dir / "templates").is_dir():
        return []
    return check_templates(data_dir)
