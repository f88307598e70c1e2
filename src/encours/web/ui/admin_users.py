"""Users screens: edit a user (role, language, digest, active), reset links, one's own password.

The rules are the users service's (the password policy, the last admin, sessions ending on a
new role, password or deactivation); these routes only show them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from encours.domain.errors import EncoursError, NotFound
from encours.users.roles import Permission, Role
from encours.users.service import User, UserService
from encours.web.deps import CsrfChecked, RowId, SessionDep, UiUser, ui_permission
from encours.web.reset_links import read_reset, reset_path
from encours.web.ui.refusals import said_in
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(ui_permission(Permission.ADMIN_USERS))]
Password = Annotated[str, Form(max_length=1024)]


def _refused(request: Request, name: str, refusal: EncoursError, **context: object) -> Response:
    return render(
        request,
        name,
        status_code=refusal.status,
        error="adm_refused",
        said=said_in(refusal, language_of(request)),
        **context,
    )


def _session_key(request: Request) -> str:
    return str(request.app.state.keys.session)


def _edited(session: SessionDep, user_id: int) -> User:
    found = UserService(session).get(user_id)
    if found is None:
        raise NotFound.because("no_user", user=user_id)
    return found


def _edit_page(request: Request, edited: User, status_code: int = 200, **extra: object) -> Response:
    context: dict[str, object] = {"edited": edited, "roles": list(Role), "error": None, "reset": None}
    context.update(extra)
    return render(request, "admin_user.html", status_code=status_code, **context)


@router.get("/admin/users/{user_id}")
def user_page(request: Request, session: SessionDep, user: Admin, user_id: RowId) -> Response:
    return _edit_page(request, _edited(session, user_id), done=request.query_params.get("done"))


@router.post("/admin/users/{user_id}", dependencies=[CsrfChecked])
def save_user(
    request: Request,
    session: SessionDep,
    user: Admin,
    user_id: RowId,
    role: Annotated[str, Form(max_length=32)],
    language: Annotated[str, Form(max_length=8)],
    active: Annotated[bool, Form()] = False,
    digest: Annotated[bool, Form()] = False,
) -> Response:
    edited = _edited(session, user_id)
    try:
        UserService(session).update(
            user_id, actor=user.email, role=role, language=language, active=active, digest=digest
        )
    except EncoursError as refusal:
        session.rollback()
        return _refused(request, "admin_user.html", refusal, edited=edited, roles=list(Role), reset=None)
    return RedirectResponse(f"/admin/users/{user_id}?done=1", status_code=303)


@router.post("/admin/users/{user_id}/reset", dependencies=[CsrfChecked])
def reset_user(request: Request, session: SessionDep, user: Admin, user_id: RowId) -> Response:
    """Ends the user's sessions and shows a one-time link (24 hours) to hand over to them."""
    edited = _edited(session, user_id)
    epoch = UserService(session).start_reset(user_id, actor=user.email)
    link = str(request.base_url).rstrip("/") + reset_path(_session_key(request), user_id, epoch)
    return _edit_page(request, _edited(session, user_id) or edited, reset=link)


# one's own password ----------------------------------------------------------------------
@router.get("/account/password")
def password_page(request: Request, user: UiUser) -> Response:
    return render(request, "admin_password.html", error=None, token=None)


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(
    request: Request, session: SessionDep, user: UiUser, current_password: Password, new_password: Password
) -> Response:
    try:
        UserService(session).change_password(user.id, current_password, new_password)
    except EncoursError as refusal:
        session.rollback()
        return _refused(request, "admin_password.html", refusal, token=None)
    request.session.clear()  # every session ended with the old password: sign in with the new one
    return RedirectResponse("/login?next=/", status_code=303)


# reset links (no sign-in: the link is the credential) --------------------------------------
@router.get("/reset/{token}")
def reset_page(request: Request, session: SessionDep, token: str) -> Response:
    claim = read_reset(_session_key(request), token)
    if claim is None:
        return render(request, "admin_password.html", status_code=404, error="link_invalid", token=None)
    target = UserService(session).get(claim.user_id)
    if target is None or not target.active or target.session_epoch != claim.epoch:
        return render(request, "admin_password.html", status_code=410, error="adm_link_used", token=None)
    return render(request, "admin_password.html", error=None, token=token)


@router.post("/reset/{token}", dependencies=[CsrfChecked])
def reset_password(request: Request, session: SessionDep, token: str, new_password: Password) -> Response:
    claim = read_reset(_session_key(request), token)
    if claim is None:
        return render(request, "admin_password.html", status_code=404, error="link_invalid", token=None)
    try:
        UserService(session).finish_reset(claim.user_id, claim.epoch, new_password)
    except EncoursError as refusal:
        session.rollback()
        return _refused(request, "admin_password.html", refusal, token=token)
    request.session.clear()
    return RedirectResponse("/login?next=/", status_code=303)
