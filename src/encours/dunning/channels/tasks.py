"""Phone calls and litigation hand-overs become collectors' tasks (casework).

Creation is idempotent by reference (``dunning:<action id>``), so re-delivering an action after
a crash never opens a second task. A hand-over also puts the customer on a litigation hold,
which stops ordinary reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from encours.casework import notifications
from encours.casework.holds import HoldKind, place_hold
from encours.casework.tasks import create_task

TITLES = {
    "phone": "Appeler le client : factures en retard ({invoices})",
    "handover": "Transmettre au contentieux : {invoices}",
}


def open_delivery_task(
    session: Session, action_id: int, customer_id: str, reason: str, attempts: int,
    invoice_ids: Sequence[str], entry_keys: Sequence[str], as_of: dt.date, actor: str,
) -> int:  # fmt: skip
    """A reminder that could not be delivered after ``attempts`` tries: the assigned collector takes it."""
    listed = ", ".join(invoice_ids[:8]) + (" …" if len(invoice_ids) > 8 else "")
    title = f"Relance non délivrée après {attempts} tentatives ({reason}) : {listed}"
    task = create_task(
        session, customer_id, "delivery", title, as_of, entry_keys=list(entry_keys), source="dunning",
        actor=actor, ref=f"dunning-failed:{action_id}",
    )  # fmt: skip
    english = f"Reminder not delivered after {attempts} attempts ({reason}): {listed}"
    notifications.notify(session, notifications.Kind.FAILED_DELIVERY, (title, english), customer_id)
    return task.task_id


def open_task(
    session: Session, action_id: int, customer_id: str, channel: str, invoice_ids: Sequence[str],
    entry_keys: Sequence[str], as_of: dt.date, actor: str,
) -> int:  # fmt: skip
    listed = ", ".join(invoice_ids[:8]) + (" …" if len(invoice_ids) > 8 else "")
    title = TITLES.get(channel, "{invoices}").format(invoices=listed)
    kind = "call" if channel == "phone" else "litigation"
    if channel == "handover":
        place_hold(
            session, customer_id, HoldKind.LITIGATION, actor=actor, start_date=as_of,
            reason=f"dunning hand-over (action {action_id}): {listed}",
        )  # fmt: skip
    task = create_task(
        session, customer_id, kind, title, as_of, entry_keys=list(entry_keys), source="dunning",
        actor=actor, ref=f"dunning:{action_id}",
    )  # fmt: skip
    return task.task_id
