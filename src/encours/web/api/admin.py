"""Administration over the API: changing a user, a reset link, one's own password, signing out,
the audit trail (SPEC §9). The users service's rules, as on the users screens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from encours.audit.service import AuditFilter, search
from encours.domain.errors import NotFound
from encours.users.roles import Permission
from encours.users.service import User, UserService
from encours.web.api.schemas import Page, UserOut
from encours.web.api.users import user_out
from encours.web.deps import ApiUser, IsoDay, RowId, SessionDep, api_permission
from encours.web.reset_links import reset_path

router = APIRouter()
Admin = Annotated[User, Depends(api_permission(Permission.ADMIN_USERS))]
Manager = Annotated[User, Depends(api_permission(Permission.MANAGE))]


class UserPatch(BaseModel):
    """Only the fields given change; a new password ends the user's sessions and tokens."""

    role: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    active: bool | None = None
    digest: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=1024)


@router.patch("/users/{user_id}", response_model=UserOut, tags=["users"])
def patch_user(session: SessionDep, user: Admin, user_id: RowId, body: UserPatch) -> UserOut:
    service = UserService(session)
    if service.get(user_id) is None:
        raise NotFound(f"no user {user_id}")
    changed = service.update(
        user_id, actor=user.email, role=body.role, language=body.language, active=body.active,
        digest=body.digest,
    )  # fmt: skip
    if body.password is not None:
        service.set_password(user_id, body.password, actor=user.email)
        changed = service.get(user_id) or changed
    return user_out(changed)


class ResetOut(BaseModel):
    reset_link: str  # one use, 24 hours, to hand over to the user


@router.post("/users/{user_id}/reset", response_model=ResetOut, tags=["users"])
def reset_user(request: Request, session: SessionDep, user: Admin, user_id: RowId) -> ResetOut:
    """End the user's sessions and tokens now, and make the one-time link to choose a new password."""
    service = UserService(session)
    if service.get(user_id) is None:
        raise NotFound(f"no user {user_id}")
    epoch = service.start_reset(user_id, actor=user.email)
    path = reset_path(str(request.app.state.keys.session), user_id, epoch)
    return ResetOut(reset_link=str(request.base_url).rstrip("/") + path)


class MePatch(BaseModel):
    language: str = Field(max_length=8)  # fr or en: the screens', the digest's and notifications'


@router.patch("/me", response_model=UserOut, tags=["users"])
def patch_me(session: SessionDep, user: ApiUser, body: MePatch) -> UserOut:
    """The caller's own language, as the screens' language menu sets it."""
    return user_out(UserService(session).update(user.id, actor=user.email, language=body.language))


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


@router.post("/me/password", status_code=204, tags=["users"])
def change_password(session: SessionDep, user: ApiUser, body: PasswordIn) -> None:
    """The caller's own password (the current one first); every session and token then ends."""
    UserService(session).change_password(user.id, body.current_password, body.new_password)


class SignedOut(BaseModel):
    signed_out: bool = True


@router.post("/auth/logout", response_model=SignedOut, tags=["auth"])
def logout(request: Request, session: SessionDep, user: ApiUser) -> SignedOut:
    """Every session of the caller ends, and the bearer token of this request is revoked."""
    service = UserService(session)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        service.revoke_token(header[7:].strip())
    service.end_sessions(user.id, actor=user.email)
    request.session.clear()
    return SignedOut()


class AuditEventOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    customer_id: str | None
    subject: str | None
    details: dict[str, Any]


def day_start(day: dt.date | None, days_after: int = 0) -> dt.datetime | None:
    """Midnight UTC of a day given as a date filter (``until`` is the day after: inclusive)."""
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time(), dt.UTC)


@router.get("/audit", response_model=Page[AuditEventOut], tags=["audit"])
def audit_trail(
    session: SessionDep,
    user: Manager,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(alias="user", max_length=255)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: IsoDay | None = None,
    until: IsoDay | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page[AuditEventOut]:
    """Latest first; ``since`` and ``until`` are days, both included; ``action`` may be a kind (``user``)."""
    where = AuditFilter(customer_id, actor, action, day_start(since), day_start(until, 1))
    page = search(session, where, offset, limit)
    return Page(
        items=[AuditEventOut(**event._asdict()) for event in page.events],
        total=page.total, offset=offset, limit=limit,
    )  # fmt: skip
