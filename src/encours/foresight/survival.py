"""Discrete-time survival on lateness bins: person-period expansion and distributions.

Lateness L = payment day − due day. Time is cut into bins [EDGES[k], EDGES[k+1]); an
invoice is at risk from its issue day (L = −terms). A settled invoice contributes one row
per bin up to the bin of its settlement (event = 1 there); an invoice still open at the
knowledge date contributes only the bins it was observed through entirely (censored: no
event, never dropped). The hazard per bin then gives the whole payment-date distribution,
conditional on being unpaid so far when needed (overdue invoices in the forecast).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from encours.foresight.history import Days

Floats = npt.NDArray[np.float64]

EDGES: Days = np.concatenate(
    [
        [-400, -45, -30, -25, -21, -18, -16, -14, -12, -10],
        np.arange(-9, 16),  # daily around the due date, where most payments fall
        [16, 18, 20, 22, 25, 28, 31, 35, 40, 45, 50, 60, 75, 90, 120, 150, 180, 240, 365],
    ]
).astype(np.int64)
N_BINS = len(EDGES) - 1
HORIZON = int(EDGES[-1])  # beyond it: the tail (paid very late or never)
LO: Days = EDGES[:-1]
CDF_CHUNK = 20_000
HI: Days = EDGES[1:]


def bin_of(lateness: Days) -> Days:
    """Index of the bin holding each lateness; N_BINS for the tail, 0 below the first edge."""
    return np.clip(np.searchsorted(EDGES, lateness, side="right") - 1, 0, N_BINS)


class PersonPeriods(NamedTuple):
    row: Days  # index of the invoice in the training set
    bin: Days
    event: npt.NDArray[np.int8]


def expand(
    start: Days, event_lateness: Days, observed_through: Days, settled: npt.NDArray[np.bool_]
) -> PersonPeriods:
    """Person-period rows, vectorised.

    ``start``: lateness on the issue day (−terms); ``event_lateness``: lateness of the
    settlement when ``settled``; ``observed_through``: last lateness known unpaid when not.
    """
    first = bin_of(np.maximum(start, EDGES[0]))
    event_bin = bin_of(event_lateness)
    # bins fully observed while open: HI[k] - 1 <= observed_through
    open_last = np.searchsorted(HI - 1, observed_through, side="right") - 1
    last = np.where(settled & (event_bin < N_BINS), event_bin, np.where(settled, N_BINS - 1, open_last))
    last = np.minimum(last, N_BINS - 1)
    counts = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(len(start), dtype=np.int64), counts)
    offsets = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    bins = np.repeat(first, counts) + offsets
    is_event = settled[row] & (event_bin[row] == bins)
    return PersonPeriods(row, bins, is_event.astype(np.int8))


def period_features(start: Days, bins: Days) -> Floats:
    """Time columns added to the invoice features on each person-period row."""
    lo = np.maximum(LO[bins], start)
    return np.column_stack([LO[bins], lo - start, HI[bins] - lo]).astype(np.float64)


PERIOD_FEATURES = ("bin_lateness", "bin_days_since_issue", "bin_width")


class Distribution(NamedTuple):
    """Payment-lateness distribution per invoice: mass uniform on [lo, HI) in each bin, plus a tail."""

    lo: Floats  # n × N_BINS effective lower bound of each bin
    mass: Floats  # n × N_BINS
    tail: Floats  # n: probability of no payment before HORIZON

    def cdf(self, lateness: Floats) -> Floats:
        """P(L < x) for x of shape n × q (continuous within bins); in row chunks to bound memory."""
        out = np.zeros(lateness.shape)
        for first in range(0, lateness.shape[0], CDF_CHUNK):
            rows = slice(first, first + CDF_CHUNK)
            lo = self.lo[rows]
            width = np.maximum(HI[None, :] - lo, 1e-9)
            share = np.clip((lateness[rows, :, None] - lo[:, None, :]) / width[:, None, :], 0.0, 1.0)
            out[rows] = np.einsum("nqb,nb->nq", share, self.mass[rows])
        return out

    def quantile(self, q: float, given_paid: bool = False) -> Floats:
        """Lateness (days, continuous) at which the CDF reaches ``q``; +inf in the tail.

        ``given_paid``: the quantile of the payment date given the invoice is paid before the
        horizon (a payment date is only meaningful for invoices that get paid).
        """
        mass = self.mass
        if given_paid:
            mass = mass / np.maximum(1.0 - self.tail, 1e-12)[:, None]
        cumulative = np.cumsum(mass, axis=1)
        reached = cumulative >= q - 1e-12
        found = reached.any(axis=1)
        k = np.where(found, reached.argmax(axis=1), N_BINS - 1)
        rows = np.arange(len(k))
        before = cumulative[rows, k] - mass[rows, k]
        width = np.maximum(mass[rows, k], 1e-12)
        lo = self.lo[rows, k]
        value = lo + np.clip((q - before) / width, 0.0, 1.0) * (HI[k] - lo)
        return np.where(found, value, np.inf)

    def p_after(self, lateness: Floats) -> Floats:
        """P(L >= x) for one x per invoice."""
        return 1.0 - self.cdf(lateness[:, None])[:, 0]


def distribution(hazard: Floats, start: Days, unpaid_through: Days | None = None) -> Distribution:
    """Masses from per-bin hazards; optionally conditional on no payment up to ``unpaid_through``.

    ``hazard`` is n × N_BINS, for the bin widths seen in training (the first bin starts at
    the issue day). Conditioning cuts the current bin with a uniform-within-bin assumption.
    """
    n = hazard.shape[0]
    lower = np.maximum(start, EDGES[0])
    if unpaid_through is not None:
        lower = np.maximum(lower, unpaid_through + 1)
    base_lo = np.maximum(LO[None, :], np.maximum(start, EDGES[0])[:, None]).astype(np.float64)
    lo = np.maximum(base_lo, lower[:, None].astype(np.float64))
    width = HI[None, :] - base_lo
    remaining = np.where(width > 0, np.clip((HI[None, :] - lo) / np.maximum(width, 1e-9), 0.0, 1.0), 0.0)
    h = np.clip(hazard, 0.0, 1.0)
    # within a cut bin: P(event in rest | survived the elapsed part)
    elapsed = 1.0 - remaining
    h = np.where(remaining > 0, h * remaining / np.maximum(1.0 - h * elapsed, 1e-12), 0.0)
    survive = np.cumprod(np.concatenate([np.ones((n, 1)), 1.0 - h], axis=1), axis=1)
    mass = survive[:, :-1] * h
    return Distribution(np.minimum(lo, HI[None, :].astype(np.float64)), mass, survive[:, -1])
