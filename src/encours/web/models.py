"""Application settings kept in the database (such as the portal's payment link), and the
whole-ledger figures the server's processes share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import Base, UtcDateTime


class AppSettingRow(Base):
    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class FigureSnapshotRow(Base):
    """A computed figure (JSON) for one ledger state and arguments; ``key`` hashes them."""

    __tablename__ = "figure_snapshots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    payload: Mapped[str] = mapped_column(Text)
