"""Notifications and their preferences."""

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from app.models import Digest, NotificationKind
from app.schemas.common import Page, ReadModel
from app.services.notifications import Channel


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
    """``kinds``: each kind on (true) or off (false) in the app, as before
    channels existed. ``channels``: where each kind reaches its reader (app,
    mail, both or none). ``digest``: none, daily or weekly."""

    kinds: dict[NotificationKind, StrictBool]
    channels: dict[NotificationKind, Channel]
    digest: Digest


class NotificationsUpdate(BaseModel):
    """Kinds and fields absent are left as they are; a kind in ``channels``
    wins over the same kind in ``kinds`` (which sets the app side only)."""

    # An empty body changes nothing and is refused; the document says so.
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    kinds: dict[NotificationKind, StrictBool] = Field(default_factory=dict)
    channels: dict[NotificationKind, Channel] = Field(default_factory=dict)
    digest: Digest | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give kinds, channels or digest")
        return self
