"""The calendar page: the occurrences of a month or a week, as a grid or as a
list (the list reads the same without styles or scripts), of every event the
viewer may read, of one space's, or of their own. Days are laid out in a time
zone the page names (``zone``; Europe/Paris unless the browser's is asked for,
which calendar.js does); each event page says its times in its own zone too."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from app.api.deps import Session, Viewer
from app.models import User
from app.services import compose
from app.services.calendar import events
from app.services.calendar.events import EventView
from app.services.calendar.occurrences import Occurrence, zone
from app.services.spaces import access_space
from app.web.calendar.zones import DEFAULT_ZONE, ZONE_PATTERN, zone_names
from app.web.routes import render
from app.web.stream_shared import row_id

router = APIRouter()

View = Literal["month", "week", "list"]


@dataclass(frozen=True)
class Shown:
    """An occurrence as a calendar shows it on one of its days."""

    occurrence: Occurrence
    view: EventView
    # It began on an earlier day of the calendar: shown as going on.
    continued: bool


@dataclass
class Day:
    day: date
    in_period: bool
    today: bool
    shown: list[Shown] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """The days a view covers (``first`` to ``last`` included) and those it
    lays out (whole weeks, Monday first, for a month's grid)."""

    view: View
    first: date
    last: date
    grid_first: date
    grid_last: date
    previous: date
    next: date


def period_of(view: View, around: date) -> Period:
    if view == "week":
        first = around - timedelta(days=around.weekday())
        last = first + timedelta(days=6)
        return Period(
            view, first, last, first, last, first - timedelta(days=7), last + timedelta(1)
        )
    first = around.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    return Period(
        view,
        first,
        last,
        first - timedelta(days=first.weekday()),
        last + timedelta(days=6 - last.weekday()),
        (first - timedelta(days=1)).replace(day=1),
        following,
    )


def _days_of(occurrence: Occurrence, shown_in) -> tuple[date, date]:
    """The first and last days an occurrence takes: an all-day event's days are
    those of its own zone (a holiday is the 25th everywhere); any other's, those
    of the zone the calendar is shown in."""
    event = occurrence.event
    tz = zone(event.time_zone) if event.all_day else shown_in
    start = occurrence.starts_at.astimezone(tz)
    end = (occurrence.ends_at - timedelta(microseconds=1)).astimezone(tz)
    return start.date(), max(start.date(), end.date())


def lay_out(period: Period, found: list[Occurrence], views: dict[int, EventView], shown_in, today):
    """The calendar's days, Monday first, each with the occurrences it holds."""
    count = (period.grid_last - period.grid_first).days + 1
    days = [
        Day(d, period.first <= d <= period.last, d == today)
        for d in (period.grid_first + timedelta(days=n) for n in range(count))
    ]
    for occurrence in found:
        first, last = _days_of(occurrence, shown_in)
        for index in range((first - period.grid_first).days, (last - period.grid_first).days + 1):
            if 0 <= index < count:
                days[index].shown.append(
                    Shown(occurrence, views[occurrence.event.id], days[index].day > first)
                )
    return days


def calendar_link(
    *, view: str, on: date, space: int | None, mine: bool, zone_name: str, given_zone: bool
) -> str:
    """The calendar's address for these choices; the zone only if one was asked for."""
    query = {
        "view": view,
        "date": on.isoformat(),
        "space": str(space) if space else "",
        "mine": "true" if mine else "",
        "zone": zone_name if given_zone else "",
    }
    return "/calendar?" + urlencode({name: value for name, value in query.items() if value})


async def _filter_spaces(session, viewer: User, chosen: int | None) -> list:
    """The spaces the filter offers: the viewer's own (members or followers), and
    the one asked for, once it is sure they may read it (404 otherwise)."""
    places = await compose.writable_places(session, viewer=viewer)
    spaces = [place.space for place in places if place.space is not None]
    if chosen is not None and chosen not in {space.id for space in spaces}:
        spaces.append(await access_space(session, viewer=viewer, space_id=chosen))
    return spaces


@router.get("/calendar")
async def calendar_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    view: View = "month",
    on: Annotated[date | None, Query(alias="date")] = None,
    space: Annotated[str, Query(max_length=20)] = "",
    mine: bool = False,
    zone_name: Annotated[str, Query(alias="zone", max_length=64, pattern=ZONE_PATTERN)] = "",
):
    given_zone = bool(zone_name)
    zone_name = zone_name or DEFAULT_ZONE
    shown_in = zone(zone_name)
    today = datetime.now(UTC).astimezone(shown_in).date()
    space_id = row_id(space)
    spaces = await _filter_spaces(session, viewer, space_id)
    period = period_of(view, on or today)
    since = datetime.combine(period.grid_first, time(), shown_in).astimezone(UTC)
    until = datetime.combine(period.grid_last + timedelta(days=1), time(), shown_in)
    found = await events.calendar(
        session,
        viewer=viewer,
        since=since,
        until=until.astimezone(UTC),
        space_id=space_id,
        mine=mine,
    )
    views = await events.view_events(session, viewer=viewer, events=[o.event for o in found])
    days = lay_out(period, found, views, shown_in, today)

    def link(**changes) -> str:
        choices = {"view": view, "on": period.first, "space": space_id, "mine": mine}
        return calendar_link(**{**choices, **changes}, zone_name=zone_name, given_zone=given_zone)

    return render(
        request,
        "calendar/calendar.html",
        period=period,
        days=days,
        weeks=[days[n : n + 7] for n in range(0, len(days), 7)],
        listed=[d for d in days if d.in_period and d.shown],
        shown_in=shown_in,
        zone_name=zone_name,
        given_zone=given_zone,
        zones=zone_names(),
        spaces=spaces,
        space=next((s for s in spaces if s.id == space_id), None),
        mine=mine,
        links={
            "previous": link(on=period.previous),
            "next": link(on=period.next),
            "today": link(on=today),
            **{name: link(view=name) for name in ("month", "week", "list")},
        },
        new_event="/calendar/new" + (f"?space={space_id}" if space_id else ""),
    )
