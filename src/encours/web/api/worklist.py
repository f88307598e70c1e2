"""GET /api/v1/worklist: customers to work, highest priority first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from encours.web.api.schemas import WorkItemOut
from encours.web.deps import ApiUser, SessionDep, as_of_param
from encours.web.worklist import worklist

router = APIRouter(tags=["worklist"])


@router.get("/worklist", response_model=list[WorkItemOut])
def get_worklist(
    request: Request,
    session: SessionDep,
    user: ApiUser,
    as_of: Annotated[dt.date, Depends(as_of_param)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[WorkItemOut]:
    items = worklist(session, request.app.state.figures, as_of, limit)
    return [WorkItemOut(**i._asdict()) for i in items]
