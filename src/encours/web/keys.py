"""Signing keys: one secret, a distinct key derived from it for sessions and for portal links.

The secret is ENCOURS_SECRET_KEY (at least 32 bytes, checked by the settings), else one kept
in the database (SPEC §9), made on first use: a portal link made by the CLI then verifies on a
server in another process or on another host, with nothing to copy between machines. A
deployment that wants no signing secret in its database backups sets ENCOURS_SECRET_KEY.

Each use gets its own key, HMAC-SHA256(secret, label): a session cookie does not verify as a
portal link, nor a portal link as a session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from encours.settings import MIN_SECRET_BYTES, Settings
from encours.storage.database import unit_of_work
from encours.web.models import AppSettingRow

STORED_SECRET = "signing_secret"
SESSION_LABEL = b"encours/session-cookie/v1"
PORTAL_LABEL = b"encours/portal-link/v1"


class SigningKeys(NamedTuple):
    session: str
    portal: str


def derive(secret: bytes, label: bytes) -> str:
    """The key of one use (``label``): 64 hex characters, independent of every other label's."""
    return hmac.new(secret, label, hashlib.sha256).hexdigest()


def signing_keys(settings: Settings, engine: Engine) -> SigningKeys:
    secret = master_secret(settings, engine)
    return SigningKeys(session=derive(secret, SESSION_LABEL), portal=derive(secret, PORTAL_LABEL))


def master_secret(settings: Settings, engine: Engine) -> bytes:
    """ENCOURS_SECRET_KEY, else the secret stored in the database (made when missing)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return _stored_secret(engine).encode()


def _stored_secret(engine: Engine) -> str:
    for _ in range(2):  # a concurrent first start may insert it first: read it back then
        try:
            with unit_of_work(engine) as session:
                query = select(AppSettingRow.value).where(AppSettingRow.key == STORED_SECRET)
                stored = session.scalar(query)
                if stored is not None and len(stored.encode()) >= MIN_SECRET_BYTES:
                    return stored
                value = secrets.token_urlsafe(48)  # 64 characters
                if stored is None:
                    session.add(AppSettingRow(key=STORED_SECRET, value=value))
                else:
                    session.get_one(AppSettingRow, STORED_SECRET).value = value
                session.flush()
                return value
        except IntegrityError:
            continue
    raise RuntimeError("could not store the signing secret")  # pragma: no cover
