"""Notifications: what a collector must know without looking (a portal declaration, a broken
promise, a failed delivery, a credit limit exceeded), in the app and by e-mail for who chose it.

Producers call :func:`notify`; it writes one row per recipient: the customer's collector when
that is a user, else every active admin and credit manager. E-mail copies are sent later by
the channel that owns SMTP (``encours.dunning.notification_mail``), one at a time (:func:`pending_email_ids`,
:func:`take_email`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from babel.numbers import format_currency
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from encours.casework import repository
from encours.casework.errors import CaseworkError
from encours.casework.models import AssignmentRow
from encours.casework.workspace_models import NotificationPreferenceRow, NotificationRow
from encours.storage.base import utcnow
from encours.users.roles import Role
from encours.users.service import User, UserService

MAX_MESSAGE = 2000


def amounts(amount: Decimal, currency: str) -> tuple[str, str]:
    """An amount as each language writes it in a message: ``10 589,42 €`` / ``€10,589.42``."""
    return (
        str(format_currency(amount, currency, locale="fr_FR")),
        str(format_currency(amount, currency, locale="en_GB")),
    )


class Kind(StrEnum):
    DECLARATION = "declaration"  # the customer declared a payment, promise or dispute on the portal
    BROKEN_PROMISE = "broken_promise"
    FAILED_DELIVERY = "failed_delivery"
    LIMIT_EXCEEDED = "limit_exceeded"


class Notification(NamedTuple):
    notification_id: int
    kind: str
    customer_id: str | None
    message: str
    created_at: dt.datetime
    read: bool


class PendingEmail(NamedTuple):
    notification_id: int
    email: str
    language: str
    kind: str
    customer_id: str | None
    message: str


def _active(users: Iterable[User]) -> list[User]:
    return [u for u in users if u.active]


def recipients(session: Session, customer_id: str | None) -> list[User]:
    """The customer's collector when that is an active user, else the active admins and credit managers."""
    people = UserService(session)
    if customer_id is not None:
        owner = repository.customer(session, customer_id)
        collector = session.scalar(
            select(AssignmentRow.assignee).where(
                AssignmentRow.customer_pk == owner.pk, AssignmentRow.role == "collector"
            )
        )
        found = people.by_email(collector) if collector else None
        if found is not None and found.active:
            return [found]
    return [u for u in _active(people.all()) if u.role in (Role.ADMIN, Role.CREDIT_MANAGER)]


def wants_email(session: Session, user_id: int) -> bool:
    row = session.get(NotificationPreferenceRow, user_id)
    return bool(row and row.email)


def set_email(session: Session, user_id: int, email: bool) -> None:
    """The user's choice: notifications by e-mail as well as in the app, or in the app only."""
    row = session.get(NotificationPreferenceRow, user_id)
    if row is None:
        session.add(NotificationPreferenceRow(user_id=user_id, email=email))
    else:
        row.email = email
    session.flush()


def notify(
    session: Session,
    kind: Kind,
    message: str | tuple[str, str],
    customer_id: str | None = None,
    to: Sequence[User] | None = None,
) -> int:
    """Tell the people concerned (``to``, else :func:`recipients`); returns how many were told.

    ``message`` is one text, or a (français, English) pair given to each in their language.
    """
    french, english = (message, message) if isinstance(message, str) else message
    if not french.strip() or not english.strip():
        raise CaseworkError("a notification needs a message", field="message")
    people = list(to) if to is not None else recipients(session, customer_id)
    for user in people:
        text = english if user.language == "en" else french
        session.add(
            NotificationRow(
                user_id=user.id,
                kind=kind.value,
                customer_id=customer_id,
                message=text.strip()[:MAX_MESSAGE],
                created_at=utcnow(),
                email_wanted=wants_email(session, user.id),
            )
        )
    session.flush()
    return len(people)


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).where(NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None))
    return int(session.scalar(query) or 0)


def latest(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    """The user's notifications, newest first."""
    rows = session.scalars(
        select(NotificationRow)
        .where(NotificationRow.user_id == user_id)
        .order_by(NotificationRow.id.desc())
        .limit(limit)
    )
    return [
        Notification(r.id, r.kind, r.customer_id, r.message, r.created_at, r.read_at is not None)
        for r in rows
    ]


def mark_read(session: Session, user_id: int) -> None:
    """Every notification of the user is read (opening the list reads them)."""
    session.execute(
        update(NotificationRow)
        .where(NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.flush()


def pending_email_ids(session: Session, limit: int = 500) -> list[int]:
    """Notifications whose recipient chose e-mail and that were not e-mailed yet, oldest first."""
    return list(
        session.scalars(
            select(NotificationRow.id)
            .where(NotificationRow.email_wanted.is_(True), NotificationRow.emailed_at.is_(None))
            .order_by(NotificationRow.id)
            .limit(limit)
        )
    )


def take_email(session: Session, notification_id: int) -> PendingEmail | None:
    """The notification to e-mail now, locked until the session ends; None when it was e-mailed
    meanwhile, another sender holds it (PostgreSQL skips its lock) or its recipient left."""
    row = session.scalars(
        select(NotificationRow)
        .where(NotificationRow.id == notification_id, NotificationRow.emailed_at.is_(None))
        .with_for_update(skip_locked=True)
    ).first()
    who = UserService(session).get(row.user_id) if row is not None else None
    if row is None or who is None or not who.active:
        return None
    return PendingEmail(row.id, who.email, who.language, row.kind, row.customer_id, row.message)


def mark_emailed(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(
            update(NotificationRow).where(NotificationRow.id.in_(ids)).values(emailed_at=utcnow())
        )
        session.flush()
