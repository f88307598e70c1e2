"""Signing keys: one secret, a distinct key derived from it for sessions and for portal links.

The secret is ENCOURS_SECRET_KEY (at least 32 bytes, checked by the settings), else the key
file ``secret.key`` of the data directory, created on first use with permissions 0600 and
refused when others may read it. It is never stored in the database: a copy of the database
(a backup, a replica, a leaked dump) does not let anyone sign a session or a portal link.
Servers on several machines share ENCOURS_SECRET_KEY (or the same key file).

Each use gets its own key, HMAC-SHA256(secret, label): a session cookie does not verify as a
portal link, nor a portal link as a session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path
from typing import NamedTuple

from encours.settings import MIN_SECRET_BYTES, InvalidSettings, Settings

KEY_FILE = "secret.key"
SESSION_LABEL = b"encours/session-cookie/v1"
PORTAL_LABEL = b"encours/portal-link/v1"


class SigningKeys(NamedTuple):
    session: str
    portal: str


def derive(secret: bytes, label: bytes) -> str:
    """The key of one use (``label``): 64 hex characters, independent of every other label's."""
    return hmac.new(secret, label, hashlib.sha256).hexdigest()


def signing_keys(settings: Settings) -> SigningKeys:
    secret = master_secret(settings)
    return SigningKeys(session=derive(secret, SESSION_LABEL), portal=derive(secret, PORTAL_LABEL))


def master_secret(settings: Settings) -> bytes:
    """ENCOURS_SECRET_KEY, else the key file of the data directory (created when missing)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return _key_file(Path(settings.data_dir) / KEY_FILE)


def _key_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        handle = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:  # a complete file appears at once; of two first starts, the other one's is kept
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InvalidSettings(
            f"{path}: the key file may be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run chmod 600 {path}"
        )
    value = path.read_text(encoding="utf-8").strip()
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise InvalidSettings(
            f"{path}: the key file holds {len(value.encode())} bytes; at least {MIN_SECRET_BYTES} "
            "are needed (delete it to have a new one made)"
        )
    return value.encode()
