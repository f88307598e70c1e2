"""Escalation and truthful texts on the demo against a real SMTP server (SPEC §8): a first run
hands nothing over and claims no history; later runs hand over once the notices ran their period;
one e-mail per customer whose subject and sections follow its steps; thank-you beside reminders."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from email.message import Message
from pathlib import Path

from pypdf import PdfReader
from tests.conftest import DEMO_UNTIL, SmtpServer, invoke
from tests.dunning.test_dunning_run import actions_json, body_text, pdf_attachments
from typer.testing import CliRunner

AS_OF = DEMO_UNTIL
FALSE_HISTORY = re.compile(
    r"malgré (nos|notre)|restées? sans effet|despite our|as our (reminder|formal notice)|"
    r"(reminders?|formal notice) (has|have) remained",
    re.IGNORECASE,
)
TITLES = {
    "fr": {
        "courtesy": "Factures arrivant à échéance ou tout juste échues",
        "reminder": "Factures échues",
        "firm_reminder": "Factures en retard",
        "formal_notice": "Factures visées par la mise en demeure ci-jointe",
        "phone_call": "Factures en retard important (notre service va prendre contact avec vous)",
        "handover": "Factures transmises à notre service contentieux",
        "thank_you": "Factures réglées depuis notre relance : nous vous remercions de votre règlement",
    },
    "en": {
        "courtesy": "Invoices falling due or just due",
        "reminder": "Overdue invoices",
        "firm_reminder": "Invoices long overdue",
        "formal_notice": "Invoices covered by the attached formal notice",
        "phone_call": "Invoices seriously overdue (our team will call you)",
        "handover": "Invoices handed over to our litigation department",
        "thank_you": "Invoices paid since our reminder: thank you for your payment",
    },
}
SUBJECTS = {
    "fr": {"reminder": "Rappel : factures échues", "firm_reminder": "Relance : factures impayées",
           "phone_call": "Factures impayées : nous allons vous contacter",
           "formal_notice": "Mise en demeure de payer",
           "handover": "Transmission de votre dossier au contentieux",
           "courtesy": "Échéance de vos factures"},
    "en": {"reminder": "Reminder: overdue invoices", "firm_reminder": "Second reminder: unpaid invoices",
           "phone_call": "Unpaid invoices: we will call you", "formal_notice": "Formal notice to pay",
           "handover": "Your account handed over to litigation", "courtesy": "Your invoices falling due"},
}  # fmt: skip
OFFSETS = {"thank_you": -100, "courtesy": -5, "reminder": 3, "firm_reminder": 15, "phone_call": 30,
           "formal_notice": 45, "handover": 60}  # fmt: skip


def run(cli: CliRunner, db: str, as_of: dt.date) -> str:
    code, out, err = invoke(cli, "dunning", "run", "--as-of", as_of.isoformat(), "--db", db)
    assert code == 0, err
    return out


def waiting_lines(out: str) -> dict[str, str]:
    """Customer -> its line under "hand-overs waiting" in a run's output."""
    lines = out.split("hand-overs waiting for a formal notice:", 1)[-1].splitlines()[1:]
    return {line.split(":")[0].strip(): line for line in lines if line.startswith("  ")}


def language(message: Message) -> str:
    return "fr" if "Madame, Monsieur" in body_text(message) else "en"


def sections(message: Message) -> dict[str, str]:
    """Invoice reference -> the step whose heading it is listed under."""
    titles = {f"{title}:" if language(message) == "en" else f"{title} :": step
              for step, title in TITLES[language(message)].items()}  # fmt: skip
    found: dict[str, str] = {}
    current = None
    for line in body_text(message).splitlines():
        if line.strip() in titles:
            current = titles[line.strip()]
        match = re.match(r"\s+- (?:Facture|Invoice) (F\d{7})", line)
        if match:
            assert current is not None, line
            found[match.group(1)] = current
    return found


def letter_texts(data_dir: Path) -> dict[str, str]:
    return {
        path.name: "\n".join(page.extract_text() for page in PdfReader(path).pages)
        for path in sorted((data_dir / "letters").rglob("*.pdf"))
    }


def test_first_run_hands_nothing_over_and_claims_no_history(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    run(cli, demo_db, AS_OF)
    rows = actions_json(cli, demo_db)
    assert rows and not [r for r in rows if r["step"] == "handover"]
    assert [r for r in rows if r["step"] == "formal_notice"]
    assert smtp_server.received
    languages = set()
    for received in smtp_server.received:
        languages.add(language(received.message))
        for text in [body_text(received.message), *pdf_attachments(received.message).values()]:
            assert FALSE_HISTORY.search(text) is None, FALSE_HISTORY.search(text)
    assert languages == {"fr", "en"}
    letters = letter_texts(dunning_env)
    assert any("formal_notice" in name for name in letters)
    for name, text in letters.items():
        assert FALSE_HISTORY.search(text) is None, name


def test_grouped_email_subject_follows_its_most_advanced_step_and_invoices_their_own_heading(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    run(cli, demo_db, AS_OF)
    steps = {(str(r["customer_id"]), ref): str(r["step"]) for r in actions_json(cli, demo_db)
             for ref in r["invoice_ids"]}  # type: ignore[attr-defined]  # fmt: skip
    mixed = 0
    for received in smtp_server.received:
        customer = str(received.message["X-Encours-Customer"])
        listed = sections(received.message)
        assert listed and all(steps[(customer, ref)] == step for ref, step in listed.items())
        lead = max(set(listed.values()), key=OFFSETS.__getitem__)
        subject = str(received.message["Subject"])
        assert subject.startswith(SUBJECTS[language(received.message)][lead]), subject
        mixed += len(set(listed.values())) > 1
    assert mixed >= 3


def test_later_runs_hand_over_only_once_the_delivered_notice_ran_its_period(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    run(cli, demo_db, AS_OF)
    noticed = {ref for r in actions_json(cli, demo_db) if r["step"] == "formal_notice"
               for ref in r["invoice_ids"]}  # type: ignore[attr-defined]  # fmt: skip
    first = len(smtp_server.received)
    out = run(cli, demo_db, AS_OF + dt.timedelta(days=14))  # 8 days to pay + 7 of post: not yet
    rows = actions_json(cli, demo_db)
    assert not [r for r in rows if r["step"] == "handover"]
    # the held hand-overs are shown: customer, invoices, the day the hand-over becomes possible
    held = waiting_lines(out)
    assert held, out
    possible = (AS_OF + dt.timedelta(days=15)).isoformat()
    for line in held.values():
        listed = re.findall(r"F\d{7}", line)
        assert listed and set(listed) <= noticed, line
        assert f"possible from {possible}" in line, line
    second = smtp_server.received[first:]
    assert second
    # what was delivered on the first run may now be said, and is
    said = [m for m in second if FALSE_HISTORY.search(body_text(m.message))]
    assert said
    run(cli, demo_db, AS_OF + dt.timedelta(days=15))
    rows = actions_json(cli, demo_db)
    handed = [r for r in rows if r["step"] == "handover"]
    assert handed
    for row in handed:
        assert set(row["invoice_ids"]) <= noticed  # type: ignore[arg-type]
    notices = [
        m for m in smtp_server.received[first:]
        if "contentieux" in str(m.message["Subject"]) or "litigation" in str(m.message["Subject"])
    ]  # fmt: skip
    assert notices
    for message in notices:
        text = body_text(message.message)
        assert "Notre mise en demeure étant restée sans effet" in text or "As our formal notice" in text


def test_thank_you_and_a_new_reminder_in_one_message(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    earlier = AS_OF - dt.timedelta(days=45)
    run(cli, demo_db, earlier)
    first = len(smtp_server.received)
    decided = {int(r["action_id"]) for r in actions_json(cli, demo_db)}  # type: ignore[call-overload]
    run(cli, demo_db, AS_OF)
    rows = [r for r in actions_json(cli, demo_db) if r["action_id"] not in decided]
    by_customer: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_customer[str(row["customer_id"])].add(str(row["step"]))
    both = {c for c, steps in by_customer.items() if "thank_you" in steps and len(steps) > 1}
    assert both, by_customer
    for received in smtp_server.received[first:]:
        customer = str(received.message["X-Encours-Customer"])
        if customer not in both:
            continue
        listed = sections(received.message)
        assert "thank_you" in listed.values() and len(set(listed.values())) > 1
        assert (
            "merci" in body_text(received.message).lower()
            or "thank you" in body_text(received.message).lower()
        )
