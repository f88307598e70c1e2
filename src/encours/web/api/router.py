"""All /api/v1 routers; every route but the token one needs a bearer token or a session."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from encours.domain.errors import NotFound
from encours.web.api import auth, casework, customers, figures, insights, users, worklist
from encours.web.deps import api_user

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth.router)
for module in (customers, casework, figures, insights, worklist, users):
    api_router.include_router(module.router, dependencies=[Depends(api_user)])


@api_router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
    dependencies=[Depends(api_user)],
)
def unknown(path: str) -> None:
    """Unknown API paths: 401 before 404, so nothing is learnt without credentials."""
    raise NotFound(f"no API route /api/v1/{path}")
