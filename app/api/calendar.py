"""Calendars: events, their answers, one event's .ics and each person's feed."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.api.deps import AppSettings, Flag, ItemId, Session, Viewer
from app.api.files import file_read
from app.models import CalendarEvent
from app.schemas.account import UserPublic
from app.schemas.calendar import (
    AnswerCounts,
    AnswerWrite,
    CalendarEventChange,
    CalendarEventCreate,
    CalendarEventRead,
    CalendarEventWrite,
    CancelWrite,
    FeedCreated,
    FeedRead,
    FeedWrite,
    Invited,
    OccurrenceRead,
    ParticipantsRead,
    UnnamedCounts,
)
from app.schemas.common import RowId, UtcDateTime
from app.schemas.post import SpaceRef
from app.services.calendar import answers, cancelling, events, feeds, ics
from app.services.calendar.events import Details, EventView
from app.services.calendar.occurrences import Schedule, written_schedule, zone
from app.services.files.attachments import Attachments, FileChanges

router = APIRouter(tags=["calendar"])

ICS_TYPE = "text/calendar; charset=utf-8"
ICS_RESPONSE = {200: {"content": {"text/calendar": {}}, "description": "iCalendar (RFC 5545)."}}


def event_read(view: EventView) -> CalendarEventRead:
    event = view.event
    repeat_until = None
    if event.recurs_until is not None:
        last_midnight = event.recurs_until.astimezone(zone(event.time_zone))
        repeat_until = (last_midnight - timedelta(days=1)).date()
    mine = view.mine
    return CalendarEventRead(
        id=event.id,
        title=event.title,
        description=event.description,
        description_html=event.description_html,
        space=SpaceRef(id=view.space.id, name=view.space.name, slug=view.space.slug)
        if view.space
        else None,
        author=UserPublic.model_validate(view.author) if view.author else None,
        level=event.level,
        audience=sorted(view.audience) if view.audience is not None else None,
        time_zone=event.time_zone,
        all_day=event.all_day,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        recurrence=event.recurrence,
        repeat_until=repeat_until,
        place=event.place,
        video_url=event.video_url,
        capacity=event.capacity,
        seats_left=view.seats_left,
        reminder_minutes=event.reminder_minutes,
        cancelled=event.cancelled_at is not None,
        created_at=event.created_at,
        updated_at=event.updated_at,
        answers=AnswerCounts(**view.counts),
        my_answer=mine.answer if mine else None,
        waiting=bool(mine and mine.waiting),
        attachments=[file_read(file) for file in view.attachments],
    )


def written(body: CalendarEventWrite) -> tuple[Details, Schedule]:
    """What the services take of an event as written, by the API or the form
    (which parses into the same model)."""
    details = Details(
        title=body.title,
        description=body.description,
        place=body.place,
        video_url=body.video_url,
        capacity=body.capacity,
        reminder_minutes=body.reminder_minutes,
    )
    schedule = written_schedule(
        body.start,
        body.end,
        body.time_zone,
        all_day=body.all_day,
        recurrence=body.recurrence,
        until=body.repeat_until,
    )
    return details, schedule


async def _read(session, viewer, event: CalendarEvent) -> CalendarEventRead:
    return event_read(await events.view_event(session, viewer=viewer, event_id=event.id))


@router.get("/calendar", response_model=list[OccurrenceRead])
async def list_occurrences(
    viewer: Viewer,
    session: Session,
    since: Annotated[UtcDateTime, Query(alias="from", description="Occurrences ending after.")],
    until: Annotated[UtcDateTime, Query(alias="to", description="Occurrences starting before.")],
    space_id: Annotated[RowId | None, Query(description="Only this space's events.")] = None,
    mine: Annotated[
        Flag, Query(description="Only events you planned or answered going or maybe to.")
    ] = False,
):
    """The occurrences of the events you may read in a period (400 days at
    most), in order of start; a recurring event gives one per occurrence."""
    found = await events.calendar(
        session, viewer=viewer, since=since, until=until, space_id=space_id, mine=mine
    )
    views = await events.view_events(session, viewer=viewer, events=[o.event for o in found])
    reads = {event_id: event_read(view) for event_id, view in views.items()}
    return [
        OccurrenceRead(starts_at=o.starts_at, ends_at=o.ends_at, event=reads[o.event.id])
        for o in found
    ]


async def plan_written(
    session, viewer, body: CalendarEventCreate, added: Attachments | None
) -> CalendarEvent:
    """Plans the event as written, by the API or the form, with ``added``
    attached (the form's come from its file input too)."""
    details, schedule = written(body)
    return await events.plan_event(
        session,
        viewer=viewer,
        details=details,
        schedule=schedule,
        space_id=body.space_id,
        level=body.level,
        audience=body.audience,
        files=FileChanges(added=added),
    )


async def change_written(
    session,
    viewer,
    event_id: int,
    body: CalendarEventChange,
    added: Attachments | None,
    audience: list[int] | None,
) -> CalendarEvent:
    """Changes the event as written, by the API or the form (which keeps the
    audience the API may have set), ``added`` attached after the files it keeps."""
    details, schedule = written(body)
    return await events.change_event(
        session,
        viewer=viewer,
        event_id=event_id,
        details=details,
        schedule=schedule,
        level=body.level,
        audience=audience,
        files=FileChanges(added=added, removed=frozenset(body.remove_attachments)),
    )


@router.post("/calendar/events", response_model=CalendarEventRead, status_code=201)
async def plan_event(
    body: CalendarEventCreate, viewer: Viewer, session: Session, settings: AppSettings
):
    added = Attachments.of(body.attachments, settings)
    return await _read(session, viewer, await plan_written(session, viewer, body, added))


@router.get("/calendar/events/{event_id}", response_model=CalendarEventRead)
async def read_event(event_id: ItemId, viewer: Viewer, session: Session):
    return event_read(await events.view_event(session, viewer=viewer, event_id=event_id))


@router.put("/calendar/events/{event_id}", response_model=CalendarEventRead)
async def change_event(
    event_id: ItemId,
    body: CalendarEventChange,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
):
    """Replaces the event (its author, the space's moderators, administrators);
    its files are kept but ``remove_attachments``, ``attachments`` added after."""
    added = Attachments.of(body.attachments, settings)
    event = await change_written(session, viewer, event_id, body, added, body.audience)
    return await _read(session, viewer, event)


@router.post("/calendar/events/{event_id}/cancel", response_model=CalendarEventRead)
async def cancel_event(event_id: ItemId, body: CancelWrite, viewer: Viewer, session: Session):
    event = await cancelling.cancel_event(
        session, viewer=viewer, event_id=event_id, occurrence=body.occurrence
    )
    return await _read(session, viewer, event)


@router.post("/calendar/events/{event_id}/invite", response_model=Invited)
async def invite_space(event_id: ItemId, viewer: Viewer, session: Session):
    """Invites the members of the event's space who may read it (its planner,
    the space's moderators, administrators); each is told once."""
    return Invited(invited=await events.invite_space(session, viewer=viewer, event_id=event_id))


@router.put("/calendar/events/{event_id}/answer", response_model=CalendarEventRead)
async def answer_event(event_id: ItemId, body: AnswerWrite, viewer: Viewer, session: Session):
    """Going, maybe or declined; going to a full event puts you on its waiting list."""
    await answers.answer_event(session, viewer=viewer, event_id=event_id, answer=body.answer)
    return event_read(await events.view_event(session, viewer=viewer, event_id=event_id))


@router.delete("/calendar/events/{event_id}/answer", response_model=CalendarEventRead)
async def withdraw_answer(event_id: ItemId, viewer: Viewer, session: Session):
    await answers.answer_event(session, viewer=viewer, event_id=event_id, answer=None)
    return event_read(await events.view_event(session, viewer=viewer, event_id=event_id))


@router.get("/calendar/events/{event_id}/participants", response_model=ParticipantsRead)
async def list_participants(event_id: ItemId, viewer: Viewer, session: Session):
    found = await answers.participants(session, viewer=viewer, event_id=event_id)
    return ParticipantsRead(
        going=[UserPublic.model_validate(user) for user in found.going],
        maybe=[UserPublic.model_validate(user) for user in found.maybe],
        waiting=[UserPublic.model_validate(user) for user in found.waiting],
        unnamed=UnnamedCounts(**found.unnamed),
    )


@router.get("/calendar/events/{event_id}/ics", response_class=Response, responses=ICS_RESPONSE)
async def download_event(
    event_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
) -> Response:
    """The event as a .ics file, to add it to another calendar."""
    event = await events.access_event(session, viewer=viewer, event_id=event_id)
    return Response(
        await ics.event_ics(session, event, settings.public_url),
        media_type=ICS_TYPE,
        headers={"content-disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


@router.get("/me/calendar-feed", response_model=FeedRead)
async def read_feed(viewer: Viewer, session: Session):
    feed = await feeds.feed_of(session, viewer=viewer)
    return FeedRead(
        active=feed is not None,
        shows_titles=bool(feed and feed.shows_titles),
        created_at=feed.created_at if feed else None,
    )


@router.post("/me/calendar-feed", response_model=FeedCreated, status_code=201)
async def open_feed(body: FeedWrite, viewer: Viewer, session: Session, settings: AppSettings):
    """A new secret address for your calendar feed; the previous one stops working."""
    secret = await feeds.open_feed(session, viewer=viewer, shows_titles=body.shows_titles)
    url = f"{settings.public_url.rstrip('/')}/api/v1/calendar/feeds/{secret}"
    return FeedCreated(url=url, shows_titles=body.shows_titles)


@router.delete("/me/calendar-feed", status_code=204, response_class=Response)
async def close_feed(viewer: Viewer, session: Session) -> None:
    await feeds.close_feed(session, viewer=viewer)


@router.get("/calendar/feeds/{token}", response_class=Response, responses=ICS_RESPONSE)
async def fetch_feed(
    token: Annotated[str, Path(min_length=1, max_length=100)],
    session: Session,
    settings: AppSettings,
) -> Response:
    """A calendar feed, fetched by calendar applications without signing in:
    the events its owner may read now (404 for a revoked address)."""
    owner, feed = await feeds.feed_by_secret(session, token)
    return Response(
        await ics.feed_ics(session, owner, feed, settings.public_url),
        media_type=ICS_TYPE,
        headers={"cache-control": "private, no-store"},
    )
