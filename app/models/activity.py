"""The activity log: one row per change that readers may care about, written
in the same transaction as the change. The database is the record; the
websocket only announces, and a client that reconnects asks for what it
missed since the last id it saw."""

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import Level
from app.models.base import Base, BigId, CreatedAt, IdPk, LevelType


class Activity(Base):
    __tablename__ = "activity"
    # AUTOINCREMENT on SQLite: an id is never reused, even after the newest rows
    # are deleted.
    __table_args__ = (
        Index("ix_activity_user_id_id", "user_id", "id"),
        # Tasks are deleted outright: their events go with them, found by this.
        Index("ix_activity_task_id", "task_id"),
        {"sqlite_autoincrement": True},
    )

    # Monotonic: the order in which changes committed is the order of ids.
    id: Mapped[IdPk]
    kind: Mapped[str] = mapped_column(String(40))
    # The item concerned, as it stood when the change was made. Catch-up checks
    # the post (wiki page, calendar event, task) as it stands now, so a later raise
    # of its level hides it too.
    space_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    page_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE")
    )
    calendar_event_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="CASCADE")
    )
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tasks.id", ondelete="CASCADE"))
    level: Mapped[Level | None] = mapped_column(LevelType)
    has_audience: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[list[int] | None] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(BigId)
    # For personal events (a notification, a change to one's own access): whose.
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    # Ids and counts only: never more content than any reader may see.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[CreatedAt]
