"""A user's saved worklist views over the API: a name for a set of filters (the worklist's query
string, as ``GET /api/v1/worklist/page`` takes them), the screen's own ``casework.saved_views``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from encours.casework import saved_views
from encours.web.deps import ApiUser, RowId, SessionDep

router = APIRouter(tags=["workspace"])


class ViewIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    query: str = Field(default="", max_length=1000, description="e.g. collector=a%40b.fr&risk=C")


class ViewOut(BaseModel):
    view_id: int
    name: str
    query: str


@router.get("/worklist/views", response_model=list[ViewOut])
def list_views(session: SessionDep, user: ApiUser) -> list[ViewOut]:
    return [ViewOut(**v._asdict()) for v in saved_views.views(session, user.id)]


@router.post("/worklist/views", response_model=ViewOut, status_code=201)
def save_view(session: SessionDep, user: ApiUser, body: ViewIn) -> ViewOut:
    """Save the caller's view ``name`` (a view of that name is replaced)."""
    return ViewOut(**saved_views.save_view(session, user.id, body.name, body.query)._asdict())


@router.delete("/worklist/views/{view_id}", status_code=204)
def delete_view(session: SessionDep, user: ApiUser, view_id: RowId) -> None:
    saved_views.delete_view(session, user.id, view_id)
