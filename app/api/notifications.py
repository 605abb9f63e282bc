"""What a person has been told, and what they want to be told."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import Session, Viewer
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.schemas.common import RowId
from app.schemas.notification import (
    NotificationPage,
    NotificationsRead,
    NotificationsUpdate,
    UnreadCount,
)
from app.services import notifications
from app.services.mail.choices import digest_of, set_digest

router = APIRouter(prefix="/notifications", tags=["live"])


@router.get("", response_model=NotificationPage)
async def list_notifications(
    viewer: Viewer, session: Session, limit: Limit = 50, cursor: Cursor = None
):
    found = await notifications.list_notifications(
        session, viewer=viewer, limit=limit + 1, before_id=decode_id_cursor(cursor)
    )
    return {
        "items": found[:limit],
        "next_cursor": next_id_cursor(found, limit),
        "unread_count": await notifications.unread_count(session, viewer=viewer),
    }


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(viewer: Viewer, session: Session):
    return UnreadCount(unread_count=await notifications.unread_count(session, viewer=viewer))


class MarkRead(BaseModel):
    """``ids`` to mark some; omitted or null marks all."""

    ids: list[RowId] | None = Field(default=None, max_length=500)


@router.post("/read", response_model=UnreadCount)
async def mark_read(body: MarkRead, viewer: Viewer, session: Session):
    await notifications.mark_read(session, viewer=viewer, ids=body.ids)
    return UnreadCount(unread_count=await notifications.unread_count(session, viewer=viewer))


async def _preferences(session, viewer) -> NotificationsRead:
    channels = await notifications.channels(session, viewer=viewer)
    return NotificationsRead(
        kinds={kind: channel.in_app for kind, channel in channels.items()},
        channels=channels,
        digest=await digest_of(session, user_id=viewer.id),
    )


@router.get("/preferences", response_model=NotificationsRead)
async def read_preferences(viewer: Viewer, session: Session):
    return await _preferences(session, viewer)


@router.patch("/preferences", response_model=NotificationsRead)
async def set_preferences(body: NotificationsUpdate, viewer: Viewer, session: Session):
    await notifications.set_channels(
        session, viewer=viewer, in_app=body.kinds, changes=body.channels
    )
    if body.digest is not None:
        await set_digest(session, user_id=viewer.id, digest=body.digest)
    return await _preferences(session, viewer)
