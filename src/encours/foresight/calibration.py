"""Calibration of the late-payment probability on a time-ordered validation fold.

Platt scaling (a logistic regression on the logit of the raw probability) keeps the order
of the predictions, so it fixes calibration without costing any AUC.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

Floats = npt.NDArray[np.float64]
MIN_ROWS = 40
MIN_CLASS = 8


def _logit(p: Floats) -> Floats:
    clipped = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(clipped / (1 - clipped))


class Platt(NamedTuple):
    slope: float = 1.0
    intercept: float = 0.0

    def apply(self, p: Floats) -> Floats:
        return 1.0 / (1.0 + np.exp(-(self.slope * _logit(p) + self.intercept)))

    @classmethod
    def fit(cls, p: Floats, outcome: npt.NDArray[np.bool_]) -> Platt:
        """Identity when the fold is too small or one-sided to say anything."""
        positives = int(outcome.sum())
        if len(p) < MIN_ROWS or min(positives, len(p) - positives) < MIN_CLASS:
            return cls()
        model = LogisticRegression(C=100.0)
        model.fit(_logit(p)[:, None], outcome.astype(np.int64))
        slope = float(model.coef_[0, 0])
        if slope <= 0:  # a reversed fold says the model is useless there, not that it is inverted
            return cls()
        return cls(slope, float(model.intercept_[0]))


class CalibrationRow(NamedTuple):
    decile: int
    size: int
    mean_predicted: float
    observed_rate: float


def deciles(p: Floats, outcome: npt.NDArray[np.bool_]) -> list[CalibrationRow]:
    """Calibration summary: predictions sorted into ten groups of (nearly) equal size."""
    if len(p) == 0:
        return []
    order = np.lexsort((np.arange(len(p)), p))
    groups = np.array_split(order, min(10, len(p)))
    return [
        CalibrationRow(index + 1, len(g), float(p[g].mean()), float(outcome[g].mean()))
        for index, g in enumerate(groups)
        if len(g)
    ]


def auc(score: Floats, outcome: npt.NDArray[np.bool_]) -> float | None:
    """Area under the ROC curve with ties counted half (Mann–Whitney)."""
    positives = int(outcome.sum())
    negatives = len(outcome) - positives
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2.0 + 1
    ranks[order] = np.repeat(average, counts)
    return float((ranks[outcome].sum() - positives * (positives + 1) / 2) / (positives * negatives))
