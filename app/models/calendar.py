"""Calendars: events in a space or company-wide, their answers and the
personal calendar feeds.

An event is content like a post — container, level, audience — so the one
policy reads it. Its times are instants (UTC) with the time zone it was
planned in: a weekly meeting at 9:00 in Paris stays at 9:00 there across a
change of daylight saving time, which its occurrences are computed from
(app/services/calendar/occurrences.py). A recurring event is one row; a
cancelled occurrence is an exception row.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, UTCDateTime
from app.models.content import Content, audience_table
from app.models.user import str_enum

# Four weeks: the furthest ahead a reminder is worth sending.
MAX_REMINDER_MINUTES = 40_320


class Recurrence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class RsvpAnswer(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"


class CalendarEvent(Content, Base):
    __tablename__ = "calendar_events"
    __audience__ = audience_table("calendar_events")
    __table_args__ = (
        Index("ix_calendar_events_space_id_starts_at", "space_id", "starts_at"),
        Index("ix_calendar_events_starts_at", "starts_at"),
        Index("ix_calendar_events_author_id", "author_id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # The first occurrence. An all-day event starts and ends at midnight in its
    # time zone (the end exclusive: a one-day event ends the next midnight).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence: Mapped[Recurrence | None] = mapped_column(str_enum(Recurrence, 10))
    # No occurrence starts after it; None: it goes on.
    recurs_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # Seats for those going; the next ones wait (None: no limit).
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Minutes before each occurrence that its participants are reminded.
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarException(Base):
    """An occurrence of a recurring event that does not take place."""

    __tablename__ = "calendar_exceptions"

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)


class CalendarAnswer(Base):
    """One person's answer to an event (to every occurrence of a recurring
    one). ``waiting``: they are going but the seats are taken; the first to
    have answered gets the next seat freed."""

    __tablename__ = "calendar_answers"
    __table_args__ = (Index("ix_calendar_answers_user_id", "user_id"),)

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[RsvpAnswer] = mapped_column(str_enum(RsvpAnswer, 10))
    waiting: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarReminder(Base):
    """An occurrence whose participants were reminded: written in the same
    transaction as the reminders, so two workers never send them twice."""

    __tablename__ = "calendar_reminders"

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarFeed(Base):
    """A person's calendar as an iCalendar feed behind a secret address, which
    calendar applications fetch without signing in. Only the secret's hash is
    kept; a new one replaces it (the old address then answers 404)."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Titles of events above public in the feed: the person's own choice, as
    # the feed leaves the company's servers for a calendar application's.
    shows_titles: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[CreatedAt]
