"""The signing key of sessions and portal links: ENCOURS_SECRET_KEY, else one kept in the database.

Kept in the database so a portal link made by the CLI verifies on a server in another process.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from encours.storage.database import unit_of_work
from encours.web.models import AppSettingRow

SECRET_KEY = "secret_key"


def secret_key(engine: Engine, configured: str = "") -> str:
    """``configured`` (ENCOURS_SECRET_KEY) when set, else the key stored in the database."""
    if configured:
        return configured
    for _ in range(2):  # a concurrent first start may insert it first: read it back then
        try:
            with unit_of_work(engine) as session:
                stored = session.scalar(select(AppSettingRow.value).where(AppSettingRow.key == SECRET_KEY))
                if stored is not None:
                    return stored
                value = secrets.token_urlsafe(48)
                session.add(AppSettingRow(key=SECRET_KEY, value=value))
                session.flush()
                return value
        except IntegrityError:
            continue
    raise RuntimeError("could not store the signing key")  # pragma: no cover


def get_setting(engine: Engine, key: str) -> str | None:
    with unit_of_work(engine) as session:
        return session.scalar(select(AppSettingRow.value).where(AppSettingRow.key == key))
