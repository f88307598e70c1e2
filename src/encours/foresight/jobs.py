"""Foresight as a job: the nightly training of the payment model, and the risk scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from encours.foresight.history import to_date
from encours.foresight.scoring import store_scores
from encours.foresight.service import read_ledger, train_model
from encours.jobs.registry import JobContext, job_kind


@job_kind("model_training")
def model_training(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Train the payment model on the whole ledger, then store every customer's risk score."""
    with context.session() as session:
        context.progress(0, 3, "reading the ledger")
        ledger = read_ledger(session)
        h, a = ledger.history, ledger.allocations
        last = max(int(h.issue.max(initial=0)), int(a.day.max(initial=0)))
        if last == 0:
            return {"trained": False, "reason": "the ledger has no invoice"}
        day = dt.date.fromisoformat(str(params["as_of"])) if params.get("as_of") else to_date(last)
        context.progress(1, 3, "training the payment model")
        model = train_model(session, ledger, day + dt.timedelta(days=1))
    with context.session() as session:
        context.progress(2, 3, "scoring customers")
        scores, alerts = store_scores(session, read_ledger(session), day)
    return {
        "trained": True, "as_of": day.isoformat(), "invoices": model.n_invoices,
        "settled": model.n_settled, "prior": model.is_prior, "scores": len(scores), "alerts": len(alerts),
    }  # fmt: skip
