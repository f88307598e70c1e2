"""Honest rolling backtest (SPEC §6) of the payment predictor and of the 13-week forecast.

Models are retrained on the first day of every month from the cutoff on, each knowing only
the payments dated before its training day; every invoice issued on or after the cutoff is
predicted on its issue day by the latest model trained on or before that day, with features
known before that day. Nothing dated on or after a prediction day is read for it.

The predicted payment date is the median payment date given the invoice is paid within a
year (the file needs a date, and MAE is measured on settled invoices); ``p_late`` keeps the
whole distribution, the chance of never paying included.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from encours.domain.spreadsheet import csv_cell
from encours.foresight.calibration import CalibrationRow, auc, deciles
from encours.foresight.features import FEATURES, Pairs, feature_matrix
from encours.foresight.forecast import WEEKS, cash_forecast, week_starts
from encours.foresight.history import (
    NEVER,
    NO_REMINDERS,
    Allocations,
    Days,
    History,
    Reminders,
    day_number,
    to_date,
)
from encours.foresight.model import DEFAULT_CONFIG, PaymentModel, TrainingConfig
from encours.foresight.survival import HORIZON

Floats = npt.NDArray[np.float64]
HEADER = ("invoice_id", "customer_id", "issue_date", "due_date", "predicted_payment_date", "p_late")
_DTP_MEDIAN = FEATURES.index("dtp_median")


class Metrics(NamedTuple):
    settled: int
    mae_days: float | None
    auc: float | None
    calibration: list[CalibrationRow]


class ForecastCheck(NamedTuple):
    as_of: dt.date
    actual_cents: int
    expected_cents: int
    baseline_cents: int
    abs_error_cents: int
    baseline_abs_error_cents: int
    weeks_in_band: int


class Backtest(NamedTuple):
    cutoff: dt.date
    history: History  # the invoices issued on or after the cutoff, in output order
    predicted_day: Days
    p_late: Floats
    baseline_day: Days
    model: Metrics
    baseline: Metrics
    retrainings: int
    prior_retrainings: int
    forecasts: list[ForecastCheck]

    def write_csv(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADER)
            h = self.history
            for i in range(h.size):
                writer.writerow([
                    csv_cell(h.invoice_id[i]), csv_cell(h.customer_id[i]), to_date(h.issue[i]).isoformat(),
                    to_date(h.due[i]).isoformat(), to_date(self.predicted_day[i]).isoformat(),
                    f"{self.p_late[i]:.4f}",
                ])  # fmt: skip


def schedule(cutoff: int, last: int) -> Days:
    """Training days: the cutoff, then the first day of every following month up to ``last``."""
    first = to_date(cutoff)
    days = [cutoff]
    month = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    while day_number(month) <= last:
        days.append(day_number(month))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return np.array(days, dtype=np.int64)


def metrics(h: History, predicted_day: Days, score: Floats) -> Metrics:
    settled = h.settled < NEVER
    if not settled.any():
        return Metrics(0, None, None, [])
    error = np.abs(predicted_day[settled] - h.settled[settled])
    late = h.settled[settled] > h.due[settled]
    return Metrics(int(settled.sum()), float(error.mean()), auc(score[settled], late),
                   deciles(score[settled], late))  # fmt: skip


def run_backtest(
    history: History,
    allocations: Allocations,
    cutoff: dt.date,
    config: TrainingConfig = DEFAULT_CONFIG,
    forecast_checks: bool = True,
    reminders: Reminders = NO_REMINDERS,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """``progress(done, total)`` is called after each training day (for a progress bar)."""
    cut = day_number(cutoff)
    order = np.lexsort((history.invoice_id, history.issue))
    history = history.take(order)
    features = feature_matrix(Pairs.at_issue(history), history, reminders)
    target = history.issue >= cut
    last_day = int(max(history.issue.max(initial=cut), allocations.day.max(initial=cut)))
    days = schedule(cut, int(history.issue.max(initial=cut)))
    which = np.searchsorted(days, history.issue[target], side="right") - 1
    h = history.take(target)
    x = features[target]
    predicted = np.zeros(h.size, dtype=np.int64)
    p_late = np.zeros(h.size)
    models: dict[int, PaymentModel] = {}
    for index, day in enumerate(days):
        if progress is not None:
            progress(index, len(days))
        rows = which == index
        needs_forecast = forecast_checks and day - 1 + 7 * WEEKS <= last_day
        if not rows.any() and not needs_forecast:
            continue
        model = PaymentModel.train(history, features, int(day), config)
        models[int(day)] = model
        if rows.any():
            sub = h.take(rows)
            prediction = model.predict(x[rows], sub.issue - sub.due)
            lateness = np.minimum(prediction.lateness(0.5, given_paid=True), HORIZON)
            predicted[rows] = sub.due + np.floor(lateness).astype(np.int64)
            p_late[rows] = prediction.p_late
    baseline_day = np.where(
        np.isnan(x[:, _DTP_MEDIAN]),
        h.due,
        h.issue + np.floor(np.nan_to_num(x[:, _DTP_MEDIAN])).astype(np.int64),
    )
    checks = [
        _forecast_check(model, history, allocations, day - 1, reminders)
        for day, model in sorted(models.items())
        if forecast_checks and day - 1 + 7 * WEEKS <= last_day
    ]
    return Backtest(
        cutoff, h, predicted, p_late, baseline_day,
        metrics(h, predicted, p_late),
        metrics(h, baseline_day, (baseline_day - h.due).astype(np.float64)),
        len(models), sum(m.is_prior for m in models.values()), checks,
    )  # fmt: skip


def _forecast_check(
    model: PaymentModel, history: History, allocations: Allocations, as_of: int, reminders: Reminders
) -> ForecastCheck:
    """Weekly cash-in forecast at ``as_of`` against the cash that really came for those invoices."""
    forecast = cash_forecast(model, history, allocations, as_of, reminders=reminders)
    open_ids = forecast.invoices.history.entry_id
    bounds = week_starts(as_of)
    cash = allocations.is_payment & np.isin(allocations.entry_id, open_ids)
    actual = np.histogram(allocations.day[cash], bins=bounds, weights=allocations.cents[cash])[0]
    actual = np.rint(actual).astype(np.int64)
    # baseline: each open invoice paid in full on issue + its customer's median days-to-pay
    # (known at the as-of date), or the next day when that is already past
    inv = forecast.invoices.history
    at = feature_matrix(Pairs.at(inv, as_of + 1), history, reminders)[:, _DTP_MEDIAN]
    guess = np.where(np.isnan(at), inv.due, inv.issue + np.floor(np.nan_to_num(at)).astype(np.int64))
    guess = np.maximum(guess, as_of + 1)
    baseline = np.histogram(guess, bins=bounds, weights=forecast.invoices.open_cents)[0]
    expected = forecast.total.expected
    in_band = (forecast.total.p10 <= actual) & (actual <= forecast.total.p90)
    return ForecastCheck(
        to_date(as_of), int(actual.sum()), int(expected.sum()), int(np.rint(baseline.sum())),
        int(np.abs(expected - actual).sum()), int(np.rint(np.abs(baseline - actual).sum())),
        int(in_band.sum()),
    )  # fmt: skip
