"""Whole-ledger work of the web app done as jobs: the figures pages read, and the weekly digest.

``figures`` computes what the dashboard and the worklist show (summary, DSO trend, 13-week
forecast, customer priority) for a date and stores the snapshots every web process reads,
so no page computes the whole ledger. It is queued after each import and cash application
(as their sub-job), and by a page that finds a figure missing.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

from encours.dunning.channels.smtp import smtp_config
from encours.dunning.documents import load_company
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


@job_kind("weekly_digest")
def weekly_digest(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """The weekly digest to the users who asked for it (written as a file when no SMTP is set)."""
    day = job_day(params)
    with context.session() as session:
        to = list(params.get("to") or recipients(session))
        digest = build_digest(session, day)
    if not to:
        return {"as_of": day.isoformat(), "sent": 0, "reason": "no recipient"}
    message_id = make_msgid(f"digest-{context.job_id}", domain="encours.invalid")
    smtp = smtp_config(context.settings)
    if smtp is None:
        folder = context.settings.data_dir / "digests"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"digest-{day.isoformat()}-job{context.job_id}.eml"
        sender = context.settings.mail_from or load_company(context.settings.data_dir).email
        path.write_bytes(digest_message(digest, to, sender, message_id).as_bytes())
        return {"as_of": day.isoformat(), "sent": 0, "file": str(path), "to": to}
    send_digest(digest, to, smtp, message_id)
    return {"as_of": day.isoformat(), "sent": len(to), "to": to}
