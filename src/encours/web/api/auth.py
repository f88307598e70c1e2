"""POST /api/v1/auth/token: e-mail and password for a bearer token (SPEC §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from encours.audit.service import record
from encours.users.errors import InvalidCredentials, LoginThrottled
from encours.users.service import UserService
from encours.web.api.schemas import ErrorOut, Token
from encours.web.client_address import request_address
from encours.web.deps import SessionDep

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    response_model=Token,
    responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}},
)
def issue_token(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
) -> Token | JSONResponse:
    """Failures are answered without raising, so the unit of work commits the failed attempt."""
    service = UserService(session)
    try:
        user = service.authenticate(username, password, request_address(request))
    except LoginThrottled as exc:
        return JSONResponse({"detail": exc.message}, status_code=429, headers={"Retry-After": "900"})
    except InvalidCredentials as exc:
        return JSONResponse({"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    token = service.issue_token(user)
    record(session, user.email, "auth.token_issued")
    return Token(access_token=token)
