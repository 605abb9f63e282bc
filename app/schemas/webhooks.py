"""Webhooks as the API reads and writes them (docs/webhooks.md)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.levels import Level
from app.models import DeliveryStatus, WebhookEvent
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, ReadModel
from app.schemas.post import Body

# http(s), a host, no credentials: the shape a request can be checked for; the
# address its host resolves to is checked when saved and at each delivery.
TARGET_PATTERN = r"^\s*https?://[^\s/?#@]+([/?#]\S*)?\s*$"
Url = Annotated[str, Field(min_length=8, max_length=2000, pattern=TARGET_PATTERN)]
Description = Annotated[str, Field(max_length=200)]
Events = Annotated[list[WebhookEvent], Field(min_length=1, max_length=len(WebhookEvent))]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: Events
    level: Level = Field(
        default=Level.PUBLIC,
        description="The highest level it reads; above internal only if an administrator says so.",
    )
    description: Description = ""


class WebhookUpdate(BaseModel):
    """All optional. Enabling a disabled hook resets its failures; what happened
    while it was disabled is not sent."""

    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: Events | None = None
    level: Level | None = None
    description: Description | None = None
    is_enabled: bool | None = None


class WebhookRead(ReadModel):
    id: int
    space_id: int | None = Field(description="None: the company stream.")
    url: str
    description: str
    events: list[WebhookEvent]
    level: Level
    is_enabled: bool
    failures_in_a_row: int
    disabled_at: datetime | None
    created_at: datetime


class WebhookWithSecret(WebhookRead):
    """Answered once, at creation and rotation: the secret is not shown again."""

    secret: str = Field(description='Signs each delivery (Standard Webhooks), "whsec_…".')


class DeliveryRead(ReadModel):
    id: int
    event: WebhookEvent
    message_id: str = Field(description='The "webhook-id" header, the same for every attempt.')
    status: DeliveryStatus
    attempts: int
    response_status: int | None
    response_ms: int | None
    error: str
    created_at: datetime
    next_attempt_at: datetime
    finished_at: datetime | None


class IncomingHookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=80, pattern=NOT_BLANK)] = Field(
        description="The bot's name, shown as the author of what it posts."
    )
    level: Level = Level.PUBLIC


class IncomingHookRead(BaseModel):
    id: int
    space_id: int
    name: str
    level: Level
    bot: UserPublic
    is_enabled: bool = Field(
        description="False once its creator's access ended: a new URL starts it again."
    )
    created_at: datetime


class IncomingHookWithUrl(IncomingHookRead):
    """Answered once, at creation and rotation: the URL holds its secret."""

    url: str


class IncomingPost(BaseModel):
    text: Body = Field(description="Markdown, sanitised as any post.")


class IncomingPosted(BaseModel):
    id: int
    url: str
