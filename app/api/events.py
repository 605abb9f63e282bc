"""Catching up on what happened while a client was away."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.deps import Session, Viewer
from app.schemas.common import MAX_ID, ReadModel
from app.services import activity


class EventRead(ReadModel):
    id: int
    kind: str
    space_id: int | None
    post_id: int | None
    page_id: int | None
    calendar_event_id: int | None
    task_id: int | None
    user_id: int | None
    payload: dict


class EventsRead(BaseModel):
    items: list[EventRead]
    # The id to ask from next time; the newest id when nothing was missed.
    last_id: int
    # True when more events wait: ask again with since=last_id.
    more: bool


router = APIRouter(tags=["live"])


@router.get("/events", response_model=EventsRead)
async def events_since(
    viewer: Viewer,
    session: Session,
    since: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=activity.MAX_CATCH_UP)] = activity.MAX_CATCH_UP,
):
    """Events after ``since``, oldest first, only those the viewer may see now."""
    page = await activity.events_since(session, viewer=viewer, since_id=since, limit=limit)
    return EventsRead(items=page.items, last_id=page.last_id, more=page.more)
