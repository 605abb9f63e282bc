"""Cancelling an event, or one date of a recurring one, and the dates its page
lists for that. Those who meant to come (going, maybe, waiting) are told
either way, once: a date cancelled again changes nothing and tells no one."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid
from app.i18n import _
from app.models import (
    CalendarAnswer,
    CalendarEvent,
    CalendarException,
    NotificationKind,
    Recurrence,
    RsvpAnswer,
    User,
)
from app.models.base import utcnow
from app.services.calendar.events import (
    access_event,
    announce,
    check_may_change,
    check_not_cancelled,
    skipped_starts,
    tell_readers,
)
from app.services.calendar.occurrences import occurrences

# How many of a recurring event's next dates its page lists.
COMING_DATES = 6


@dataclass(frozen=True)
class Date:
    """One date of a recurring event: when it starts, and whether it was cancelled."""

    starts_at: datetime
    cancelled: bool


async def cancel_event(
    session: AsyncSession, *, viewer: User, event_id: int, occurrence: datetime | None = None
) -> CalendarEvent:
    """Cancels the event, or one ``occurrence`` of a recurring one (its start):
    the event stays in calendars, marked cancelled; an occurrence cancelled is
    gone from them, the other dates stay."""
    event = await access_event(session, viewer=viewer, event_id=event_id, for_update=True)
    await check_may_change(session, viewer, event)
    check_not_cancelled(event)
    told: dict[str, str] = {}
    if occurrence is None:
        event.cancelled_at = utcnow()
    else:
        around = occurrences(event, occurrence, occurrence + timedelta(seconds=1))
        if event.recurrence is None or all(found.starts_at != occurrence for found in around):
            raise Invalid(_("The event has no occurrence at that time."), code="occurrence")
        if occurrence in (await skipped_starts(session, [event.id]))[event.id]:
            return event
        session.add(CalendarException(event_id=event.id, starts_at=occurrence))
        told["starts_at"] = occurrence.isoformat()
    coming = await session.scalars(
        select(CalendarAnswer.user_id).where(
            CalendarAnswer.event_id == event.id, CalendarAnswer.answer != RsvpAnswer.DECLINED
        )
    )
    await tell_readers(
        session,
        event,
        NotificationKind.EVENT_CANCELLED,
        actor_id=viewer.id,
        user_ids=list(coming),
        **told,
    )
    await announce(session, event, "calendar_event.cancelled", occurrence=told.get("starts_at"))
    return event


async def coming_dates(session: AsyncSession, event: CalendarEvent) -> list[Date]:
    """A recurring event's next dates (the one under way first), the cancelled
    among them marked: what its page lists, each with its own cancelling."""
    if event.recurrence is None or event.cancelled_at is not None:
        return []
    now = utcnow()
    period = timedelta(days=7 if event.recurrence is Recurrence.WEEKLY else 31)
    upcoming = occurrences(event, now, now + period * (COMING_DATES + 1))[:COMING_DATES]
    skipped = (await skipped_starts(session, [event.id]))[event.id]
    return [Date(found.starts_at, found.starts_at in skipped) for found in upcoming]
