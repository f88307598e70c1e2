"""Notifications: to the customer's collector when a user (else the managers), each in their
language, and by e-mail only for the users who chose it, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from tests.conftest import SmtpServer
from tests.web.conftest import AS_OF, email, load_demo

from encours.casework import assignment, notifications
from encours.casework.credit_limits import hold_exceeded, set_customer_limit
from encours.demo.generator import DemoLedger
from encours.dunning.notification_mail import send_notification_emails
from encours.settings.smtp import parse_smtp_url
from encours.storage.database import unit_of_work
from encours.users.service import UserService
from encours.web import integrations


def test_notified_in_the_app_and_by_email_for_who_chose_it(
    tmp_path: Path, demo_ledger: DemoLedger, smtp_server: SmtpServer
) -> None:
    engine = load_demo(f"sqlite:///{tmp_path / 'n.db'}", demo_ledger)
    with unit_of_work(engine) as session:
        people = {u.email: u for u in UserService(session).all()}
        # nobody follows C00001: the admin and the credit manager are told
        told = notifications.notify(
            session, notifications.Kind.LIMIT_EXCEEDED, ("dépassée", "exceeded"), "C00001"
        )
        assert told == 2
        assignment.assign(session, "C00002", "collector", email("collector"), actor="test")
        notifications.set_email(session, people[email("collector")].id, True)
        notifications.notify(
            session, notifications.Kind.DECLARATION, ("paiement déclaré", "declared payment"), "C00002"
        )
        assignment.assign(session, "C00003", "collector", "jdupont", actor="test")  # not a user
        assert notifications.notify(session, notifications.Kind.BROKEN_PROMISE, "x", "C00003") == 2
    with unit_of_work(engine) as session:
        collector = people[email("collector")].id
        assert notifications.unread_count(session, collector) == 1
        [seen] = notifications.latest(session, collector)
        assert (seen.kind, seen.customer_id, seen.message) == ("declaration", "C00002", "paiement déclaré")
        assert notifications.unread_count(session, people[email("admin")].id) == 2
    smtp = parse_smtp_url(smtp_server.url, "encours@example.com", 1, 100)
    assert send_notification_emails(engine, smtp) == 1
    assert send_notification_emails(engine, smtp) == 0  # sent once
    assert send_notification_emails(engine, None) == 0
    [mail] = smtp_server.received
    assert mail.recipients == (email("collector"),)
    assert "Déclaration" in str(mail.message["Subject"]) and "paiement déclaré" in mail.message.get_content()


def test_portal_declarations_and_exceeded_limits_notify(tmp_path: Path, demo_ledger: DemoLedger) -> None:
    engine = load_demo(f"sqlite:///{tmp_path / 'p.db'}", demo_ledger)
    with unit_of_work(engine) as session:
        manager = UserService(session).by_email(email("credit_manager"))
        assert manager is not None
        integrations.portal_declaration(
            session, "C00004", "payment", None, {"amount": "120.00", "date": AS_OF}
        )
        set_customer_limit(session, "C00005", Decimal("1.00"), actor="test")
        assert "C00005" in hold_exceeded(session, dt.date.fromisoformat(AS_OF), actor="test")
    with unit_of_work(engine) as session:
        told = {(n.kind, n.customer_id): n.message for n in notifications.latest(session, manager.id)}
    assert told[("declaration", "C00004")] == f"paiement déclaré\u202f: 120.00 · {AS_OF}"
    assert told[("limit_exceeded", "C00005")].startswith("limite de crédit dépassée de ")
