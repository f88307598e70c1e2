"""GET /api/v1/aging and /api/v1/kpi: the same JSON as `encours aging|kpi --format json`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from encours.analytics.aging import aged_balance
from encours.analytics.runner import AlchemyRunner
from encours.domain.aging import parse_bounds
from encours.domain.errors import BadRequest
from encours.web.deps import ApiUser, IsoDay, SessionDep
from encours.web.figures import Figures

router = APIRouter(tags=["figures"])

JSON_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One object, or a list of objects when there are several currencies",
        "content": {"application/json": {"schema": {"anyOf": [{"type": "object"}, {"type": "array"}]}}},
    }
}


def one_or_many(payloads: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse(payloads[0] if len(payloads) == 1 else payloads)


@router.get("/aging", responses=JSON_DOC, response_class=JSONResponse)
def aging(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    as_of: IsoDay,
    buckets: Annotated[
        str | None, Query(max_length=100, description="Bounds in days, e.g. 0,30,60,90")
    ] = None,
) -> JSONResponse:
    """Aged balance (SPEC §4)."""
    figures: Figures = request.app.state.figures
    if buckets:
        try:
            chosen = parse_bounds(buckets)
        except ValueError as exc:
            raise BadRequest(str(exc), field="buckets") from exc
        return one_or_many([b.to_json() for b in aged_balance(AlchemyRunner(session), as_of, chosen)])
    return one_or_many([b.to_json() for b in figures.aging(session, as_of)])


@router.get("/kpi", responses=JSON_DOC, response_class=JSONResponse)
def kpi(request: Request, session: SessionDep, user: ApiUser, as_of: IsoDay) -> JSONResponse:
    """KPIs (SPEC §5)."""
    figures: Figures = request.app.state.figures
    return one_or_many([k.to_json() for k in figures.kpis(session, as_of)])
