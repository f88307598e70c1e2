"""Request dependencies: one unit of work per request, the signed-in user, permissions, CSRF."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from sqlalchemy.orm import Session

from encours.domain.errors import Forbidden, InvalidInput, NotAuthenticated
from encours.settings import Settings
from encours.storage.base import business_today
from encours.storage.database import unit_of_work
from encours.users.roles import Permission, allows
from encours.users.service import User, UserService
from encours.web.errors import CsrfFailed, LoginRequired

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


def app_settings(request: Request) -> Settings:
    """The settings the app was made with (read from the environment once, by create_app)."""
    settings: Settings = request.app.state.settings
    return settings


REQUEST_SESSION = "unit_of_work"  # request.state's name for the open unit of work


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the handler returns, rolled back if it raises.
    While it is open, :func:`open_session` lends it to what the page renders (the bell's count)."""
    outer = getattr(request.state, REQUEST_SESSION, None)  # a re-rendered form's inner request
    with unit_of_work(request.app.state.engine) as session:
        setattr(request.state, REQUEST_SESSION, session)
        try:
            yield session
        finally:
            setattr(request.state, REQUEST_SESSION, outer)


def open_session(request: Request) -> Session | None:
    """The request's unit of work if it is still open and usable (not after a failed flush)."""
    session: Session | None = getattr(request.state, REQUEST_SESSION, None)
    return session if session is not None and session.is_active else None


# scope="function": commit before the response leaves, so a client never reads stale data
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def session_user(request: Request, session: Session) -> User | None:
    """The user of the session cookie, if it is still valid (same epoch, still active)."""
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    if not isinstance(uid, int) or not isinstance(epoch, int):
        return None
    user = UserService(session).get(uid)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def optional_user(request: Request, session: SessionDep) -> User | None:
    token = _bearer(request)
    if token is not None:
        user = UserService(session).user_for_token(token)
        request.state.via_token = user is not None
        return user
    request.state.via_token = False
    return session_user(request, session)


OptionalUser = Annotated[User | None, Depends(optional_user)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not submitted or not secrets.compare_digest(expected, submitted):
        raise CsrfFailed("invalid or missing CSRF token; reload the page and try again")


bearer_scheme = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


async def api_user(
    request: Request,
    user: OptionalUser,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """API caller: bearer token or session; cookie-authenticated writes need the CSRF header."""
    if user is None:
        raise NotAuthenticated("not authenticated")
    if request.method not in SAFE_METHODS and not request.state.via_token:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return user


ApiUser = Annotated[User, Depends(api_user)]


def api_permission(permission: Permission) -> Callable[[User], Awaitable[User]]:
    async def dependency(user: ApiUser) -> User:
        if not allows(user.role, permission):
            raise Forbidden.because("role_may_not", permission=permission.value)
        return user

    return dependency


async def ui_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise LoginRequired("sign in first")
    request.state.user = user
    return user


UiUser = Annotated[User, Depends(ui_user)]


def ui_permission(permission: Permission) -> Callable[[User], Awaitable[User]]:
    async def dependency(user: UiUser) -> User:
        if not allows(user.role, permission):
            raise Forbidden.because("role_may_not", permission=permission.value)
        return user

    return dependency


async def ui_form_csrf(request: Request) -> None:
    """Every UI form POST carries the session's CSRF token in a hidden field."""
    form = await request.form()
    value = form.get(CSRF_FIELD)
    check_csrf(request, value if isinstance(value, str) else None)


CsrfChecked = Depends(ui_form_csrf)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


class DayRefused(InvalidInput, ValueError):
    """A typed day that is no day (a ValueError, so pydantic answers it as a field's error)."""


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD`` between 1990 and 2100: pydantic alone would read ``0`` as 1970-01-01."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and ISO_DAY.fullmatch(value):
        day = dt.date.fromisoformat(value)  # 2026-02-30 raises ValueError: a 422 as well
    else:
        raise DayRefused.because("iso_day")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DayRefused.because("date_out_of_range", text=day.isoformat())
    return day


# a query date (as_of): refused with 422 unless it is a real ISO day
IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]


async def as_of_param(as_of: IsoDay | None = None) -> dt.date:
    """The date of the view: today in Paris (the business day) unless the request names one."""
    return as_of or business_today()


# a stored row's id in a path: beyond a 32-bit integer it names nothing (404 or 422, never a 500)
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
