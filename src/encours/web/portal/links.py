"""Signed, expiring portal tokens (itsdangerous); the token is the last part of the link's path."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from itsdangerous import BadSignature, URLSafeSerializer

from encours.storage.base import utcnow

SALT = "encours.portal.v1"
PORTAL_PREFIX = "/portal/"
DEFAULT_DAYS = 30


class PortalAccess(NamedTuple):
    customer_id: str
    expires: dt.datetime


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def make_token(
    secret: str, customer_id: str, days: int = DEFAULT_DAYS, now: dt.datetime | None = None
) -> str:
    expires = (now or utcnow()) + dt.timedelta(days=days)
    return str(_serializer(secret).dumps({"c": customer_id, "x": int(expires.timestamp())}))


def read_token(secret: str, token: str, now: dt.datetime | None = None) -> PortalAccess | None:
    """The customer the token opens, or None when it is tampered with, malformed or expired."""
    if len(token) > 512:
        return None
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    customer_id, expiry = payload.get("c"), payload.get("x")
    if not isinstance(customer_id, str) or not isinstance(expiry, int):
        return None
    expires = dt.datetime.fromtimestamp(expiry, dt.UTC)
    if expires <= (now or utcnow()):
        return None
    return PortalAccess(customer_id, expires)


def portal_url(token: str, base_url: str = "") -> str:
    """A path, or an absolute URL when ``base_url`` (ENCOURS_BASE_URL) is set."""
    return f"{base_url.rstrip('/')}{PORTAL_PREFIX}{token}"
