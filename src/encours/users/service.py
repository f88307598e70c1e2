"""Accounts, password checks, sessions, login throttling and API tokens. Flushes only, never commits.

A signed-in session holds the user's ``session_epoch``; signing out, a new password, a new
role or deactivation bump it, which ends every session of the user at once, on every
device, whatever cookie a client kept. API tokens keep their own revocation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.domain.errors import Conflict
from encours.storage.base import utcnow
from encours.users.errors import InvalidCredentials, LoginThrottled, UserError, UserExists
from encours.users.models import ApiTokenRow, LoginAttemptRow, UserRow
from encours.users.passwords import check_password
from encours.users.roles import Role

# failed logins in the window before login is refused (until the oldest failure ages out)
MAX_FAILURES = 5  # one account from one address (guessing)
MAX_ACCOUNT_FAILURES = 20  # one account from any address (guessing from many addresses)
MAX_ADDRESS_FAILURES = 20  # one address on any account (password spraying)
FAILURE_WINDOW = dt.timedelta(minutes=15)
TOKEN_LIFETIME = dt.timedelta(days=30)
TOKEN_PREFIX = "enc_"
LANGUAGES = ("fr", "en")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


class User(NamedTuple):
    id: int
    email: str
    role: Role
    language: str
    active: bool
    digest: bool
    session_epoch: int


def _user(row: UserRow) -> User:
    return User(row.id, row.email, Role(row.role), row.language, row.active, row.digest, row.session_epoch)


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not EMAIL.match(value) or len(value) > 255:
        raise UserError.because("invalid_email", field="email", email=email)
    return value


class UserService:
    def __init__(self, session: Session) -> None:
        self.session = session

    # accounts ------------------------------------------------------------------------
    def create(
        self, email: str, role: str, password: str, *, actor: str, language: str = "fr", digest: bool = False
    ) -> User:
        address = normalise_email(email)
        try:
            chosen = Role(role)
        except ValueError:
            raise UserError.because("unknown_role", field="role", role=role, expected=tuple(Role)) from None
        if language not in LANGUAGES:
            raise UserError.because("unknown_language", field="language", language=language)
        check_password(password, [address])
        if self.session.scalar(select(UserRow.id).where(UserRow.email == address)) is not None:
            raise UserExists.because("user_exists", field="email", email=address)
        row = UserRow(
            email=address,
            password_hash=_hasher.hash(password),
            role=chosen.value,
            language=language,
            active=True,
            digest=digest,
            session_epoch=0,
        )
        self.session.add(row)
        self.session.flush()
        record(self.session, actor, "user.created", subject=address, details={"role": chosen.value})
        return _user(row)

    def get(self, user_id: int) -> User | None:
        row = self.session.get(UserRow, user_id)
        return None if row is None else _user(row)

    def by_email(self, email: str) -> User | None:
        row = self.session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        return None if row is None else _user(row)

    def all(self) -> list[User]:
        return [_user(row) for row in self.session.scalars(select(UserRow).order_by(UserRow.email))]

    def digest_recipients(self) -> list[str]:
        """E-mail addresses of the active users who receive the weekly digest, sorted."""
        query = select(UserRow.email).where(UserRow.digest.is_(True), UserRow.active.is_(True))
        return list(self.session.scalars(query.order_by(UserRow.email)))

    def update(
        self,
        user_id: int,
        *,
        actor: str,
        role: str | None = None,
        language: str | None = None,
        active: bool | None = None,
        digest: bool | None = None,
    ) -> User:
        row = self.session.get(UserRow, user_id)
        if row is None:
            raise UserError.because("no_such_user", field="user_id")
        changes: dict[str, object] = {}
        was_admin = row.role == Role.ADMIN.value and row.active
        if role is not None:
            try:
                chosen = Role(role).value
            except ValueError:
                raise UserError.because("unknown_role_short", field="role", role=role) from None
            if chosen != row.role:
                row.role = changes["role"] = chosen
                row.session_epoch += 1  # sessions opened under the old role end
        if language is not None:
            if language not in LANGUAGES:
                raise UserError.because("unknown_language_short", field="language", language=language)
            row.language = changes["language"] = language
        if active is not None:
            if not active and row.active:
                row.session_epoch += 1
            row.active = changes["active"] = active
        if digest is not None:
            row.digest = changes["digest"] = digest
        self._keep_an_admin(row, was_admin)
        self.session.flush()
        record(self.session, actor, "user.updated", subject=row.email, details=changes)
        return _user(row)

    def set_password(self, user_id: int, password: str, *, actor: str) -> None:
        row = self.session.get(UserRow, user_id)
        if row is None:
            raise UserError.because("no_such_user", field="user_id")
        check_password(password, [row.email])
        row.password_hash = _hasher.hash(password)
        row.session_epoch += 1  # every open session ends
        self.session.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == row.id).values(revoked=True))
        self.session.flush()
        record(self.session, actor, "user.password_changed", subject=row.email)

    def _keep_an_admin(self, row: UserRow, was_admin: bool) -> None:
        """Nobody could manage users any more: the last active admin stays an active admin."""
        if not was_admin or (row.role == Role.ADMIN.value and row.active):
            return
        others = select(func.count()).where(
            UserRow.role == Role.ADMIN.value, UserRow.active.is_(True), UserRow.id != row.id
        )
        if not self.session.scalar(others):
            raise Conflict.because("last_admin", field="role")

    def change_password(self, user_id: int, current: str, new: str) -> None:
        """A user's own change: the current password first, so an open session alone cannot."""
        row = self.session.get(UserRow, user_id)
        if row is None:
            raise UserError.because("no_such_user", field="user_id")
        if not _verifies(row.password_hash, current):
            raise InvalidCredentials.because("wrong_current_password", field="current_password")
        self.set_password(user_id, new, actor=row.email)

    def start_reset(self, user_id: int, *, actor: str) -> int:
        """An admin's reset: the user's sessions and tokens end now; returns the epoch a reset link
        carries. Setting the password bumps the epoch again, so the link works once."""
        row = self.session.get(UserRow, user_id)
        if row is None:
            raise UserError.because("no_such_user", field="user_id")
        row.session_epoch += 1
        self.session.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == row.id).values(revoked=True))
        self.session.flush()
        record(self.session, actor, "user.password_reset", subject=row.email)
        return row.session_epoch

    def finish_reset(self, user_id: int, epoch: int, password: str) -> User:
        """The password chosen through a reset link, if the link is still the latest and unused."""
        row = self.session.get(UserRow, user_id)
        if row is None or not row.active or row.session_epoch != epoch:
            raise UserError.because("reset_link_used", field="token")
        self.set_password(user_id, password, actor=row.email)
        return _user(row)

    # sessions ------------------------------------------------------------------------
    def end_sessions(self, user_id: int, *, actor: str) -> None:
        """Sign the user out everywhere: every session cookie issued so far stops working."""
        row = self.session.get(UserRow, user_id)
        if row is None:
            return
        row.session_epoch += 1
        self.session.flush()
        record(self.session, actor, "user.signed_out", subject=row.email)

    # login ---------------------------------------------------------------------------
    def authenticate(self, email: str, password: str, ip: str) -> User:
        """The user, or InvalidCredentials / LoginThrottled; failures are stored (flushed).

        Throttled per account and address, per account, and per address (spraying one
        password over many accounts). Callers must commit even when this raises, so the
        failure counts.
        """
        username = email.strip().lower()[:255]
        ip = ip[:64]
        since = utcnow() - FAILURE_WINDOW
        self.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < since))
        if self._throttled(username, ip):
            raise LoginThrottled.because("login_throttled")
        row = self.session.scalar(select(UserRow).where(UserRow.email == username))
        ok = _verifies(row.password_hash if row else _DUMMY_HASH, password) and row is not None
        if not ok or row is None or not row.active:
            self.session.add(LoginAttemptRow(username=username, ip=ip, at=utcnow()))
            self.session.flush()
            raise InvalidCredentials.because("wrong_login")
        self.session.execute(
            delete(LoginAttemptRow).where(LoginAttemptRow.username == username, LoginAttemptRow.ip == ip)
        )  # the address's failures on other accounts still count: a sprayer's own login resets nothing
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        self.session.flush()
        return _user(row)

    def _throttled(self, username: str, ip: str) -> bool:
        def failures(*where: ColumnElement[bool]) -> int:
            query = select(func.count()).select_from(LoginAttemptRow).where(*where)
            return self.session.scalar(query) or 0

        return (
            failures(LoginAttemptRow.username == username, LoginAttemptRow.ip == ip) >= MAX_FAILURES
            or failures(LoginAttemptRow.ip == ip) >= MAX_ADDRESS_FAILURES
            or failures(LoginAttemptRow.username == username) >= MAX_ACCOUNT_FAILURES
        )

    # API tokens ----------------------------------------------------------------------
    def issue_token(self, user: User, name: str = "api", lifetime: dt.timedelta = TOKEN_LIFETIME) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.session.add(
            ApiTokenRow(
                user_id=user.id,
                token_hash=hash_token(token),
                name=name[:255],
                created_at=utcnow(),
                expires_at=utcnow() + lifetime,
                revoked=False,
            )
        )
        self.session.flush()
        return token

    def revoke_token(self, token: str) -> None:
        self.session.execute(
            update(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token)).values(revoked=True)
        )

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
            return None
        row = self.session.execute(
            select(UserRow, ApiTokenRow.expires_at)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(ApiTokenRow.token_hash == hash_token(token), ApiTokenRow.revoked.is_(False))
        ).first()
        if row is None or row[1] <= utcnow() or not row[0].active:
            return None
        return _user(row[0])
