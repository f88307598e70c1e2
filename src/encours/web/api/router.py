"""All /api/v1 routers; every route but the token one needs a bearer token or a session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from encours.domain.errors import NotFound
from encours.web.api import (
    admin,
    auth,
    casework,
    cash,
    customers,
    dunning_history,
    dunning_runs,
    figures,
    imports,
    insights,
    jobs,
    saved_views,
    settings,
    users,
    worklist,
    workspace,
)
from encours.web.api.schemas import ErrorOut
from encours.web.deps import api_user

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth.router)


def _refusal(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


def _takes_input(dependant: Dependant) -> bool:
    """Whether the request names something (path, query or body): it may be malformed or unknown."""
    own = dependant.path_params or dependant.query_params or dependant.body_params
    return bool(own) or any(_takes_input(sub) for sub in dependant.dependencies)


def declare_refusals(router: APIRouter) -> None:
    """Every refusal a route can answer is in the OpenAPI document (checked by the fuzz test)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        route.responses.setdefault(401, _refusal("Not authenticated: no valid bearer token or session"))
        route.responses.setdefault(403, _refusal("Forbidden: the role may not, or a cookie write lacks CSRF"))
        if _takes_input(route.dependant):
            route.responses.setdefault(400, _refusal("Bad request: a parameter Encours cannot use"))
            route.responses.setdefault(404, _refusal("No such record (customer, invoice, task...)"))


for module in (
    customers,
    casework,
    cash,
    figures,
    insights,
    worklist,
    users,
    workspace,
    saved_views,
    dunning_runs,
    dunning_history,
    jobs,
    admin,
    imports,
    settings,
):
    declare_refusals(module.router)
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
