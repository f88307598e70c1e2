"""Forecast, risk scores and dunning actions: read-only routes over foresight and dunning."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from encours.domain.money import format_amount
from encours.dunning import service as dunning
from encours.web import foresight_views
from encours.web.api.figures import JSON_DOC
from encours.web.api.schemas import ErrorOut
from encours.web.deps import ApiUser, IsoDay, SessionDep

router = APIRouter(tags=["insights"])


BEING_COMPUTED: dict[int | str, dict[str, Any]] = {
    202: {"model": ErrorOut, "description": "Being computed in the background: retry shortly"}
}


@router.get("/forecast", responses={**JSON_DOC, **BEING_COMPUTED}, response_class=JSONResponse)
def forecast(request: Request, session: SessionDep, user: ApiUser, as_of: IsoDay) -> JSONResponse:
    """Expected cash-in for the 13 weeks after ``as_of`` with a 10–90 % band, per currency."""
    found = foresight_views.weekly_forecast(session, request.app.state.figures, as_of)
    if found is None:
        return JSONResponse({"detail": "being computed, retry shortly"}, status_code=202)
    return JSONResponse(found[0] if len(found) == 1 else found)


@router.get("/customers/{customer_id}/score")
def score(session: SessionDep, user: ApiUser, customer_id: str, as_of: IsoDay) -> dict[str, Any]:
    """The latest stored risk score (0–100, segment A–D, reasons) on or before ``as_of``."""
    found = foresight_views.risk_score(session, customer_id, as_of, user.language)
    if found is None:
        return {"customer_id": customer_id, "score": None}
    return {
        "customer_id": customer_id,
        "score": found["score"],
        "segment": found["segment"],
        "as_of": found["as_of"].isoformat(),
        "reasons": found["reasons"],
        "recommended_credit_limit": format_amount(found["recommended_limit"]),
    }


@router.get("/dunning/actions")
def dunning_actions(
    session: SessionDep,
    user: ApiUser,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    """Dunning actions, latest first (the same fields as `encours dunning actions`)."""
    rows = sorted(dunning.list_actions(session, customer_id), key=lambda r: r.id, reverse=True)[:limit]
    return [
        {
            "action_id": r.id, "customer_id": r.customer_id, "step": r.step, "channel": r.channel,
            "invoice_ids": list(r.invoice_ids), "status": r.status, "as_of": r.as_of.isoformat(),
            "amount": format_amount(r.amount), "currency": r.currency,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]  # fmt: skip
