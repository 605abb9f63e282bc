"""Tasks of a project space: who does what by when, on a board of three
columns, with a checklist and links to what the work is about.

A task is content like a post — container, level, audience — so the one
policy reads it; its links (a post, a wiki page, an event of the same space)
are shown only to a reader who may read what they point to.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, IdPk, UTCDateTime
from app.models.content import Content, audience_table
from app.models.user import str_enum


class TaskStatus(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class Task(Content, Base):
    __tablename__ = "tasks"
    __audience__ = audience_table("tasks")
    __table_args__ = (
        Index("ix_tasks_space_id_status_position", "space_id", "status", "position"),
        Index("ix_tasks_due_on", "due_on"),
        Index("ix_tasks_author_id", "author_id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, 10), default=TaskStatus.TODO)
    # Order in its column of the board: smaller first.
    position: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    post_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="SET NULL"))
    page_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="SET NULL")
    )
    calendar_event_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="SET NULL")
    )


class TaskAssignee(Base):
    __tablename__ = "task_assignees"
    __table_args__ = (Index("ix_task_assignees_user_id", "user_id"),)

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class ChecklistItem(Base):
    __tablename__ = "task_checklist_items"
    __table_args__ = (Index("ix_task_checklist_items_task_id", "task_id", "position"),)

    id: Mapped[IdPk]
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("tasks.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskOverdueReminder(Base):
    """A task whose assignees were told it is late, for the due day it had:
    written in the same transaction as the notifications, so two workers never
    send them twice (a new due day, missed in turn, is told again)."""

    __tablename__ = "task_overdue_reminders"

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
