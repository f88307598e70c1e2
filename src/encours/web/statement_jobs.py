"""The ``statements`` job: the statement of account mailed to each customer ticked on the
worklist, away from the request; progress per customer, failures per customer in its result.

Each customer is one transaction: a sent statement is recorded (audit trail, timeline) as it
goes, so a retried job skips those already sent and mails only the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from encours.casework.errors import CaseworkError
from encours.domain.errors import EncoursError
from encours.dunning.channels.smtp import smtp_config
from encours.jobs.registry import JobContext, JobFailed, job_kind
from encours.web import workspace_actions


def reason_of(refusal: EncoursError) -> str:
    """The failure's code, told in the page's language by the job page (``jm_reason_*``)."""
    if isinstance(refusal, workspace_actions.NotDelivered):
        return "not_delivered"
    if isinstance(refusal, CaseworkError):
        return "no_email"
    return "refused"


@job_kind("statements")
def statements(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Mail each of ``customer_ids`` its statement at ``as_of``."""
    ids = [str(c) for c in params.get("customer_ids", [])]
    day = dt.date.fromisoformat(str(params["as_of"]))
    actor = str(params.get("actor") or "job")
    smtp = smtp_config(context.settings)
    sent: list[str] = []
    failed: list[dict[str, str]] = []
    for done, cid in enumerate(ids):
        context.progress(done, len(ids), cid)
        key = workspace_actions.statement_key(cid, day, context.job_id)
        try:
            with context.session() as session:
                if not workspace_actions.statement_sent(session, cid, key):
                    workspace_actions.send_statement(session, cid, day, key=key, actor=actor, smtp=smtp,
                                                     data_dir=context.settings.data_dir)  # fmt: skip
            sent.append(cid)
        except EncoursError as refusal:
            failed.append({"customer_id": cid, "reason": reason_of(refusal),
                           "detail": str(refusal)})  # fmt: skip
    context.progress(len(ids), len(ids), "")
    result = {"as_of": day.isoformat(), "customers": len(ids), "sent": sent, "failed": failed}
    if failed:
        raise JobFailed(f"{len(failed)} of {len(ids)} statements not sent: {failed[0]['detail']}", result)
    return result
