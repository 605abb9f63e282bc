"""The form that plans an event or changes one. It parses into the API's own
models (``CalendarEventCreate``, whose fields it bears) and calls the same services;
a refusal shows the form again, everything typed kept, each message beside
its field (docs/web-forms.md)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ConfigDict, model_validator

from app.access import default_level_for
from app.api.calendar import event_read, plan_written, written
from app.api.deps import ItemId, Session, Viewer
from app.levels import Level
from app.models import User
from app.schemas.calendar import CalendarEventCreate
from app.services import compose
from app.services.calendar import events
from app.services.calendar.occurrences import zone
from app.services.spaces import access_space, role_in
from app.web.calendar.zones import DEFAULT_ZONE, zone_names
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.routes import render, see_other
from app.web.stream_shared import row_id

router = APIRouter()

# Minutes before, as the form offers them.
REMINDERS = [10, 30, 60, 120, 1440, 10080]

# Which field a refusal of the services is about.
EVENT_FIELDS = {
    "event_time": "start",
    "event_ends_before_start": "end",
    "time_zone": "time_zone",
    "recurrence": "repeat_until",
    "video_url": "video_url",
    "write_up": "level",
    "space_archived": "space_id",
    "not_member": "space_id",
}


class EventForm(CalendarEventCreate):
    """The form's fields: the API's event, a checkbox for all-day. Without
    scripts an all-day event's days may come in the time fields (the browser
    offers those): their days are taken."""

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
    }
    return {**defaults, **values}


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


async def show_form(request: Request, session, viewer: User, *, values: dict, event=None):
    """The form, new (``event`` None) or changing an event (its space fixed)."""
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
    )


def _reminders(chosen: str) -> list[int]:
    """The reminders offered, with the event's own (the API takes any) among them."""
    return sorted({*REMINDERS, *([int(chosen)] if chosen.isdigit() else [])})


async def _new_again(request: Request, session, viewer: User, failed: FailedForm):
    return await show_form(request, session, viewer, values=failed.over(form_values()))


async def _edit_again(request: Request, session, viewer: User, failed: FailedForm):
    event_id = int(request.path_params["event_id"])
    view = await events.view_event(session, viewer=viewer, event_id=event_id)
    return await show_form(
        request, session, viewer, values=failed.over(form_values()), event=event_read(view)
    )


async def _read_form(request: Request, session) -> EventForm:
    async with stream_form(request, session, request.app.state.settings) as received:
        return parsed(received, EventForm)


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
async def plan_event(request: Request, viewer: Viewer, session: Session):
    event = await plan_written(session, viewer, await _read_form(request, session))
    return see_other(f"/calendar/events/{event.id}?done=planned")


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
    return await show_form(request, session, viewer, values=values, event=event)


def _local(moment: datetime, zone_name: str, all_day: bool) -> str:
    """An instant as the form's field takes it: a day, or a wall-clock time."""
    local = moment.astimezone(zone(zone_name))
    return local.date().isoformat() if all_day else _wall_clock(local)


@router.post("/calendar/events/{event_id}/edit")
@form_page(_edit_again, fields=EVENT_FIELDS)
async def change_event(request: Request, event_id: ItemId, viewer: Viewer, session: Session):
    """Changes what the form shows; the audience the API may have set is kept."""
    form = await _read_form(request, session)
    view = await events.view_event(session, viewer=viewer, event_id=event_id)
    details, schedule = written(form)
    await events.change_event(
        session,
        viewer=viewer,
        event_id=event_id,
        details=details,
        schedule=schedule,
        level=form.level,
        audience=sorted(view.audience) if view.audience is not None else None,
    )
    return see_other(f"/calendar/events/{event_id}?done=changed")
