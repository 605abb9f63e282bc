"""Webhooks: outgoing ones, which send what happens in a space (or in the
company stream) to another system's URL, and incoming ones, through which
another system posts into a space as a bot account.

An outgoing hook keeps a cursor over the activity log: the rows written in the
same transaction as each change, so that every event reaches it once the
transaction commits, and none is lost to a restart. Each event it takes
becomes a delivery, sent (and retried) by the delivery loop; what the hook may
read of it is decided when it is sent (app/access.py, ``hook_may_read``).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import Level
from app.models.base import Base, BigId, CreatedAt, IdPk, LevelType, UTCDateTime
from app.models.user import str_enum


class WebhookEvent(StrEnum):
    """The events a hook may subscribe to, named as its payloads' ``type``."""

    POST_CREATED = "post.created"
    COMMENT_CREATED = "comment.created"
    REACTION_CHANGED = "reaction.changed"
    WIKI_PAGE_CREATED = "wiki.page.created"
    WIKI_PAGE_EDITED = "wiki.page.edited"
    MEMBER_JOINED = "member.joined"
    CALENDAR_EVENT_CREATED = "calendar_event.created"
    IDEA_MOVED = "idea.moved"
    TASK_CREATED = "task.created"
    TASK_MOVED = "task.moved"


class DeliveryStatus(StrEnum):
    # Waiting for its (next) attempt.
    PENDING = "pending"
    DELIVERED = "delivered"
    # Every attempt failed, or the hook was deleted.
    FAILED = "failed"
    # Not sent: when its turn came, the hook might no longer read what it was
    # about (raised above the hook's level, narrowed to an audience, deleted).
    WITHHELD = "withheld"


class Webhook(Base):
    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_space_id", "space_id"),)

    id: Mapped[IdPk]
    # The one container it reads: a space, or None for the company stream.
    space_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # Signs every delivery ("whsec_" and base64): kept to sign, shown once.
    secret: Mapped[str] = mapped_column(String(100))
    # The highest level it reads (public or internal, unless an administrator
    # allowed more); never anything with an audience.
    level: Mapped[Level] = mapped_column(LevelType, default=Level.PUBLIC)
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Failed attempts in a row (reset by a success); past a limit, the hook is
    # disabled and its creator told.
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last activity id it has taken events from.
    activity_cursor: Mapped[int] = mapped_column(BigId, default=0)
    created_at: Mapped[CreatedAt]


class WebhookDelivery(Base):
    """One event to send to one hook, and the outcome of its last attempt: the
    hook's delivery log, kept to its newest rows (app/services/webhooks)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[IdPk]
    webhook_id: Mapped[int] = mapped_column(BigId, ForeignKey("webhooks.id", ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("activity.id", ondelete="SET NULL")
    )
    event: Mapped[str] = mapped_column(String(40))
    # The "webhook-id" header: the same for every attempt, for the receiver to
    # recognise a retry.
    message_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 10), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    # When it is due; while an attempt is under way, when that attempt's claim
    # lapses (a worker that died mid-send leaves it due again then).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(SmallInteger)
    response_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[CreatedAt]
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncomingHook(Base):
    """A secret URL through which another system posts into a space, as a bot
    account at a fixed level."""

    __tablename__ = "incoming_hooks"
    __table_args__ = (Index("ix_incoming_hooks_space_id", "space_id"),)

    id: Mapped[IdPk]
    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))
    bot_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[Level] = mapped_column(LevelType, default=Level.PUBLIC)
    # SHA-256 of the secret in its URL, which is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
