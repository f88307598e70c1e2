"""Whole-ledger work of the web app done as jobs: the figures pages read, and the weekly digest.

``figures`` computes what the dashboard and the worklist show (summary, DSO trend, 13-week
forecast, customer priority) for a date and stores the snapshots every web process reads,
so no page computes the whole ledger. It is queued after each import and cash application
(as their sub-job), and by a page that finds a figure missing.
"""

from __future__ import annotations

from typing import Any

from encours.audit.service import record, recorded
from encours.dunning.channels.smtp import message_id, smtp_config
from encours.dunning.documents import load_company
from encours.dunning.fault import FaultInjector
from encours.jobs.registry import JobContext, job_day, job_kind
from encours.web import worklist, worklist_view
from encours.web.dashboard import dashboard_figures
from encours.web.figures import Figures
from encours.web.reports.digest import build_digest, digest_message, recipients, send_digest


@job_kind("figures")
def figures(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Compute and store the dashboard's and worklist's figures at ``as_of`` (default today)."""
    day = job_day(params)
    computer = Figures(foresight_max_entries=context.settings.web_foresight_max_entries, synchronous=True)
    with context.session() as session:
        context.progress(0, 3, "dashboard")
        shown = dashboard_figures(session, computer, day, context.settings.data_dir)
        context.progress(1, 3, "worklist")
        items = worklist.worklist(session, computer, day)
        context.progress(2, 3, "worklist ranking")
        worklist_view.ordered(session, computer, day)  # stored: a new web process reads it
    return {"as_of": day.isoformat(), "kpis": len(shown["kpis"]), "worklist": len(items),
            "forecast": shown["charts"]["forecast"] is not None}  # fmt: skip


DIGEST_SENT = "digest.sent"


@job_kind("weekly_digest")
def weekly_digest(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """The weekly digest to the users who asked for it (written as a file when no SMTP is set).

    Sent once per job: its Message-ID is the job's, and its sending is on the audit trail as
    soon as the server accepted it, so a retried job sends it again only if it was in flight.
    """
    day = job_day(params)
    with context.session() as session:
        to = list(params.get("to") or recipients(session))
        digest = build_digest(session, day)
    if not to:
        return {"as_of": day.isoformat(), "sent": 0, "reason": "no recipient"}
    smtp = smtp_config(context.settings)
    settings = context.settings
    sender = smtp.sender if smtp else settings.mail_from or load_company(settings.data_dir).email
    mid = message_id(f"digest-{day.isoformat()}-job{context.job_id}", sender)
    if smtp is None:
        folder = context.settings.data_dir / "digests"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"digest-{day.isoformat()}-job{context.job_id}.eml"
        path.write_bytes(digest_message(digest, to, sender, mid).as_bytes())
        return {"as_of": day.isoformat(), "sent": 0, "file": str(path), "to": to}
    with context.session() as session:
        if recorded(session, DIGEST_SENT, mid):
            return {"as_of": day.isoformat(), "sent": 0, "to": to, "already_sent": mid}
    send_digest(digest, to, smtp, mid)
    with context.session() as session:
        record(session, "job", DIGEST_SENT, subject=mid, details={"as_of": day.isoformat(), "to": to})
    FaultInjector(context.settings.fault_after_sends).delivered()
    return {"as_of": day.isoformat(), "sent": len(to), "to": to}
