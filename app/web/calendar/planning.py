"""The form that plans an event or changes one. It parses into the API's own
models (``CalendarEventCreate``, ``CalendarEventChange``, whose fields it bears)
and calls the same services; a refusal shows the form again, everything typed
kept, each message beside its field, the files it carried still pending
(docs/web-forms.md)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ConfigDict, model_validator

from app.access import default_level_for
from app.api.calendar import change_written, event_read, plan_written
from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.levels import Level
from app.models import User
from app.schemas.calendar import CalendarEventChange, CalendarEventCreate
from app.services import compose
from app.services.calendar import events
from app.services.calendar.occurrences import zone
from app.services.files.attachments import Attachments, pending_uploads
from app.services.files.uploads import FileView
from app.services.spaces import access_space, role_in
from app.web import form_errors
from app.web.calendar.zones import DEFAULT_ZONE, zone_names
from app.web.form_errors import FailedForm, form_page
from app.web.forms import FILE_FIELDS, attempt, read_with_uploads
from app.web.routes import render, see_other
from app.web.stream_shared import row_id

router = APIRouter()

# Minutes before, as the form offers them.
REMINDERS = [10, 30, 60, 120, 1440, 10080]

# Which field a refusal of the services is about.
EVENT_FIELDS = {
    **FILE_FIELDS,
    "event_time": "start",
    "event_ends_before_start": "end",
    "time_zone": "time_zone",
    "recurrence": "repeat_until",
    "video_url": "video_url",
    "write_up": "level",
    "space_archived": "space_id",
    "not_member": "space_id",
}


class EventForm(CalendarEventCreate, CalendarEventChange):
    """The form's fields: the API's event, as planned or changed, and a checkbox
    for all-day. Without scripts an all-day event's days may come in the time
    fields (the browser offers those): their days are taken."""

    model_config = ConfigDict(extra="ignore")

    all_day: bool = False

    @model_validator(mode="before")
    @classmethod
    def days_of_all_day(cls, data: dict) -> dict:
        if data.get("all_day") in ("on", "true", True):
            for name in ("start", "end"):
                if isinstance(data.get(name), str):
                    data[name] = data[name][:10]
        return data


def _wall_clock(moment: datetime) -> str:
    """A time as a datetime-local field takes it: "2026-12-10T09:30"."""
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def form_values(**values) -> dict:
    """The form's values, as it is first shown (a new event: the next whole
    hour, for an hour, in Paris)."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    defaults = {
        "title": "",
        "description": "",
        "space_id": "",
        "level": "",
        "all_day": False,
        "start": _wall_clock(start),
        "end": _wall_clock(start + timedelta(hours=1)),
        "time_zone": DEFAULT_ZONE,
        "recurrence": "",
        "repeat_until": "",
        "place": "",
        "video_url": "",
        "capacity": "",
        "reminder_minutes": "",
        "attachments": [],
        "remove_attachments": [],
    }
    return {**defaults, **values}


def _values_again(failed: FailedForm, pending: list[int] | None = None) -> dict:
    """The refused form's values, its uploads still pending: those the route
    stored (``pending``), else those its script had made."""
    values = failed.over(form_values())
    sent = pending if pending is not None else values["attachments"]
    for name, ids in (("attachments", sent), ("remove_attachments", values["remove_attachments"])):
        values[name] = [found for found in (row_id(str(each)) for each in ids) if found is not None]
    return values


async def _places(session, viewer: User, chosen: int | None) -> list[compose.Place]:
    """Where the viewer may plan: company-wide and their spaces, and the space
    asked for if they may write there."""
    places = await compose.writable_places(session, viewer=viewer)
    if chosen is not None and chosen not in {p.space.id for p in places if p.space}:
        space = await access_space(session, viewer=viewer, space_id=chosen)
        role = await role_in(session, space_id=space.id, user_id=viewer.id)
        extra = compose.place_for(viewer, space, role)
        places += [extra] if extra is not None else []
    return places


async def show_form(
    request: Request,
    session,
    viewer: User,
    *,
    values: dict,
    event=None,
    files: list[FileView] = (),
):
    """The form, new (``event`` None) or changing an event (its space fixed,
    its ``files`` listed to remove)."""
    chosen = row_id(str(values.get("space_id") or ""))
    places = [] if event else await _places(session, viewer, chosen)
    if not values["level"]:
        place = next((p for p in places if p.space and p.space.id == chosen), None)
        values["level"] = (
            place.default_level if place else default_level_for(viewer, Level.INTERNAL)
        ).value
    return render(
        request,
        "calendar/edit.html",
        values=values,
        event=event,
        places=places,
        levels=compose.writable_levels(viewer),
        zones=zone_names(),
        reminders=_reminders(str(values["reminder_minutes"])),
        files=files,
        pending=await pending_uploads(session, viewer=viewer, file_ids=values["attachments"]),
    )


def _reminders(chosen: str) -> list[int]:
    """The reminders offered, with the event's own (the API takes any) among them."""
    return sorted({*REMINDERS, *([int(chosen)] if chosen.isdigit() else [])})


async def _new_again(
    request: Request, session, viewer: User, failed: FailedForm, pending: list[int] | None = None
):
    return await show_form(request, session, viewer, values=_values_again(failed, pending))


async def _edit_again(
    request: Request, session, viewer: User, failed: FailedForm, pending: list[int] | None = None
):
    event_id = int(request.path_params["event_id"])
    view = await events.view_event(session, viewer=viewer, event_id=event_id)
    return await show_form(
        request,
        session,
        viewer,
        values=_values_again(failed, pending),
        event=event_read(view),
        files=view.attachments,
    )


async def _read_form(request: Request, session, viewer: User):
    """The form, the uploads to attach and a refused file (app/web/forms.py)."""
    return await read_with_uploads(
        request, session, viewer=viewer, model=EventForm, fields=EVENT_FIELDS
    )


@router.get("/calendar/new")
async def new_event(
    request: Request,
    viewer: Viewer,
    session: Session,
    space: Annotated[str, Query(max_length=20)] = "",
):
    return await show_form(request, session, viewer, values=form_values(space_id=space))


@router.post("/calendar/new")
@form_page(_new_again, fields=EVENT_FIELDS)
async def plan_event(request: Request, viewer: Viewer, session: Session, settings: AppSettings):
    """Plans the event; refused, the form again, its files kept pending (written
    in a savepoint: the files it carried are stored whatever becomes of it)."""
    form, pending, refused = await _read_form(request, session, viewer)
    if refused is None:
        event, error = await attempt(
            session, plan_written(session, viewer, form, Attachments.of(pending, settings))
        )
        if error is None:
            return see_other(f"/calendar/events/{event.id}?done=planned")
        refused = await form_errors.refused(request, error, EVENT_FIELDS)
    return await _new_again(request, session, viewer, refused, pending)


@router.get("/calendar/events/{event_id}/edit")
async def edit_event(request: Request, event_id: ItemId, viewer: Viewer, session: Session):
    view = await events.view_event(session, viewer=viewer, event_id=event_id)
    await events.check_may_change(session, viewer, view.event)
    event = event_read(view)
    start, end = event.starts_at, event.ends_at
    values = form_values(
        title=event.title,
        description=event.description,
        level=event.level.value,
        all_day=event.all_day,
        start=_local(start, event.time_zone, event.all_day),
        end=_local(
            end - timedelta(days=1) if event.all_day else end, event.time_zone, event.all_day
        ),
        time_zone=event.time_zone,
        recurrence=event.recurrence.value if event.recurrence else "",
        repeat_until=event.repeat_until.isoformat() if event.repeat_until else "",
        place=event.place,
        video_url=event.video_url,
        capacity=str(event.capacity or ""),
        reminder_minutes=str(event.reminder_minutes if event.reminder_minutes is not None else ""),
    )
    return await show_form(
        request, session, viewer, values=values, event=event, files=view.attachments
    )


def _local(moment: datetime, zone_name: str, all_day: bool) -> str:
    """An instant as the form's field takes it: a day, or a wall-clock time."""
    local = moment.astimezone(zone(zone_name))
    return local.date().isoformat() if all_day else _wall_clock(local)


@router.post("/calendar/events/{event_id}/edit")
@form_page(_edit_again, fields=EVENT_FIELDS)
async def change_event(
    request: Request, event_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
):
    """Changes what the form shows; the audience the API may have set is kept.
    Refused, the form again, its files kept pending, as when planning."""
    form, pending, refused = await _read_form(request, session, viewer)
    view = await events.view_event(session, viewer=viewer, event_id=event_id)
    if refused is None:
        audience = sorted(view.audience) if view.audience is not None else None
        added = Attachments.of(pending, settings)
        _changed, error = await attempt(
            session, change_written(session, viewer, event_id, form, added, audience)
        )
        if error is None:
            return see_other(f"/calendar/events/{event_id}?done=changed")
        refused = await form_errors.refused(request, error, EVENT_FIELDS)
    return await _edit_again(request, session, viewer, refused, pending)
