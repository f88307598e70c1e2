"""Feature matrix for (invoice, knowledge date) pairs, computed set-wise in DuckDB.

Every pair carries its own knowledge date K: the customer-history features only use what
was known before K (invoices issued before K, settlements dated before K, and for invoices
still open at K only the fact that they were still open). The invoice's own outcome is
never read. The backtest predicts each invoice at its issue date, so K = issue date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import NamedTuple

import duckdb
import holidays
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from encours.foresight.history import EPOCH, NEVER, NO_REMINDERS, Days, History, Reminders

INVOICE_FEATURES = (
    "log_amount", "terms", "disputed", "issue_dow", "issue_dom", "due_dow", "due_to_month_end",
    "due_off_days", "issue_month",
)  # fmt: skip
HISTORY_FEATURES = (
    "n_hist", "n_settled", "dtp_mean", "dtp_median", "dtp_std", "late_mean", "late_median",
    "late_std", "late_ewm", "late_recent", "late_old", "late_trend", "late_rate", "late_rate_recent",
    "open_n", "open_overdue_n", "open_overdue_max", "open_overdue_share", "partial_rate",
    "dispute_rate", "disputed_late_mean", "days_since_settlement", "customer_age", "amount_rel",
    "reminders_n", "reminders_recent",
)  # fmt: skip
FEATURES = INVOICE_FEATURES + HISTORY_FEATURES

RECENT_DAYS = 90
EWM_DAYS = 120.0


class Pairs(NamedTuple):
    """Invoices to describe, each with the knowledge date of its prediction (day numbers)."""

    entry_id: Days  # -1 for a hypothetical invoice (scoring a customer)
    customer_pk: Days
    issue: Days
    due: Days
    amount_cents: Days
    disputed: npt.NDArray[np.bool_]
    knowledge_before: Days

    @classmethod
    def at_issue(cls, history: History) -> Pairs:
        """Every invoice predicted as on its issue date: knowledge = payments dated before it."""
        return cls(history.entry_id, history.customer_pk, history.issue, history.due,
                   history.amount_cents, history.disputed, history.issue)  # fmt: skip

    @classmethod
    def at(cls, history: History, knowledge_before: int) -> Pairs:
        return cls(history.entry_id, history.customer_pk, history.issue, history.due,
                   history.amount_cents, history.disputed,
                   np.full(history.size, knowledge_before, dtype=np.int64))  # fmt: skip


@cache
def _holidays(year: int) -> tuple[int, ...]:
    """French public holidays of one year, as day numbers."""
    return tuple(sorted((day - EPOCH).days for day in holidays.country_holidays("FR", years=year)))


def _calendar(days: Days) -> tuple[Days, Days, Days, Days]:
    """Weekday (Mon=0), day of month, month, days to month end."""
    d64 = days.astype("datetime64[D]")
    month = d64.astype("datetime64[M]")
    dom = (d64 - month.astype("datetime64[D]")).astype(np.int64) + 1
    month_end = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    to_end = (month_end - d64).astype(np.int64)
    weekday = (days + 3) % 7
    month_no = month.astype(np.int64) % 12 + 1
    return weekday, dom, month_no, to_end


def _off_run(days: Days) -> Days:
    """How many non-working days (weekend or French holiday) start at each day."""
    unique, back = np.unique(days, return_inverse=True)
    years = {(EPOCH + dt.timedelta(days=int(d))).year for d in unique} | {
        (EPOCH + dt.timedelta(days=int(d) + 7)).year for d in unique
    }
    off = np.array(sorted(h for year in years for h in _holidays(year)), dtype=np.int64)
    run = np.zeros(len(unique), dtype=np.int64)
    going = np.ones(len(unique), dtype=bool)
    for step in range(14):  # no run of days off is longer than a long weekend plus holidays
        day = unique + step
        going &= ((day + 3) % 7 >= 5) | np.isin(day, off)
        run += going
    return run[back].reshape(days.shape)


def invoice_features(pairs: Pairs) -> dict[str, npt.NDArray[np.float64]]:
    issue_dow, issue_dom, issue_month, _ = _calendar(pairs.issue)
    due_dow, _, _, due_to_end = _calendar(pairs.due)
    return {
        "log_amount": np.log1p(pairs.amount_cents / 100.0),
        "terms": (pairs.due - pairs.issue).astype(np.float64),
        "disputed": pairs.disputed.astype(np.float64),
        "issue_dow": issue_dow.astype(np.float64),
        "issue_dom": issue_dom.astype(np.float64),
        "due_dow": due_dow.astype(np.float64),
        "due_to_month_end": due_to_end.astype(np.float64),
        "due_off_days": _off_run(pairs.due).astype(np.float64),
        "issue_month": issue_month.astype(np.float64),
    }


# over foresight.history (settled days from the one rule): invoice amounts, not open amounts
HISTORY_SQL = f"""
SELECT p.pair,
       COUNT(h.entry_id) AS n_hist,
       COUNT(h.entry_id) FILTER (WHERE h.settled < p.k) AS n_settled,
       AVG(h.settled - h.issue) FILTER (WHERE h.settled < p.k) AS dtp_mean,
       MEDIAN(h.settled - h.issue) FILTER (WHERE h.settled < p.k) AS dtp_median,
       STDDEV_SAMP(h.settled - h.issue) FILTER (WHERE h.settled < p.k) AS dtp_std,
       AVG(h.settled - h.due) FILTER (WHERE h.settled < p.k) AS late_mean,
       MEDIAN(h.settled - h.due) FILTER (WHERE h.settled < p.k) AS late_median,
       STDDEV_SAMP(h.settled - h.due) FILTER (WHERE h.settled < p.k) AS late_std,
       SUM((h.settled - h.due) * EXP((h.settled - p.k) / {EWM_DAYS})) FILTER (WHERE h.settled < p.k)
         / SUM(EXP((h.settled - p.k) / {EWM_DAYS})) FILTER (WHERE h.settled < p.k) AS late_ewm,
       AVG(h.settled - h.due) FILTER (WHERE h.settled < p.k AND h.settled >= p.k - {RECENT_DAYS})
         AS late_recent,
       AVG(h.settled - h.due) FILTER (WHERE h.settled < p.k - {RECENT_DAYS}) AS late_old,
       AVG(CASE WHEN h.settled > h.due THEN 1.0 ELSE 0.0 END) FILTER (WHERE h.due < p.k) AS late_rate,
       AVG(CASE WHEN h.settled > h.due THEN 1.0 ELSE 0.0 END)
         FILTER (WHERE h.due < p.k AND h.due >= p.k - {RECENT_DAYS}) AS late_rate_recent,
       COUNT(h.entry_id) FILTER (WHERE h.settled >= p.k) AS open_n,
       COUNT(h.entry_id) FILTER (WHERE h.settled >= p.k AND h.due < p.k) AS open_overdue_n,
       MAX(p.k - 1 - h.due) FILTER (WHERE h.settled >= p.k AND h.due < p.k) AS open_overdue_max,
       SUM(h.amount_cents) FILTER (WHERE h.settled >= p.k AND h.due < p.k)
         / NULLIF(SUM(h.amount_cents) FILTER (WHERE h.settled >= p.k), 0) AS open_overdue_share,
       AVG(CASE WHEN h.first_alloc < LEAST(h.settled, p.k) THEN 1.0 ELSE 0.0 END) AS partial_rate,
       AVG(CASE WHEN h.disputed THEN 1.0 ELSE 0.0 END) AS dispute_rate,
       AVG(h.settled - h.due) FILTER (WHERE h.settled < p.k AND h.disputed) AS disputed_late_mean,
       p.k - MAX(h.settled) FILTER (WHERE h.settled < p.k) AS days_since_settlement,
       p.k - MIN(h.issue) AS customer_age,
       p.amount_cents / AVG(h.amount_cents) AS amount_rel
FROM pairs p
LEFT JOIN hist h
  ON h.customer_pk = p.customer_pk AND h.issue < p.k AND h.entry_id <> p.entry_id
GROUP BY p.pair, p.k, p.amount_cents
ORDER BY p.pair
"""


REMINDERS_SQL = f"""
SELECT p.pair, COUNT(r.day) AS reminders_n,
       COUNT(r.day) FILTER (WHERE r.day >= p.k - {RECENT_DAYS}) AS reminders_recent
FROM pairs p
LEFT JOIN reminders r ON r.customer_pk = p.customer_pk AND r.day < p.k
GROUP BY p.pair
ORDER BY p.pair
"""


def history_features(
    pairs: Pairs, history: History, reminders: Reminders = NO_REMINDERS
) -> dict[str, npt.NDArray[np.float64]]:
    """Customer-history aggregates per pair, one range join in DuckDB."""
    n = len(pairs.entry_id)
    if n == 0:
        return {name: np.zeros(0) for name in HISTORY_FEATURES}
    connection = duckdb.connect(config={"threads": 1})  # one thread: float sums in a fixed order
    try:
        connection.register(
            "pairs",
            pa.table({
                "pair": np.arange(n, dtype=np.int64), "entry_id": pairs.entry_id,
                "customer_pk": pairs.customer_pk, "k": pairs.knowledge_before,
                "amount_cents": pairs.amount_cents,
            }),
        )  # fmt: skip
        connection.register(
            "hist",
            pa.table({
                "entry_id": history.entry_id, "customer_pk": history.customer_pk,
                "issue": history.issue, "due": history.due, "amount_cents": history.amount_cents,
                "disputed": history.disputed, "first_alloc": history.first_alloc,
                "settled": history.settled,
            }),
        )  # fmt: skip
        connection.register(
            "reminders", pa.table({"customer_pk": reminders.customer_pk, "day": reminders.day})
        )
        result = connection.execute(HISTORY_SQL).fetchnumpy()
        result |= connection.execute(REMINDERS_SQL).fetchnumpy()
    finally:
        connection.close()
    columns: dict[str, npt.NDArray[np.float64]] = {}
    for name in HISTORY_FEATURES:
        if name == "late_trend":
            continue
        values = result[name]
        if isinstance(values, np.ma.MaskedArray):
            values = np.ma.filled(values.astype(np.float64), np.nan)
        columns[name] = np.asarray(values, dtype=np.float64)
    columns["late_trend"] = columns["late_recent"] - columns["late_old"]
    return {name: columns[name] for name in HISTORY_FEATURES}


def feature_matrix(
    pairs: Pairs, history: History, reminders: Reminders = NO_REMINDERS
) -> npt.NDArray[np.float64]:
    """Rows in pair order, columns in ``FEATURES`` order; NaN where history is missing."""
    columns = invoice_features(pairs) | history_features(pairs, history, reminders)
    if len(pairs.entry_id) == 0:
        return np.zeros((0, len(FEATURES)))
    return np.column_stack([columns[name] for name in FEATURES])


__all__ = ["FEATURES", "NEVER", "Pairs", "feature_matrix"]
