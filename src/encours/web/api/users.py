"""Users: who am I, and user administration (admin role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from encours.users.roles import Permission
from encours.users.service import User, UserService
from encours.web.api.schemas import UserIn, UserOut
from encours.web.deps import ApiUser, SessionDep, api_permission

router = APIRouter(tags=["users"])
Admin = Annotated[User, Depends(api_permission(Permission.ADMIN_USERS))]


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        role=user.role.value,
        language=user.language,
        active=user.active,
        digest=user.digest,
    )


@router.get("/me", response_model=UserOut)
def me(user: ApiUser) -> UserOut:
    return user_out(user)


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, user: Admin) -> list[UserOut]:
    return [user_out(u) for u in UserService(session).all()]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(session: SessionDep, user: Admin, body: UserIn) -> UserOut:
    created = UserService(session).create(
        body.email, body.role, body.password, actor=user.email, language=body.language, digest=body.digest
    )
    return user_out(created)
