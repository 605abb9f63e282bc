"""Stored notifications: what a person is told, kept until read."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime


class NotificationKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    REACTION = "reaction"
    ANNOUNCEMENT = "announcement"
    ACCEPTED_ANSWER = "accepted_answer"
    INVITATION = "invitation"
    INVITATION_ANSWERED = "invitation_answered"
    JOIN_REQUEST = "join_request"
    JOIN_REQUEST_DECIDED = "join_request_decided"
    CONTRACTOR_ACCESS_ENDING = "contractor_access_ending"
    WIKI_PAGE_CHANGED = "wiki_page_changed"
    EVENT_INVITATION = "event_invitation"
    EVENT_CANCELLED = "event_cancelled"
    # A seat freed at a full event, given to someone who waited for it.
    EVENT_SEAT = "event_seat"
    EVENT_REMINDER = "event_reminder"
    TASK_ASSIGNED = "task_assigned"
    TASK_OVERDUE = "task_overdue"
    # An idea moved along its workflow (to its author and its voters).
    IDEA_MOVED = "idea_moved"
    # An outgoing webhook disabled after failing again and again (to its creator).
    WEBHOOK_DISABLED = "webhook_disabled"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    # Who caused it, and the post, wiki page, calendar event or task it concerns: such a
    # notification is shown only while its reader may still read that item.
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    page_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE")
    )
    calendar_event_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="CASCADE")
    )
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tasks.id", ondelete="CASCADE"))
    # Ids the read-time rule checks (space_id, invitation_id, comment_id...) and plain
    # facts, never a name: names are read when the notification is shown
    # (app/services/notifications.py), so no former or hidden one can outlive access.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[CreatedAt]
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
