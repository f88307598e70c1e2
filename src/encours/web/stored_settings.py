"""Settings kept in the database by the app (``app_settings``), e.g. the portal's payment link."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from encours.storage.database import unit_of_work
from encours.web.models import AppSettingRow


def get_setting(engine: Engine, key: str) -> str | None:
    with unit_of_work(engine) as session:
        return session.scalar(select(AppSettingRow.value).where(AppSettingRow.key == key))


def put_setting(session: Session, key: str, value: str) -> None:
    """Set (or, with an empty value, remove) one app setting; flushed, the caller commits."""
    row = session.get(AppSettingRow, key)
    if not value:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(AppSettingRow(key=key, value=value))
    else:
        row.value = value
    session.flush()
