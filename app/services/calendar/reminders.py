"""Reminders: those going to an event, or maybe, are told its
``reminder_minutes`` before each occurrence starts, once.

Once even with several workers running the jobs at the same moment: an
occurrence is claimed by inserting its CalendarReminder row, in the same
transaction as the reminders, and only the transaction whose insert wins
sends them (a concurrent one's insert conflicts, in a savepoint, and it goes on
with the next). Every claim of a run comes before any notification, in one
order: the rows claimed are then the only locks a run holds while it waits
for another, so two runs, or a run and a request answering the event, never
wait for each other in a circle.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import insert_unless_taken
from app.models import (
    CalendarAnswer,
    CalendarEvent,
    CalendarReminder,
    NotificationKind,
    RsvpAnswer,
)
from app.models.calendar import MAX_REMINDER_MINUTES
from app.services.calendar.events import in_window, skipped_starts, tell_readers
from app.services.calendar.occurrences import Occurrence, occurrences


async def due_reminders(session: AsyncSession, *, now: datetime) -> list[Occurrence]:
    """The occurrences of events going on (not cancelled) that start after
    ``now`` and within their event's reminder time, not cancelled themselves
    and not reminded yet; in the order every run claims them."""
    events = list(
        await session.scalars(
            in_window(now, now + timedelta(minutes=MAX_REMINDER_MINUTES)).where(
                CalendarEvent.reminder_minutes.is_not(None),
                CalendarEvent.cancelled_at.is_(None),
            )
        )
    )
    if not events:
        return []
    skipped = await skipped_starts(session, [event.id for event in events])
    reminded = set(
        (
            await session.execute(
                select(CalendarReminder.event_id, CalendarReminder.starts_at).where(
                    CalendarReminder.event_id.in_([event.id for event in events]),
                    CalendarReminder.starts_at > now,
                )
            )
        ).all()
    )
    due = [
        occurrence
        for event in events
        for occurrence in occurrences(
            event, now, now + timedelta(minutes=event.reminder_minutes), skipped[event.id]
        )
        if occurrence.starts_at > now and (event.id, occurrence.starts_at) not in reminded
    ]
    return sorted(due, key=lambda occurrence: (occurrence.event.id, occurrence.starts_at))


async def send_reminders(session: AsyncSession, *, now: datetime) -> int:
    """Reminds the participants of every occurrence due; returns how many
    occurrences this run reminded (those another run claimed first are not)."""
    claimed = [
        occurrence
        for occurrence in await due_reminders(session, now=now)
        if await insert_unless_taken(
            session,
            CalendarReminder(
                event_id=occurrence.event.id, starts_at=occurrence.starts_at, sent_at=now
            ),
        )
    ]
    for occurrence in claimed:
        event = occurrence.event
        # Read again now the claim is held: an event cancelled, or an answer
        # changed, by a request that committed meanwhile counts.
        await session.refresh(event, ["cancelled_at"])
        if event.cancelled_at is not None:
            continue
        coming = await session.scalars(
            select(CalendarAnswer.user_id).where(
                CalendarAnswer.event_id == event.id,
                CalendarAnswer.answer.in_([RsvpAnswer.GOING, RsvpAnswer.MAYBE]),
                CalendarAnswer.waiting.is_(False),
            )
        )
        await tell_readers(
            session,
            event,
            NotificationKind.EVENT_REMINDER,
            actor_id=None,
            user_ids=list(coming),
            starts_at=occurrence.starts_at.isoformat(),
        )
    return len(claimed)
