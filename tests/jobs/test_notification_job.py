"""Notification e-mails as a job the shipped schedule starts every 15 minutes: the workers send
them through a real SMTP conversation, each notification once however often the job runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from tests.conftest import SmtpServer
from tests.web.conftest import email, load_demo

from encours.casework import assignment, notifications
from encours.demo.generator import DemoLedger
from encours.jobs import dispatch, schedule, service
from encours.jobs.runner import run_job
from encours.settings import Settings
from encours.storage.database import unit_of_work
from encours.users.service import UserService
from encours.web import job_kinds

PARIS = ZoneInfo("Europe/Paris")
assert "notification_emails" in job_kinds.kinds()


def ticked(engine: Engine, settings: Settings, timestamp: float) -> list[int]:
    """The jobs of the occurrences the scheduler found due at ``timestamp``."""
    return [started.job_id for started in schedule.tick(engine, settings, timestamp)]


def test_the_schedule_sends_the_notification_emails_every_quarter_hour_each_once(
    tmp_path: Path, demo_ledger: DemoLedger, smtp_server: SmtpServer
) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = load_demo(url, demo_ledger)
    settings = Settings(database_url=url, data_dir=tmp_path / "data", smtp_url=smtp_server.url,
                        mail_from="encours@example.com")  # fmt: skip
    dispatch.configure(settings, run_here=False)  # the test plays the worker
    with unit_of_work(engine) as session:
        collector = UserService(session).by_email(email("collector"))
        assert collector is not None
        assignment.assign(session, "C00002", "collector", collector.email, actor="test")
        notifications.set_email(session, collector.id, True)
        notifications.notify(
            session, notifications.Kind.BROKEN_PROMISE, ("promesse non tenue", "broken"), "C00002"
        )
    at_quarter = ticked(engine, settings, dt.datetime(2026, 12, 1, 9, 15, 20, tzinfo=PARIS).timestamp())
    with unit_of_work(engine) as session:
        assert [service.get(session, i).kind for i in at_quarter] == ["notification_emails"]
    assert run_job(engine, settings, at_quarter[0]) == "done"
    [mail] = smtp_server.received
    assert mail.recipients == (collector.email,) and "Promesse de paiement non tenue" in str(
        mail.message["Subject"]
    )
    assert "promesse non tenue" in mail.message.get_content()
    later = ticked(engine, settings, dt.datetime(2026, 12, 1, 9, 30, 5, tzinfo=PARIS).timestamp())
    assert len(later) == 1 and later != at_quarter
    assert run_job(engine, settings, later[0]) == "done"
    assert len(smtp_server.received) == 1  # sent once, not again
    with unit_of_work(engine) as session:
        assert [service.get(session, i).result["sent"] for i in (*at_quarter, *later)] == [1, 0]
        assert (
            ticked(engine, settings, dt.datetime(2026, 12, 1, 9, 25, tzinfo=PARIS).timestamp())
            == []  # none due
        )


def test_without_smtp_the_job_sends_nothing_and_keeps_them_in_the_app(
    tmp_path: Path, demo_ledger: DemoLedger
) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = load_demo(url, demo_ledger)
    settings = Settings(database_url=url, data_dir=tmp_path / "data", smtp_url="")
    dispatch.configure(settings, run_here=False)
    with unit_of_work(engine) as session:
        job = service.enqueue(session, "notification_emails", {})
    assert run_job(engine, settings, job.job_id) == "done"
    with unit_of_work(engine) as session:
        assert service.get(session, job.job_id).result["sent"] == 0
