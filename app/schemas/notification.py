"""Notifications."""

from datetime import datetime
from typing import Any

from app.schemas.common import ReadModel


class NotificationRead(ReadModel):
    id: int
    kind: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
