"""Notifications and their preferences."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, StrictBool

from app.models import NotificationKind
from app.schemas.common import Page, ReadModel


class NotificationRead(ReadModel):
    id: int
    kind: str
    actor_id: int | None
    post_id: int | None
    page_id: int | None
    calendar_event_id: int | None
    task_id: int | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Page[NotificationRead]):
    unread_count: int


class UnreadCount(BaseModel):
    unread_count: int


class NotificationsRead(BaseModel):
    """Each kind on (true) or off (false); absent kinds are left as they are."""

    kinds: dict[NotificationKind, StrictBool]
