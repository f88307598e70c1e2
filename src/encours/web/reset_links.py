"""One-time password-reset links an admin hands to a user (itsdangerous, signed and timed).

The link carries the user's id and session epoch: the admin's reset bumps the epoch (every
session and token of the user ends), choosing the new password bumps it again, so a link
works once and only the latest one works. Signed with a key of its own, derived from the
session key, so a reset link never verifies as a session cookie or a portal link.
"""

from __future__ import annotations

from typing import NamedTuple

from itsdangerous import BadSignature, URLSafeTimedSerializer

from encours.web.keys import derive

RESET_LABEL = b"encours/password-reset/v1"
SALT = "encours.reset.v1"
VALID_SECONDS = 24 * 3600
RESET_PREFIX = "/reset/"


class ResetClaim(NamedTuple):
    user_id: int
    epoch: int


def _serializer(session_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(derive(session_key.encode(), RESET_LABEL), salt=SALT)


def reset_path(session_key: str, user_id: int, epoch: int) -> str:
    return RESET_PREFIX + str(_serializer(session_key).dumps({"u": user_id, "e": epoch}))


def read_reset(session_key: str, token: str) -> ResetClaim | None:
    """Who the link lets choose a password, or None when tampered with, malformed or expired."""
    if len(token) > 512:
        return None
    try:
        payload = _serializer(session_key).loads(token, max_age=VALID_SECONDS)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, epoch = payload.get("u"), payload.get("e")
    if not isinstance(user_id, int) or not isinstance(epoch, int):
        return None
    return ResetClaim(user_id, epoch)
