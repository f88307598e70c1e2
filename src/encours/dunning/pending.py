"""The outbox's pending actions, as delivery needs them (this run's and any crashed run's)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.dunning.actions import ActionRepository


class PendingAction(NamedTuple):
    action_id: int
    run_id: int
    as_of: dt.date
    customer_pk: int
    customer_id: str
    scenario: str
    step: str
    channel: str
    template: str
    language: str
    invoice_ids: tuple[str, ...]
    entry_keys: tuple[str, ...]
    message_key: str | None

    @property
    def group_key(self) -> str:
        """The e-mail this action goes in: its message key, else its own."""
        return self.message_key or f"a{self.action_id}"


def load_pending(session: Session) -> list[PendingAction]:
    return [
        PendingAction(
            row.id,
            row.run_id,
            row.as_of,
            row.customer_pk,
            row.customer_id,
            row.scenario,
            row.step,
            row.channel,
            row.template,
            row.language,
            tuple(row.invoice_ids),
            tuple(row.entry_keys),
            row.message_key,
        )
        for row in ActionRepository(session).pending()
    ]
