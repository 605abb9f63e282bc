"""Events: planning and changing them and inviting a space to them, and the
calendars that list their occurrences (cancelling is cancelling.py's). Every read goes through
``access_event``, which answers NotFound alike for a missing event and for one
the viewer may not read. Each change is announced in the live activity (ids
and counts only) to the event's readers, and whoever is told of one through a
notification is chosen among them (app/services/notifications.py)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_no_write_up, default_level_for, readable
from app.db import rows_by_id
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import _
from app.levels import Level
from app.markdown import render
from app.models import (
    CalendarAnswer,
    CalendarEvent,
    CalendarException,
    Membership,
    Notification,
    NotificationKind,
    RsvpAnswer,
    Space,
    User,
)
from app.models.base import utcnow
from app.realtime.events import record_event
from app.services.calendar.files import change_files
from app.services.calendar.occurrences import (
    Occurrence,
    Schedule,
    check_window,
    instants,
    occurrences,
)
from app.services.content import audience_of, item_ref, set_audience
from app.services.files.attachments import FileChanges, attachments_of
from app.services.files.uploads import FileView
from app.services.notifications import notify_readers
from app.services.posts import check_may_moderate_in, place_to_write


@dataclass(frozen=True)
class Details:
    """What an event says besides when: its title, description (Markdown),
    place or video link, seats and reminder."""

    title: str
    description: str = ""
    place: str = ""
    video_url: str = ""
    capacity: int | None = None
    reminder_minutes: int | None = None


@dataclass(frozen=True)
class EventView:
    """An event as its reader is shown it: its space and author, the answers
    counted, the reader's own answer, its files."""

    event: CalendarEvent
    space: Space | None
    author: User | None
    audience: frozenset[int] | None
    counts: dict[str, int]
    mine: CalendarAnswer | None
    attachments: list[FileView]

    @property
    def seats_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.counts["going"], 0)


def check_not_cancelled(event: CalendarEvent) -> None:
    """A cancelled event stays as it is: no change, answer or invitation."""
    if event.cancelled_at is not None:
        raise Conflict(_("This event was cancelled."), code="event_cancelled")


async def access_event(
    session: AsyncSession, *, viewer: User, event_id: int, for_update: bool = False
) -> CalendarEvent:
    """The event if the viewer may read it (``for_update``: locked until the
    transaction ends, on PostgreSQL, so answers to it are counted one at a time)."""
    query = select(CalendarEvent).where(
        CalendarEvent.id == event_id, readable(viewer, CalendarEvent)
    )
    if for_update:
        query = query.with_for_update(of=CalendarEvent)
    event = await session.scalar(query)
    if event is None:
        raise NotFound()
    return event


def _apply(event: CalendarEvent, details: Details, schedule: Schedule) -> None:
    event.starts_at, event.ends_at, event.recurs_until = instants(schedule)
    event.time_zone = schedule.time_zone
    event.all_day = schedule.all_day
    event.recurrence = schedule.recurrence
    event.title = details.title
    event.description = details.description
    event.description_html = render(details.description).html
    event.place = details.place
    event.video_url = details.video_url
    event.capacity = details.capacity
    event.reminder_minutes = details.reminder_minutes
    event.updated_at = utcnow()


async def plan_event(
    session: AsyncSession,
    *,
    viewer: User,
    details: Details,
    schedule: Schedule,
    space_id: int | None = None,
    level: Level | None = None,
    audience: list[int] | None = None,
    files: FileChanges = FileChanges(),
) -> CalendarEvent:
    """An event in a space the viewer may write in, or company-wide (None), at a
    level they are cleared for (by default the space's, or internal), with the
    viewer's new uploads (``files.added``) attached."""
    space, _role = await place_to_write(session, viewer=viewer, space_id=space_id)
    level = level or default_level_for(viewer, space.default_level if space else Level.INTERNAL)
    check_no_write_up(viewer, level)
    event = CalendarEvent(
        author_id=viewer.id,
        space_id=space.id if space else None,
        level=level,
        created_at=utcnow(),
    )
    _apply(event, details, schedule)
    session.add(event)
    await session.flush()
    await set_audience(session, event, audience, viewer=viewer)
    await change_files(session, viewer=viewer, event=event, changes=files)
    await announce(session, event, "calendar_event.created")
    return event


async def announce(session: AsyncSession, event: CalendarEvent, kind: str, **payload) -> None:
    """Records a change to an event in the activity log, announced after commit
    to those who may read the event as it now stands."""
    await record_event(
        session,
        kind=kind,
        item=await item_ref(session, event),
        calendar_event_id=event.id,
        **payload,
    )


async def tell_readers(
    session: AsyncSession,
    event: CalendarEvent,
    kind: NotificationKind,
    *,
    actor_id: int | None,
    user_ids: list[int],
    **data,
) -> set[int]:
    """Notifies those of ``user_ids`` who may read the event now (and want
    ``kind``); returns who was told."""
    return await notify_readers(
        session,
        item=await item_ref(session, event),
        calendar_event_id=event.id,
        kind=kind,
        actor_id=actor_id,
        user_ids=user_ids,
        **data,
    )


async def check_may_change(session: AsyncSession, viewer: User, event: CalendarEvent) -> None:
    """Its author changes an event, and the space's moderators and administrators,
    while they may write in its space."""
    space, role = await place_to_write(session, viewer=viewer, space_id=event.space_id)
    if event.author_id != viewer.id:
        check_may_moderate_in(viewer, space, role)


async def may_change(session: AsyncSession, viewer: User, event: CalendarEvent) -> bool:
    """Whether ``check_may_change`` lets the viewer change the event (a page
    offers to then)."""
    try:
        await check_may_change(session, viewer, event)
    except (Forbidden, Conflict):
        return False
    return True


async def change_event(
    session: AsyncSession,
    *,
    viewer: User,
    event_id: int,
    details: Details,
    schedule: Schedule,
    level: Level | None = None,
    audience: list[int] | None = None,
    files: FileChanges = FileChanges(),
) -> CalendarEvent:
    """Replaces what an event says, when, its audience (None: none) and its level
    (None: kept); takes off and adds files (``files``). Those waiting take the
    seats a larger capacity frees."""
    event = await access_event(session, viewer=viewer, event_id=event_id, for_update=True)
    await check_may_change(session, viewer, event)
    check_not_cancelled(event)
    _apply(event, details, schedule)
    if level is not None:
        check_no_write_up(viewer, level)
        event.level = level
    await set_audience(session, event, audience, viewer=viewer)
    await change_files(session, viewer=viewer, event=event, changes=files)
    await seat_those_waiting(session, event, actor=viewer)
    await session.flush()
    await announce(session, event, "calendar_event.changed")
    return event


async def invite_space(session: AsyncSession, *, viewer: User, event_id: int) -> int:
    """Tells the members of the event's space who may read it, and were neither
    invited before nor answered, that they are invited; returns how many were
    told. Its planner invites, and the space's moderators and administrators
    (the event locked: two of them inviting at once tell each member once)."""
    event = await access_event(session, viewer=viewer, event_id=event_id, for_update=True)
    if event.space_id is None:
        raise Conflict(
            _("Only an event in a space can invite its members."), code="event_not_in_space"
        )
    await check_may_change(session, viewer, event)
    check_not_cancelled(event)
    answered = select(CalendarAnswer.user_id).where(CalendarAnswer.event_id == event.id)
    invited = select(Notification.user_id).where(
        Notification.calendar_event_id == event.id,
        Notification.kind == NotificationKind.EVENT_INVITATION.value,
    )
    members = await session.scalars(
        select(Membership.user_id).where(
            Membership.space_id == event.space_id,
            Membership.user_id.not_in(answered),
            Membership.user_id.not_in(invited),
        )
    )
    told = await tell_readers(
        session,
        event,
        NotificationKind.EVENT_INVITATION,
        actor_id=viewer.id,
        user_ids=list(members),
    )
    return len(told)


async def skipped_starts(session: AsyncSession, event_ids: list[int]) -> dict[int, set[datetime]]:
    skipped: dict[int, set[datetime]] = {event_id: set() for event_id in event_ids}
    if event_ids:
        rows = await session.execute(
            select(CalendarException.event_id, CalendarException.starts_at).where(
                CalendarException.event_id.in_(event_ids)
            )
        )
        for event_id, start in rows:
            skipped[event_id].add(start)
    return skipped


def in_window(since: datetime, until: datetime) -> Select:
    """Events the viewer's query narrows to those that may take place in
    [since, until): starting before its end, and either ending after its start
    or repeating past it."""
    return select(CalendarEvent).where(
        CalendarEvent.starts_at < until,
        or_(
            CalendarEvent.ends_at > since,
            and_(
                CalendarEvent.recurrence.is_not(None),
                or_(CalendarEvent.recurs_until.is_(None), CalendarEvent.recurs_until > since),
            ),
        ),
    )


async def calendar(
    session: AsyncSession,
    *,
    viewer: User,
    since: datetime,
    until: datetime,
    space_id: int | None = None,
    mine: bool = False,
) -> list[Occurrence]:
    """The occurrences in [since, until) of the events the viewer may read: of
    one space, or the viewer's own (those they planned or answered going or
    maybe to), or all of them; in order of start."""
    check_window(since, until)
    query = in_window(since, until).where(readable(viewer, CalendarEvent))
    if space_id is not None:
        query = query.where(CalendarEvent.space_id == space_id)
    if mine:
        answered = select(CalendarAnswer.event_id).where(
            CalendarAnswer.user_id == viewer.id, CalendarAnswer.answer != RsvpAnswer.DECLINED
        )
        query = query.where(
            or_(CalendarEvent.author_id == viewer.id, CalendarEvent.id.in_(answered))
        )
    events = list(await session.scalars(query))
    skipped = await skipped_starts(session, [event.id for event in events])
    found = [
        occurrence
        for event in events
        for occurrence in occurrences(event, since, until, skipped[event.id])
    ]
    return sorted(found, key=lambda found: (found.starts_at, found.event.id))


async def answer_counts(session: AsyncSession, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each event's answers counted: going (seated), maybe, declined, waiting."""
    counts: dict[int, dict[str, int]] = {
        event_id: {answer.value: 0 for answer in RsvpAnswer} | {"waiting": 0}
        for event_id in event_ids
    }
    rows = await session.execute(
        select(CalendarAnswer.event_id, CalendarAnswer.answer, CalendarAnswer.waiting, func.count())
        .where(CalendarAnswer.event_id.in_(event_ids))
        .group_by(CalendarAnswer.event_id, CalendarAnswer.answer, CalendarAnswer.waiting)
    )
    for event_id, answer, waiting, count in rows:
        counts[event_id]["waiting" if waiting else RsvpAnswer(answer).value] += count
    return counts


async def view_events(
    session: AsyncSession, *, viewer: User, events: list[CalendarEvent]
) -> dict[int, EventView]:
    """Events already found readable (the same one possibly more than once, as
    a calendar's occurrences give them), with what their reader is shown of them."""
    events = list({event.id: event for event in events}.values())
    ids = [event.id for event in events]
    counts = await answer_counts(session, ids)
    mine = {
        answer.event_id: answer
        for answer in await session.scalars(
            select(CalendarAnswer).where(
                CalendarAnswer.event_id.in_(ids), CalendarAnswer.user_id == viewer.id
            )
        )
    }
    spaces = await rows_by_id(session, Space, {event.space_id for event in events} - {None})
    authors = await rows_by_id(session, User, {event.author_id for event in events} - {None})
    files = await attachments_of(session, event_ids=ids)
    return {
        event.id: EventView(
            event=event,
            space=spaces.get(event.space_id),
            author=authors.get(event.author_id),
            audience=await audience_of(session, event),
            counts=counts[event.id],
            mine=mine.get(event.id),
            attachments=files.get(("event", event.id), []),
        )
        for event in events
    }


async def view_event(session: AsyncSession, *, viewer: User, event_id: int) -> EventView:
    event = await access_event(session, viewer=viewer, event_id=event_id)
    return (await view_events(session, viewer=viewer, events=[event]))[event.id]


async def seat_those_waiting(
    session: AsyncSession, event: CalendarEvent, *, actor: User
) -> list[int]:
    """Gives the free seats to those waiting, first come first seated, and tells
    them, but ``actor``, whose own answer took a seat still free; returns who
    got one. The caller holds the event locked."""
    waiting = select(CalendarAnswer).where(
        CalendarAnswer.event_id == event.id, CalendarAnswer.waiting.is_(True)
    )
    if event.capacity is not None:
        seated = await session.scalar(
            select(func.count()).where(
                CalendarAnswer.event_id == event.id,
                CalendarAnswer.answer == RsvpAnswer.GOING,
                CalendarAnswer.waiting.is_(False),
            )
        )
        waiting = waiting.limit(max(event.capacity - seated, 0))
    seated_now = list(
        await session.scalars(waiting.order_by(CalendarAnswer.answered_at, CalendarAnswer.user_id))
    )
    for answer in seated_now:
        answer.waiting = False
    if seated_now:
        await tell_readers(
            session,
            event,
            NotificationKind.EVENT_SEAT,
            actor_id=actor.id,
            user_ids=[answer.user_id for answer in seated_now],
        )
    return [answer.user_id for answer in seated_now]
