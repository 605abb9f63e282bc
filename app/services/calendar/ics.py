"""Events as iCalendar (RFC 5545), written by the ``icalendar`` library: one
event to download, and each person's feed behind a secret address.

A feed leaves the company's servers for a calendar application's, and is
fetched without signing in; so it holds only what its owner may read now,
never who else answers, and, for events above ``public``, only "Busy" at the
event's times unless the owner chose to see titles there
(``CalendarFeed.shows_titles``). HumHub's feed gave participants' names away
(calendar#588).
"""

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable
from app.i18n import translations
from app.levels import Level
from app.models import CalendarEvent, CalendarFeed, User
from app.models.base import utcnow
from app.services.calendar.events import in_window, skipped_starts
from app.services.calendar.occurrences import zone

# What a feed holds: from a quarter ago to a year and a little ahead.
FEED_PAST = timedelta(days=92)
FEED_AHEAD = timedelta(days=400)
RECURRENCES = {"weekly": "WEEKLY", "monthly": "MONTHLY"}


def _uid(event: CalendarEvent, public_url: str) -> str:
    return f"ruche-event-{event.id}@{urlsplit(public_url).hostname or 'ruche'}"


def _moment(event: CalendarEvent, instant: datetime):
    """How a start or end is written: a day for an all-day event, a wall-clock
    time in its zone for a repeated one (so it repeats across daylight saving
    time), an instant (UTC) otherwise."""
    local = instant.astimezone(zone(event.time_zone))
    if event.all_day:
        return local.date()
    return local if event.recurrence is not None else instant


def _component(
    event: CalendarEvent, skipped: set[datetime], *, busy: str | None, public_url: str
) -> icalendar.Event:
    """The event as a VEVENT; ``busy``: only that word for a title, and nothing
    of what it says."""
    component = icalendar.Event()
    component.add("uid", _uid(event, public_url))
    component.add("dtstamp", event.updated_at)
    component.add("dtstart", _moment(event, event.starts_at))
    component.add("dtend", _moment(event, event.ends_at))
    if event.recurrence is not None:
        rule = {"freq": RECURRENCES[event.recurrence]}
        if event.recurs_until is not None:
            rule["until"] = event.recurs_until - timedelta(seconds=1)
        component.add("rrule", rule)
        for start in sorted(skipped):
            component.add("exdate", _moment(event, start))
    if event.cancelled_at is not None:
        component.add("status", "CANCELLED")
    if busy is not None:
        component.add("summary", busy)
        component.add("class", "PRIVATE")
        return component
    component.add("summary", event.title)
    if event.description:
        component.add("description", event.description)
    if event.place or event.video_url:
        component.add("location", event.place or event.video_url)
    if event.video_url:
        component.add("url", event.video_url)
    component.add("class", "PUBLIC" if event.level is Level.PUBLIC else "CONFIDENTIAL")
    return component


def _calendar(name: str, components: list[icalendar.Event]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Ruche//Calendrier//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


async def event_ics(session: AsyncSession, event: CalendarEvent, public_url: str) -> bytes:
    """One event, already found readable, as its reader downloads it."""
    skipped = await skipped_starts(session, [event.id])
    return _calendar(
        event.title, [_component(event, skipped[event.id], busy=None, public_url=public_url)]
    )


async def feed_ics(
    session: AsyncSession, owner: User, feed: CalendarFeed, public_url: str
) -> bytes:
    """The owner's feed: every event they may read now around today (their
    calendar, not only what they answered: what a colleague's calendar shows
    them in Ruche), as their feed's choice says."""
    now = utcnow()
    since = datetime.combine((now - FEED_PAST).date(), time(), now.tzinfo)
    events = list(
        await session.scalars(
            in_window(since, now + FEED_AHEAD)
            .where(readable(owner, CalendarEvent))
            .order_by(CalendarEvent.id)
        )
    )
    skipped = await skipped_starts(session, [event.id for event in events])
    busy = translations(owner.language).gettext("Busy")
    components = [
        _component(
            event,
            skipped[event.id],
            busy=None if event.level is Level.PUBLIC or feed.shows_titles else busy,
            public_url=public_url,
        )
        for event in events
    ]
    return _calendar("Ruche", components)
