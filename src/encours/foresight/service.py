"""Foresight services: the up-to-date model for a day, and the ledger read once per request.

A stored model is reused while it is fresh: trained with knowledge of no day after the one
asked for (never a look-ahead), at most ``STALE_DAYS`` before it, and on a ledger whose
content before its cutoff has not changed since. Otherwise it is retrained and stored.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from encours.analytics.runner import AlchemyRunner
from encours.foresight.features import Pairs, feature_matrix
from encours.foresight.history import (
    NO_REMINDERS,
    Allocations,
    History,
    Reminders,
    day_number,
    load_allocations,
    load_history,
    load_reminders,
    to_date,
)
from encours.foresight.model import DEFAULT_CONFIG, KIND, PaymentModel, TrainingConfig
from encours.foresight.repository import ForesightRepository

STALE_DAYS = 31


class Ledger(NamedTuple):
    history: History
    allocations: Allocations
    reminders: Reminders = NO_REMINDERS


def read_ledger(session: Session) -> Ledger:
    runner = AlchemyRunner(session)
    has_reminders = inspect(session.connection()).has_table("dunning_actions")
    return Ledger(load_history(runner), load_allocations(runner), load_reminders(runner, has_reminders))


def last_day(ledger: Ledger) -> dt.date:
    """The ledger's last known day: a model for a later day cannot know more than this."""
    h, a = ledger.history, ledger.allocations
    return to_date(max(int(h.issue.max(initial=0)), int(a.day.max(initial=0))))


class ModelChoice(NamedTuple):
    model: PaymentModel
    trained: bool


def train_model(
    session: Session, ledger: Ledger, knowledge_before: dt.date, config: TrainingConfig = DEFAULT_CONFIG
) -> PaymentModel:
    """Train from what was known before ``knowledge_before`` and store the artifact."""
    history = ledger.history
    features = feature_matrix(Pairs.at_issue(history), history, ledger.reminders)
    model = PaymentModel.train(history, features, day_number(knowledge_before), config)
    repository = ForesightRepository(session)
    repository.save_model(KIND, knowledge_before, repository.fingerprint(knowledge_before),
                          model.n_invoices, model.to_json())  # fmt: skip
    return model


def model_for(
    session: Session, ledger: Ledger, as_of: dt.date, config: TrainingConfig = DEFAULT_CONFIG
) -> ModelChoice:
    """The model to predict with at the end of ``as_of`` (payments dated up to it are known).

    Past the ledger's last day nothing more is known, so the model of that day serves: a
    far-future date neither retrains nor pretends open invoices stayed unpaid until then.
    """
    knowledge_before = min(as_of, last_day(ledger)) + dt.timedelta(days=1)
    repository = ForesightRepository(session)
    row = repository.latest_model(KIND, knowledge_before)
    if (
        row is not None
        and (knowledge_before - row.knowledge_before).days <= STALE_DAYS
        and row.fingerprint == repository.fingerprint(row.knowledge_before)
    ):
        model = PaymentModel.from_json(row.payload)
        if model is not None:
            return ModelChoice(model, False)
    return ModelChoice(train_model(session, ledger, knowledge_before, config), True)
