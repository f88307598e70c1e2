"""Customer risk score (0–100, 100 = safest), segments A–D, reasons in plain words, credit limits.

The score is 100 minus penalty points, each from one understandable signal, so the reasons
shown are exactly what moved the score: the model's probability that the customer's next
invoice is paid late and by how much, overdue invoices now, a worsening trend, disputes.
Scores are stored per day; a drop against the previous stored score is an audit alert.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from sqlalchemy.orm import Session

from encours.audit import service as audit
from encours.foresight.features import FEATURES, Pairs, feature_matrix
from encours.foresight.history import NO_REMINDERS, History, Reminders, day_number
from encours.foresight.model import PaymentModel
from encours.foresight.repository import ForesightRepository, StoredScore
from encours.foresight.service import Ledger, model_for

Floats = npt.NDArray[np.float64]
SEGMENTS = (("A", 80), ("B", 60), ("C", 40), ("D", 0))
LIMIT_FACTOR = {"A": Decimal("1.5"), "B": Decimal("1.0"), "C": Decimal("0.6"), "D": Decimal("0.25")}
LIMIT_STEP_CENTS = 10_000  # recommended limits are round hundreds
ALERT_DROP = 10  # points
MIN_POINTS = 2.0  # smaller penalties are not worth a reason


class Reason(NamedTuple):
    code: str
    points: float
    en: str
    fr: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "points": round(self.points, 1), "en": self.en, "fr": self.fr}


class CustomerScore(NamedTuple):
    customer_id: str
    score: int
    segment: str
    reasons: tuple[Reason, ...]
    recommended_credit_limit_cents: int
    p_late: float
    expected_days_late: float


class Alert(NamedTuple):
    customer_id: str
    previous_score: int
    score: int
    previous_segment: str
    segment: str


def segment_of(score: int) -> str:
    return next(name for name, floor in SEGMENTS if score >= floor)


def _penalties(p_late: float, days_late: float, row: Floats) -> list[Reason]:
    f = dict(zip(FEATURES, row, strict=True))
    reasons = []
    reasons.append(Reason(
        "late_probability", 40.0 * p_late,
        f"{p_late:.0%} chance that the next invoice is paid after its due date",
        f"{p_late:.0%} de risque que la prochaine facture soit payée après l'échéance",
    ))  # fmt: skip
    late = max(days_late, 0.0)
    reasons.append(Reason(
        "expected_delay", 20.0 * min(late / 60.0, 1.0),
        f"expected to pay about {late:.0f} days after the due date",
        f"paiement attendu environ {late:.0f} jours après l'échéance",
    ))  # fmt: skip
    share = 0.0 if np.isnan(f["open_overdue_share"]) else float(f["open_overdue_share"])
    oldest = 0.0 if np.isnan(f["open_overdue_max"]) else float(f["open_overdue_max"])
    if share > 0:
        reasons.append(Reason(
            "overdue_now", 25.0 * share * min(oldest / 45.0, 1.0),
            f"{share:.0%} of the open balance is overdue, the oldest by {oldest:.0f} days",
            f"{share:.0%} de l'encours est échu, le plus ancien depuis {oldest:.0f} jours",
        ))  # fmt: skip
    trend = 0.0 if np.isnan(f["late_trend"]) else float(f["late_trend"])
    if trend > 0:
        reasons.append(Reason(
            "worsening", 10.0 * min(trend / 30.0, 1.0),
            f"pays {trend:.0f} days later over the last 3 months than before",
            f"paie {trend:.0f} jours plus tard sur les 3 derniers mois qu'auparavant",
        ))  # fmt: skip
    disputes = float(f["dispute_rate"]) if not np.isnan(f["dispute_rate"]) else 0.0
    if disputes > 0:
        reasons.append(Reason(
            "disputes", 10.0 * min(disputes * 3.0, 1.0),
            f"{disputes:.0%} of invoices disputed", f"{disputes:.0%} des factures contestées",
        ))  # fmt: skip
    return reasons


def _good_news(row: Floats) -> Reason:
    f = dict(zip(FEATURES, row, strict=True))
    if np.isnan(f["late_rate"]) or f["n_settled"] == 0:
        return Reason("no_history", 0.0, "no payment history yet: prior assumptions used",
                      "pas encore d'historique de paiement : hypothèses par défaut")  # fmt: skip
    on_time = 1.0 - float(f["late_rate"])
    return Reason("pays_on_time", 0.0, f"{on_time:.0%} of invoices paid by their due date",
                  f"{on_time:.0%} des factures payées à l'échéance")  # fmt: skip


def score_customers(
    model: PaymentModel, history: History, as_of: dt.date, reminders: Reminders = NO_REMINDERS
) -> list[CustomerScore]:
    """One score per customer with at least one invoice issued by ``as_of``, by customer id."""
    day = day_number(as_of)
    known = history.take(history.issue <= day)
    if known.size == 0:
        return []
    ids, pk, median_amount, terms, yearly = _customer_profile(known, day)
    # a typical next invoice of each customer, issued the day after, with what is known now
    issue = np.full(len(ids), day + 1, dtype=np.int64)
    pairs = Pairs(
        entry_id=np.full(len(ids), -1, dtype=np.int64), customer_pk=pk, issue=issue,
        due=issue + np.rint(terms).astype(np.int64), amount_cents=np.rint(median_amount).astype(np.int64),
        disputed=np.zeros(len(ids), dtype=bool), knowledge_before=issue,
    )  # fmt: skip
    features = feature_matrix(pairs, history, reminders)
    prediction = model.predict(features, pairs.issue - pairs.due)
    days_late = np.minimum(prediction.lateness(0.5), 365.0)
    scores = []
    for i, customer_id in enumerate(ids):  # assembling words per customer; the numbers are set-wise
        penalties = _penalties(float(prediction.p_late[i]), float(days_late[i]), features[i])
        score = int(np.clip(round(100.0 - sum(r.points for r in penalties)), 0, 100))
        segment = segment_of(score)
        top = sorted((r for r in penalties if r.points >= MIN_POINTS), key=lambda r: (-r.points, r.code))[:3]
        monthly = Decimal(int(yearly[i])) / 12
        exposure_months = Decimal(int(max(terms[i], 0) + max(days_late[i], 0))) / 30 + 1
        limit = monthly * exposure_months * LIMIT_FACTOR[segment] / LIMIT_STEP_CENTS
        limit_cents = int(limit.to_integral_value(rounding=ROUND_DOWN)) * LIMIT_STEP_CENTS
        scores.append(
            CustomerScore(
                str(customer_id),
                score,
                segment,
                tuple(top) or (_good_news(features[i]),),
                limit_cents,
                float(prediction.p_late[i]),
                float(days_late[i]),
            )
        )
    return scores


# sales totals per customer, not open amounts
PROFILE_SQL = """
SELECT customer_id, MIN(customer_pk), MEDIAN(amount_cents), MEDIAN(due - issue),
       SUM(amount_cents) FILTER (WHERE issue > ?)
FROM invoices GROUP BY customer_id ORDER BY customer_id
"""


def _customer_profile(
    known: History, day: int
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64], Floats, Floats, Floats]:
    """Per customer: id, pk, median amount, median terms, sales of the last 365 days (cents)."""
    connection = duckdb.connect(config={"threads": 1})  # one thread: float sums in a fixed order
    try:
        connection.register("invoices", pa.table({
            "customer_id": known.customer_id, "customer_pk": known.customer_pk,
            "amount_cents": known.amount_cents, "issue": known.issue, "due": known.due,
        }))  # fmt: skip
        result = connection.execute(PROFILE_SQL, [day - 365]).fetchall()
    finally:
        connection.close()
    columns = list(zip(*result, strict=True))
    floats = [np.array([0.0 if v is None else float(v) for v in c]) for c in columns[2:]]
    return (np.array(columns[0], dtype=str), np.array(columns[1], dtype=np.int64), *floats)  # type: ignore[return-value]


def deteriorated(score: int, segment: str, before: StoredScore | None) -> bool:
    """Segment D, or a score that fell by ``ALERT_DROP`` points or a segment since the last one."""
    if segment == SEGMENTS[-1][0]:
        return True
    return before is not None and (before.score - score >= ALERT_DROP or segment > before.segment)


def capped_limit(recommended_cents: int, limit_cents: int | None, exposure_cents: int, worse: bool) -> int:
    """The recommended limit never rises above the current one for a deteriorating customer
    (``worse``) or one already over its limit: more credit is never the answer to more risk."""
    if limit_cents is None or not (worse or exposure_cents > limit_cents):
        return recommended_cents
    return min(recommended_cents, limit_cents)


def store_scores(session: Session, ledger: Ledger, as_of: dt.date) -> tuple[list[CustomerScore], list[Alert]]:
    """Compute, store (replacing that day's) and alert on deterioration against the previous score."""
    choice = model_for(session, ledger, as_of)
    repository = ForesightRepository(session)
    names = repository.customer_names()
    previous = repository.scores(as_of, before=True)
    credit = repository.credit_positions(as_of)
    scores = []
    for s in score_customers(choice.model, ledger.history, as_of, ledger.reminders):
        limit, exposure = credit.get(s.customer_id, (None, 0))
        worse = deteriorated(s.score, s.segment, previous.get(s.customer_id))
        recommended = capped_limit(s.recommended_credit_limit_cents, limit, exposure, worse)
        scores.append(s._replace(recommended_credit_limit_cents=recommended))
    repository.replace_scores(as_of, [
        StoredScore(names[s.customer_id][0], s.customer_id, as_of, s.score, s.segment,
                    [r.to_json() for r in s.reasons], s.recommended_credit_limit_cents)
        for s in scores
    ])  # fmt: skip
    alerts = []
    for s in scores:
        before = previous.get(s.customer_id)
        if before is None:
            continue
        if before.score - s.score >= ALERT_DROP or s.segment > before.segment:
            alert = Alert(s.customer_id, before.score, s.score, before.segment, s.segment)
            alerts.append(alert)
            audit.record(
                session, "system", "risk.deteriorated", customer_id=s.customer_id, subject=s.segment,
                details={"as_of": as_of.isoformat(), "previous_as_of": before.as_of.isoformat(),
                         "previous_score": before.score, "score": s.score,
                         "previous_segment": before.segment, "segment": s.segment,
                         "reasons": [r.en for r in s.reasons]},
            )  # fmt: skip
    return scores, alerts
