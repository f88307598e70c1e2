"""13-week cash-in forecast from each open invoice's payment-date distribution.

Expected amounts come straight from the distribution (conditional on the invoice being
unpaid at the as-of date, so overdue invoices count too). Bands come from a seeded
simulation where invoices of one customer move together (Gaussian copula), since a
customer that pays late pays all its invoices late.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr  # type: ignore[import-untyped]

from encours.foresight.features import Pairs, feature_matrix
from encours.foresight.history import NEVER, NO_REMINDERS, Allocations, Days, History, Reminders, open_cents
from encours.foresight.model import PaymentModel
from encours.foresight.survival import Distribution

Floats = npt.NDArray[np.float64]
WEEKS = 13
SIMULATIONS = 400
SEED = 20240613
CORRELATION = 0.4
CHUNK_CELLS = 4_000_000


class OpenInvoices(NamedTuple):
    history: History  # the invoices open at the as-of date
    open_cents: Days
    expected_day: Days  # median payment day (the MAE-optimal point); NEVER beyond the horizon
    p10_day: Days
    p90_day: Days
    p_late: Floats
    weekly_cents: Days  # n × WEEKS expected cash-in, rounded so that rows sum to at most open_cents
    weekly_probability: Floats  # n × (WEEKS + 1): P(paid in week w), last = later or never
    distribution: Distribution  # lateness distribution, conditional on unpaid at the as-of date


class Band(NamedTuple):
    expected: Days  # WEEKS cents
    p10: Days
    p90: Days


class CashForecast(NamedTuple):
    as_of: int
    invoices: OpenInvoices
    total: Band
    customers: dict[str, Band]


def week_starts(as_of: int) -> Days:
    """First day of each week (the first week starts the day after the as-of date), plus the end."""
    return as_of + 1 + 7 * np.arange(WEEKS + 1, dtype=np.int64)


def predict_open(
    model: PaymentModel,
    history: History,
    allocations: Allocations,
    as_of: int,
    currency: str | None = None,
    reminders: Reminders = NO_REMINDERS,
) -> OpenInvoices:
    """Invoices issued by ``as_of`` and open then, predicted with what was known through that day."""
    remaining = open_cents(history, allocations, as_of)
    mask = (history.issue <= as_of) & (remaining > 0)
    if currency is not None:
        mask &= history.currency == currency
    h = history.take(mask)
    remaining = remaining[mask]
    features = feature_matrix(Pairs.at(h, as_of + 1), history, reminders)
    prediction = model.predict(features, h.issue - h.due, np.full(h.size, as_of, dtype=np.int64) - h.due)
    dist = prediction.distribution
    bounds = week_starts(as_of)[None, :] - h.due[:, None]
    cdf = dist.cdf(bounds.astype(np.float64)) if h.size else np.zeros((0, WEEKS + 1))
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0), axis=1)
    cumulative = np.rint(remaining[:, None] * cdf).astype(np.int64)
    weekly = np.diff(cumulative, axis=1)
    probability = (
        np.column_stack([np.diff(cdf, axis=1), 1.0 - cdf[:, -1]]) if h.size else np.zeros((0, WEEKS + 1))
    )

    def day(q: float) -> Days:
        lateness = prediction.lateness(q)
        finite = np.isfinite(lateness)
        return np.where(finite, h.due + np.floor(np.where(finite, lateness, 0)).astype(np.int64), NEVER)

    return OpenInvoices(
        h, remaining, day(0.5), day(0.1), day(0.9), prediction.p_late, weekly, probability, dist
    )


def _simulate(
    amount: Floats, group: Days, cumulative: Floats, rng: np.random.Generator, groups: int
) -> Floats:
    """groups × SIMULATIONS × WEEKS simulated cash-in; ``group`` indexes customers 0..groups-1."""
    n = len(amount)
    common = rng.standard_normal((SIMULATIONS, groups))
    own = rng.standard_normal((SIMULATIONS, n))
    u = ndtr(CORRELATION * common[:, group] + np.sqrt(1 - CORRELATION**2) * own)
    week = (cumulative[None, :, :] <= u[:, :, None]).sum(axis=2)  # S × n, WEEKS means later
    sims = np.arange(SIMULATIONS)[:, None]
    index = (group[None, :] * SIMULATIONS + sims) * (WEEKS + 1) + week
    sums = np.bincount(index.ravel(), weights=np.broadcast_to(amount, week.shape).ravel(),
                       minlength=groups * SIMULATIONS * (WEEKS + 1))  # fmt: skip
    return np.asarray(sums, dtype=np.float64).reshape(groups, SIMULATIONS, WEEKS + 1)[:, :, :WEEKS]


def _band(expected: Days, sims: Floats) -> Band:
    low, high = np.quantile(sims, [0.1, 0.9], axis=0)
    return Band(expected, np.rint(low).astype(np.int64), np.rint(high).astype(np.int64))


def cash_forecast(
    model: PaymentModel,
    history: History,
    allocations: Allocations,
    as_of: int,
    currency: str | None = None,
    reminders: Reminders = NO_REMINDERS,
) -> CashForecast:
    """Per-invoice predictions, weekly expected cash-in with 10–90 % bands, by customer and in total."""
    invoices = predict_open(model, history, allocations, as_of, currency, reminders)
    customer_ids = invoices.history.customer_id
    order = np.lexsort((invoices.history.entry_id, customer_ids))
    names, group = np.unique(customer_ids[order], return_inverse=True)
    amount = invoices.open_cents[order].astype(np.float64)
    cumulative = np.cumsum(invoices.weekly_probability[order][:, :WEEKS], axis=1)
    rng = np.random.default_rng(SEED)
    total_sims = np.zeros((SIMULATIONS, WEEKS))
    customers: dict[str, Band] = {}
    weekly = invoices.weekly_cents[order]
    boundaries = np.searchsorted(group, np.arange(len(names) + 1))
    per_cell = SIMULATIONS * (WEEKS + 1)
    first = 0
    while first < len(names):
        last = first + 1
        while last < len(names) and (boundaries[last + 1] - boundaries[first]) * per_cell <= CHUNK_CELLS:
            last += 1
        rows = slice(boundaries[first], boundaries[last])
        sims = _simulate(amount[rows], group[rows] - first, cumulative[rows], rng, last - first)
        total_sims += sims.sum(axis=0)
        for offset in range(last - first):
            index = first + offset
            expected = weekly[boundaries[index] : boundaries[index + 1]].sum(axis=0)
            customers[str(names[index])] = _band(expected, sims[offset])
        first = last
    return CashForecast(as_of, invoices, _band(weekly.sum(axis=0), total_sims), customers)
