"""The payment model: a discrete-time hazard fitted by LightGBM on person-period rows.

Trained from one knowledge date K: invoices issued before K, their features as on their
issue day, settlements dated before K as events and every other invoice censored at K − 1.
The late-payment probability is Platt-calibrated on a later, time-ordered fold. Without
enough history the model falls back to a prior: the customer's own lateness when known,
else a terms-based French B2B prior. Deterministic: fixed seed, one thread.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from scipy.special import ndtr  # type: ignore[import-untyped]

from encours.foresight.calibration import Platt
from encours.foresight.features import FEATURES
from encours.foresight.history import Days, History
from encours.foresight.survival import (
    EDGES,
    HI,
    LO,
    N_BINS,
    PERIOD_FEATURES,
    Distribution,
    distribution,
    expand,
    period_features,
)

Floats = npt.NDArray[np.float64]
KIND = "payment_hazard"
FORMAT_VERSION = 1
MIN_SETTLED = 40  # fewer settled invoices than this: the prior is more honest than a fit
PRIOR_LATE_MEDIAN = 7.0  # days; French B2B invoices are paid about a week or two late
PRIOR_LATE_STD = 20.0
CHUNK = 20_000
MAX_TRAINING_INVOICES = 60_000  # about 2M person-period rows


class TrainingConfig(NamedTuple):
    rounds: int = 250
    learning_rate: float = 0.04
    num_leaves: int = 7
    min_data_in_leaf: int = 100
    seed: int = 7
    validation_days: int = 120

    def params(self) -> dict[str, Any]:
        return {
            "objective": "binary", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf, "lambda_l2": 1.0, "feature_fraction": 0.9,
            "feature_fraction_seed": self.seed, "seed": self.seed, "deterministic": True,
            "num_threads": 1, "force_row_wise": True, "verbose": -1,
        }  # fmt: skip


DEFAULT_CONFIG = TrainingConfig()


class Prediction(NamedTuple):
    distribution: Distribution
    p_late: Floats  # probability of payment after the due date

    def lateness(self, q: float, given_paid: bool = False) -> Floats:
        """Quantile of the lateness in days; +inf when it lies beyond the horizon (maybe never)."""
        return self.distribution.quantile(q, given_paid)


def training_rows(
    history: History, features: Floats, knowledge_before: int
) -> tuple[Floats, npt.NDArray[np.int8], int]:
    """Person-period matrix for a model that knows what happened before ``knowledge_before``."""
    issued = np.flatnonzero(history.issue < knowledge_before)
    if len(issued) > MAX_TRAINING_INVOICES:  # the most recent ones: bounded memory on big ledgers
        recent = np.argsort(history.issue[issued], kind="stable")[-MAX_TRAINING_INVOICES:]
        issued = np.sort(issued[recent])
    h = history.take(issued)
    x = features[issued]
    settled = h.settled < knowledge_before
    periods = expand(h.issue - h.due, h.settled - h.due, knowledge_before - 1 - h.due, settled)
    matrix = np.hstack([x[periods.row], period_features((h.issue - h.due)[periods.row], periods.bin)])
    return matrix, periods.event, int(settled.sum())


def _fit(matrix: Floats, event: npt.NDArray[np.int8], config: TrainingConfig) -> lgb.Booster:
    data = lgb.Dataset(matrix, label=event, feature_name=[*FEATURES, *PERIOD_FEATURES], free_raw_data=True)
    return lgb.train(config.params(), data, num_boost_round=config.rounds)


class PaymentModel:
    """Hazards per lateness bin for invoices described by ``FEATURES``."""

    def __init__(
        self,
        knowledge_before: int,
        booster: lgb.Booster | None,
        platt: Platt,
        n_invoices: int,
        n_settled: int,
    ) -> None:
        self.knowledge_before = knowledge_before
        self.booster = booster
        self.platt = platt
        self.n_invoices = n_invoices
        self.n_settled = n_settled

    @property
    def is_prior(self) -> bool:
        return self.booster is None

    @classmethod
    def train(
        cls,
        history: History,
        features: Floats,
        knowledge_before: int,
        config: TrainingConfig = DEFAULT_CONFIG,
    ) -> PaymentModel:
        matrix, event, n_settled = training_rows(history, features, knowledge_before)
        n_invoices = int((history.issue < knowledge_before).sum())
        if n_settled < MIN_SETTLED or event.sum() == 0 or event.sum() == len(event):
            return cls(knowledge_before, None, Platt(), n_invoices, n_settled)
        booster = _fit(matrix, event, config)
        return cls(knowledge_before, booster, _calibrate(history, features, knowledge_before, config),
                   n_invoices, n_settled)  # fmt: skip

    def hazards(self, features: Floats, start: Days) -> Floats:
        """n × N_BINS hazards; rows are built bin by bin, in chunks to bound memory."""
        n = features.shape[0]
        if self.booster is None:
            return prior_hazards(features, start)
        out = np.zeros((n, N_BINS))
        bins = np.arange(N_BINS, dtype=np.int64)
        for first in range(0, n, CHUNK):
            x = features[first : first + CHUNK]
            s = start[first : first + CHUNK]
            rows = np.repeat(np.arange(len(x)), N_BINS)
            grid = np.tile(bins, len(x))
            matrix = np.hstack([x[rows], period_features(s[rows], grid)])
            out[first : first + CHUNK] = np.asarray(self.booster.predict(matrix)).reshape(len(x), N_BINS)
        return out

    def predict(self, features: Floats, start: Days, unpaid_through: Days | None = None) -> Prediction:
        """Distribution of the payment lateness, conditional on being unpaid through a day."""
        dist = distribution(self.hazards(features, start), start, unpaid_through)
        raw = dist.p_after(np.ones(len(start)))
        p_late = raw if self.booster is None else self.platt.apply(raw)
        if unpaid_through is not None:
            p_late = np.where(unpaid_through >= 0, 1.0, p_late)  # already unpaid after due: late
        return Prediction(dist, np.clip(p_late, 0.0, 1.0))

    def to_json(self) -> str:
        return json.dumps({
            "version": FORMAT_VERSION, "kind": KIND, "knowledge_before": self.knowledge_before,
            "features": [*FEATURES, *PERIOD_FEATURES], "edges": EDGES.tolist(),
            "booster": None if self.booster is None else self.booster.model_to_string(),
            "platt": list(self.platt), "n_invoices": self.n_invoices, "n_settled": self.n_settled,
        }, sort_keys=True)  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> PaymentModel | None:
        """None when the stored artifact was made for other features or bins: retrain."""
        data = json.loads(text)
        if (
            data.get("version") != FORMAT_VERSION
            or data.get("features") != [*FEATURES, *PERIOD_FEATURES]
            or data.get("edges") != EDGES.tolist()
        ):
            return None
        booster = None if data["booster"] is None else lgb.Booster(model_str=data["booster"])
        return cls(int(data["knowledge_before"]), booster, Platt(*data["platt"]),
                   int(data["n_invoices"]), int(data["n_settled"]))  # fmt: skip


def _calibrate(history: History, features: Floats, knowledge_before: int, config: TrainingConfig) -> Platt:
    """Fit on data known at K − v days, calibrate on invoices issued since then and due before K."""
    fold_start = knowledge_before - config.validation_days
    matrix, event, n_settled = training_rows(history, features, fold_start)
    if n_settled < MIN_SETTLED or event.sum() == 0:
        return Platt()
    booster = _fit(matrix, event, config)
    fold = (history.issue >= fold_start) & (history.due < knowledge_before)
    if not fold.any():
        return Platt()
    early = PaymentModel(fold_start, booster, Platt(), 0, n_settled)
    h = history.take(fold)
    raw = early.predict(features[fold], h.issue - h.due).p_late
    return Platt.fit(raw, h.settled > h.due)


_LATE_MEDIAN = FEATURES.index("late_median")
_LATE_STD = FEATURES.index("late_std")


def prior_hazards(features: Floats, start: Days) -> Floats:
    """Cold start: lateness ~ Normal(customer median or 7 days, customer spread or 20 days)."""
    median = features[:, _LATE_MEDIAN]
    spread = features[:, _LATE_STD]
    mu = np.where(np.isnan(median), PRIOR_LATE_MEDIAN, median)
    sigma = np.where(np.isnan(spread), PRIOR_LATE_STD, np.clip(spread, 3.0, 40.0))
    lower = np.maximum(start, EDGES[0])[:, None].astype(np.float64)
    lo = np.maximum(LO[None, :], lower) - 0.5
    hi = np.maximum(HI[None, :], lower) - 0.5
    below = ndtr((lower - 0.5 - mu[:, None]) / sigma[:, None])  # mass before the issue day moves to it
    mass = ndtr((hi - mu[:, None]) / sigma[:, None]) - ndtr((lo - mu[:, None]) / sigma[:, None])
    first = np.argmax(HI[None, :] > lower, axis=1)
    mass[np.arange(len(first)), first] += below[:, 0]
    survive = 1.0 - np.cumsum(mass, axis=1) + mass
    return np.where(survive > 1e-12, np.clip(mass / np.maximum(survive, 1e-12), 0.0, 1.0), 1.0)
