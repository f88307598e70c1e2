"""Settings kept in the database by the app (``app_settings``), e.g. the portal's payment link."""

from __future__ import annotations

from sqlalchemy import Engine, select

from encours.storage.database import unit_of_work
from encours.web.models import AppSettingRow


def get_setting(engine: Engine, key: str) -> str | None:
    with unit_of_work(engine) as session:
        return session.scalar(select(AppSettingRow.value).where(AppSettingRow.key == key))
