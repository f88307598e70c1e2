"""Composing a message: a group of pending actions becomes its letters (PDF) and one e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from encours.casework.plans import get_plan
from encours.casework.queries import statement_keys
from encours.domain.dunning import THANK_YOU, Channel, Scenario, parse_instalment_step
from encours.domain.escalation import NO_HISTORY, InvoiceHistory
from encours.domain.penalties import FRANCE, RULES, HalfYear, Penalty, RateTable, late_payment_penalty
from encours.dunning import typography
from encours.dunning.channels.pdf import write_pdf
from encours.dunning.channels.smtp import OutgoingMail
from encours.dunning.document_paths import letters_folder
from encours.dunning.documents import (
    InvoiceLine,
    Section,
    least_reminded,
    load_company,
    notice_delivered_for_all,
    penalty_totals,
    render_email,
    render_letter,
    template_env,
)
from encours.dunning.history import HistoryRepository
from encours.dunning.invoice_facts import InvoiceFacts, InvoiceFactsRepository
from encours.dunning.penalty_terms import PenaltyTermsRepository
from encours.dunning.pending import PendingAction
from encours.dunning.recipients import recipient_addresses
from encours.einvoicing.exclusions import out_of_dunning
from encours.ledger.models import CustomerRow
from encours.ledger.repository import row_to_customer
from encours.storage.base import utcnow

STATEMENT = "statement"  # the letter template of a customer's statement (relevé)
NO_POSTAL_ADDRESS = "no postal address"


class Prepared(NamedTuple):
    mail: OutgoingMail | None
    actions: tuple[PendingAction, ...]
    documents: dict[int, str]
    no_address: bool
    # actions that cannot be delivered at all, with their reason (a letter without postal address)
    undeliverable: tuple[tuple[PendingAction, str], ...] = ()


def message_id(actions: Sequence[PendingAction], sender: str) -> str:
    """The same actions always make the same Message-ID (a repeat after a crash is recognisable);
    a message that gained actions (earlier pending ones joining a new run's) gets a new one."""
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "encours.local"
    ids = sorted(a.action_id for a in actions)
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:12]
    return f"<dunning-{ids[0]}-{digest}@{domain}>"


class Composer:
    """Turns a group of pending actions into documents and one e-mail."""

    def __init__(
        self, session: Session, scenarios: dict[str, Scenario], rates: RateTable, sender: str, data_dir: Path,
        letters_root: Path | None = None,
    ) -> None:  # fmt: skip
        """``letters_root``: where letters go (the data directory; a scratch folder for a preview)."""
        self.session = session
        self.letters_root = letters_root or data_dir
        self.facts = InvoiceFactsRepository(session)
        self.terms = PenaltyTermsRepository(session)
        self.scenarios = scenarios
        self.rates = rates
        self.sender = sender
        self.data_dir = data_dir
        self.company = load_company(data_dir)
        self.histories: dict[str, InvoiceHistory] = {}

    def lines(self, action: PendingAction, with_penalties: bool) -> list[InvoiceLine]:
        facts = self.facts.invoices_with_reductions(action.entry_keys, action.as_of)
        penalty = self.penalty_fn(action.customer_pk) if with_penalties else None
        thanks = action.step == THANK_YOU
        return [
            self.line(f, action.as_of, penalty, thanks)._replace(
                history=self.histories.get(f.key, NO_HISTORY)
            )
            for f in facts
        ]

    def load_histories(self, actions: Sequence[PendingAction]) -> None:
        """What happened earlier to the message's invoices (its own actions are still pending)."""
        keys = [key for action in actions for key in action.entry_keys]
        self.histories = HistoryRepository(self.session, self.scenarios).of_entries(keys)

    def statement_lines(self, action: PendingAction, customer: CustomerRow) -> list[InvoiceLine]:
        """A statement (relevé) lists every open item of the customer at the run date, not-due
        ones included and disputed ones left out, by due date (SPEC §8): not only the invoices
        of the reminder it is attached to."""
        keys = statement_keys(self.session, customer.customer_id, action.as_of)
        left_out = out_of_dunning(self.session, keys)  # refused, not issued, factored (SPEC §11)
        keys = [key for key in keys if key not in left_out]
        facts = self.facts.invoices_with_reductions(keys, action.as_of)
        return [self.line(f, action.as_of, None, thanks=False) for f in facts]

    def penalty_fn(self, customer_pk: int) -> Callable[[InvoiceFacts, dt.date], Penalty]:
        terms = self.terms.penalty_terms(customer_pk)
        rule = RULES.get(terms.rule, FRANCE) if terms is not None else FRANCE
        rate = Decimal(terms.contract_rate) if terms is not None and terms.contract_rate else None

        def compute(facts: InvoiceFacts, as_of: dt.date) -> Penalty:
            return late_payment_penalty(
                facts.amount,
                facts.due_date,
                as_of,
                facts.reductions,
                rule=rule,
                table=self.rates,
                contract_rate=rate,
            )

        return compute

    @staticmethod
    def line(
        facts: InvoiceFacts,
        as_of: dt.date,
        penalty: Callable[[InvoiceFacts, dt.date], Penalty] | None,
        thanks: bool,
    ) -> InvoiceLine:
        return InvoiceLine(
            facts.reference, facts.issue_date, facts.due_date, facts.amount,
            facts.amount if thanks else facts.open_amount, facts.currency,
            (as_of - facts.due_date).days, None if penalty is None else penalty(facts, as_of),
        )  # fmt: skip

    def instalment(self, action: PendingAction) -> dict[str, Any] | None:
        """The instalment an instalment reminder is about, as casework stores it."""
        found = parse_instalment_step(action.step)
        if found is None:
            return None
        plan = get_plan(self.session, found[0])
        state = next((i for i in plan.instalments if i.seq == found[1]), None)
        if state is None:
            return None
        return {"seq": state.seq, "count": len(plan.instalments), "due_date": state.due_date,
                "amount": state.amount, "remaining": state.remaining, "currency": plan.currency}  # fmt: skip

    def offset(self, action: PendingAction) -> int:
        scenario = self.scenarios.get(action.scenario)
        step = scenario.step(action.step) if scenario is not None else None
        return -10_000 if step is None else step.offset_days

    def customer(self, action: PendingAction) -> CustomerRow:
        row = self.session.get(CustomerRow, action.customer_pk)
        assert row is not None
        return row

    def letter(
        self,
        action: PendingAction,
        template: str,
        lines: list[InvoiceLine],
        customer: CustomerRow,
        folder: Path,
    ) -> Path:
        waived = False
        contract_rate = None
        if template == "formal_notice":
            terms = self.terms.penalty_terms(action.customer_pk)
            waived = bool(terms and terms.waived)
            contract_rate = Decimal(terms.contract_rate) if terms and terms.contract_rate else None
        principal = sum((ln.open_amount for ln in lines), Decimal(0))
        interest, indemnity = (
            penalty_totals(lines) if template == "formal_notice" and not waived else (Decimal(0),) * 2
        )
        errors = sorted({str(e) for ln in lines if ln.penalty for e in ln.penalty.errors})
        provisional = any("*" in r for ln in lines for r in rates_of(ln, action.language, self.rates))
        context = {
            "company": self.company, "customer": customer, "as_of": action.as_of, "language": action.language,
            "place": self.company.city, "invoices": lines, "currency": lines[0].currency if lines else "EUR",
            "principal": principal, "interest": interest, "indemnity": indemnity,
            "grand_total": principal + interest + indemnity, "waived": waived, "contract_rate": contract_rate,
            "errors": errors, "rates_of": lambda line: rates_of(line, action.language, self.rates),
            "provisional": provisional, **history_context(lines),
        }  # fmt: skip
        html = render_letter(template, action.language, context, self.data_dir)
        return write_pdf(html, folder / f"{action.action_id}-{template}.pdf")

    def prepare(self, actions: Sequence[PendingAction]) -> Prepared:
        ordered = sorted(actions, key=lambda a: (self.offset(a), a.action_id))
        self.load_histories(ordered)
        customer = self.customer(ordered[0])
        undeliverable = tuple((a, NO_POSTAL_ADDRESS) for a in ordered if not letter_can_go(a, customer))
        if undeliverable:
            # a letter needs an envelope: the customer gets no letter, and its e-mail does not announce one
            ordered = [a for a in ordered if letter_can_go(a, customer)]
            if not ordered:
                return Prepared(None, (), {}, False, undeliverable)
            return self.prepare(ordered)._replace(undeliverable=undeliverable)
        language = ordered[0].language
        folder = letters_folder(self.letters_root, customer.customer_id)
        sections: list[Section] = []
        documents: dict[int, str] = {}
        attachments: list[Path] = []
        for action in ordered:
            letter = action.channel == Channel.LETTER.value
            lines = self.lines(action, with_penalties=letter and action.template == "formal_notice")
            instalment = self.instalment(action)
            section = Section(action.step, "", action.template, action.channel, tuple(lines), instalment)
            if sections and same_heading(sections[-1], section):  # e.g. an earlier run's retried reminder
                earlier = sections.pop()
                section = earlier._replace(invoices=earlier.invoices + section.invoices)
            sections.append(section)
            if letter:
                shown = self.statement_lines(action, customer) if action.template == STATEMENT else lines
                path = self.letter(action, action.template, shown, customer, folder)
                documents[action.action_id] = str(path)
                attachments.append(path)
        sections = under_their_own_step(sections)
        all_lines = [line for s in sections if s.step != THANK_YOU for line in s.invoices]
        for action in ordered:
            scenario = self.scenarios.get(action.scenario)
            step = scenario.step(action.step) if scenario is not None else None
            for extra in step.attachments if step is not None else ():
                shown = self.statement_lines(action, customer) if extra == STATEMENT else all_lines
                path = self.letter(action, extra, shown, customer, folder)
                documents.setdefault(action.action_id, str(path))
                attachments.append(path)
        recipients = recipient_addresses(customer.email)
        if not recipients:
            return Prepared(None, tuple(ordered), documents, True)
        lead = ordered[-1]
        lead_section = sections[-1]
        template = lead.template if self.has_email_template(lead.template, language) else "generic"
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for section in sections:  # an instalment reminder asks for the instalment, not the plan's invoices
            if section.step == THANK_YOU:
                continue
            if section.instalment is not None:
                totals[section.instalment["currency"]] += section.instalment["remaining"]
                continue
            for line in section.invoices:
                totals[line.currency] += line.open_amount
        context = {
            "company": self.company, "customer": customer, "as_of": max(a.as_of for a in ordered),
            "language": language, "sections": sections, "totals": dict(sorted(totals.items())),
            "attachments": [p.name for p in attachments], "lead": lead_section,
            "thanks": [line for s in sections if s.step == THANK_YOU for line in s.invoices],
            **history_context(all_lines),
        }  # fmt: skip
        rendered = render_email(template, language, context, self.data_dir)
        message = EmailMessage()
        message["From"] = formataddr((self.company.name, self.sender))
        message["To"] = ", ".join(formataddr((customer.name, address)) for address in recipients)
        message["Subject"] = rendered.subject
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = message_id(ordered, self.sender)
        message["X-Encours-Actions"] = ",".join(
            str(a.action_id) for a in sorted(ordered, key=lambda a: a.action_id)
        )
        message["X-Encours-Customer"] = customer.customer_id
        message.set_content(rendered.body)
        for path in attachments:
            message.add_attachment(
                path.read_bytes(), maintype="application", subtype="pdf", filename=path.name
            )
        return Prepared(OutgoingMail(lead.group_key, message), tuple(ordered), documents, False)

    def has_email_template(self, name: str, language: str) -> bool:
        env = template_env(language, self.data_dir)
        assert env.loader is not None
        return f"{language}/email/{name}.txt" in env.loader.list_templates()


def history_context(lines: Sequence[InvoiceLine]) -> dict[str, Any]:
    """What a text about all of ``lines`` may claim (SPEC §8): only what was delivered for each.

    ``reminders``: reminders delivered earlier for every one of them (the least reminded);
    ``reminded_before``: at least one; ``notice_delivered_on``: a formal notice reached every one
    of them (the latest such day), else None.
    """
    reminders = least_reminded(lines)
    return {"reminders": reminders, "reminded_before": reminders > 0,
            "notice_delivered_on": notice_delivered_for_all(lines)}  # fmt: skip


def under_their_own_step(sections: Sequence[Section]) -> list[Section]:
    """An invoice carried by two steps of one message (an earlier run's retried reminder and this
    run's firmer one) is listed once, under the most advanced; a section left empty goes."""
    latest: dict[str, int] = {}
    for index, section in enumerate(sections):
        if section.step != THANK_YOU and section.instalment is None:
            for line in section.invoices:
                latest[line.reference] = index
    kept = []
    for index, section in enumerate(sections):
        if section.step == THANK_YOU or section.instalment is not None:
            kept.append(section)
            continue
        lines = tuple(line for line in section.invoices if latest[line.reference] == index)
        if lines:
            kept.append(section._replace(invoices=lines))
    return kept


def same_heading(earlier: Section, later: Section) -> bool:
    """Two actions of one step (not instalments, each its own) are listed under one heading."""
    return earlier.step == later.step and earlier.instalment is None and later.instalment is None


def letter_can_go(action: PendingAction, customer: CustomerRow) -> bool:
    """Anything but a letter, or a letter to a customer with a postal address (SPEC §8)."""
    return action.channel != Channel.LETTER.value or row_to_customer(customer).has_postal_address


def rates_of(line: InvoiceLine, language: str, table: RateTable) -> list[str]:
    """The annual rates applied to an invoice, in order; ``*`` marks a provisional rate."""
    if line.penalty is None:
        return []
    seen: list[str] = []
    for period in line.penalty.periods:
        text = typography.percent(period.rate, language=language)
        reference = table.get(HalfYear.of(period.start))
        if reference is not None and reference.provisional:
            text += "*"
        if text not in seen:
            seen.append(text)
    return seen
