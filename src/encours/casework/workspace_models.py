"""Tables of the collector's workspace: in-app notifications, their e-mail preference, saved views.

A notification is addressed to one user (a row per recipient) so that each has their own
unread count; ``emailed_at`` is set once the e-mail copy went out (only for users who chose
e-mail). A saved view is a named worklist filter (its query string) of one user.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import Base, UtcDateTime, utcnow


class NotificationRow(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at", "id"),
        Index("ix_notifications_email", "email_wanted", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # declaration | broken_promise | failed_delivery | limit
    customer_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    email_wanted: Mapped[bool] = mapped_column(Boolean, default=False)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class NotificationPreferenceRow(Base):
    """Whether a user also receives their notifications by e-mail (default: in the app only)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)


class SavedViewRow(Base):
    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
