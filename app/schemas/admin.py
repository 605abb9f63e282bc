"""Administration: the audit log and the charter."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.schemas.common import ReadModel


class AuditEventRead(ReadModel):
    id: int
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: int | None
    detail: dict[str, Any]
    address: str | None
    created_at: datetime


class CharterRead(BaseModel):
    text: str


class CharterUpdate(BaseModel):
    text: str = Field(min_length=10, max_length=20000)
