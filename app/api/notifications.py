"""What a person has been told."""

from fastapi import APIRouter

from app.api.deps import Session, Viewer
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.schemas.common import Page
from app.schemas.notification import NotificationRead
from app.services import notifications

router = APIRouter(prefix="/notifications", tags=["live"])


@router.get("", response_model=Page[NotificationRead])
async def list_notifications(
    viewer: Viewer, session: Session, limit: Limit = 50, cursor: Cursor = None
):
    found = await notifications.list_notifications(
        session, viewer=viewer, limit=limit + 1, before_id=decode_id_cursor(cursor)
    )
    return {"items": found[:limit], "next_cursor": next_id_cursor(found, limit)}
