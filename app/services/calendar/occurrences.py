"""When an event takes place: its occurrences in a window of time.

An event's times are kept as instants with the time zone it was planned in;
a recurring event repeats its wall-clock time there (a weekly 9:00 in Paris
stays at 9:00 after the change to summer time), so occurrences are counted in
local time by ``dateutil.rrule`` and turned back into instants. A monthly
event on the 31st skips the months without one, as calendar applications do
(RFC 5545's BYMONTHDAY).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from app.errors import Invalid
from app.i18n import _
from app.models import CalendarEvent, Recurrence

# No listing spans more: a year and a little, a calendar's widest view.
MAX_WINDOW = timedelta(days=400)
FREQUENCIES = {Recurrence.WEEKLY: WEEKLY, Recurrence.MONTHLY: MONTHLY}


@dataclass(frozen=True)
class Schedule:
    """When an event takes place, as its planner says it: wall-clock times in
    ``time_zone`` (for an all-day event, midnights: ``end`` the one after its
    last day), repeated weekly or monthly until the day ``until`` included."""

    start: datetime
    end: datetime
    time_zone: str
    all_day: bool = False
    recurrence: Recurrence | None = None
    until: date | None = None


def written_schedule(
    start: str,
    end: str,
    time_zone: str,
    *,
    all_day: bool = False,
    recurrence: Recurrence | None = None,
    until: date | None = None,
) -> Schedule:
    """The schedule a form or the API gives as text: wall-clock times
    ("2026-12-10T09:30"), or days for an all-day event, ``end`` its last day."""
    first, last = _written(start, all_day), _written(end, all_day)
    if all_day:
        last += timedelta(days=1)
    return Schedule(first, last, time_zone, all_day, recurrence, until)


def _written(text: str, all_day: bool) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(_("This is not a valid date or time."), code="event_time") from None
    if moment.tzinfo is not None or all_day != (len(text) == len("2026-12-10")):
        raise Invalid(
            _("An all-day event takes days, any other event times without an offset."),
            code="event_time",
        )
    return moment


@dataclass(frozen=True)
class Occurrence:
    event: CalendarEvent
    starts_at: datetime
    ends_at: datetime


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid(_("Unknown time zone."), code="time_zone") from None


def instants(schedule: Schedule) -> tuple[datetime, datetime, datetime | None]:
    """The first occurrence's start and end and the last possible start, as
    UTC instants; refuses an end not after the start, a repetition without a
    rule or ending before it starts."""
    tz = zone(schedule.time_zone)
    if schedule.end <= schedule.start:
        raise Invalid(_("An event must end after it starts."), code="event_ends_before_start")
    if schedule.until is not None and schedule.recurrence is None:
        raise Invalid(_("Only a repeated event repeats until a day."), code="recurrence")
    if schedule.until is not None and schedule.until < schedule.start.date():
        raise Invalid(
            _("A repetition cannot end before the event starts."), code="repetition_ends_too_soon"
        )
    last = None
    if schedule.until is not None:
        last = _instant(datetime.combine(schedule.until + timedelta(days=1), time()), tz)
    return _instant(schedule.start, tz), _instant(schedule.end, tz), last


def _instant(wall_clock: datetime, tz: ZoneInfo) -> datetime:
    return wall_clock.replace(tzinfo=tz).astimezone(UTC)


def _wall_clock(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def check_window(since: datetime, until: datetime) -> None:
    if until <= since:
        raise Invalid(_("The end of the period must come after its start."), code="period")
    if until - since > MAX_WINDOW:
        raise Invalid(_("A calendar shows 400 days at most."), code="period")


def occurrences(
    event: CalendarEvent, since: datetime, until: datetime, skipped: Iterable[datetime] = ()
) -> list[Occurrence]:
    """The occurrences of ``event`` that overlap [since, until), but those
    ``skipped`` (their starts), in order."""
    if event.recurrence is None:
        spans = [(event.starts_at, event.ends_at)]
    else:
        spans = [(start, _end_of(event, start)) for start in _repeated(event, since, until)]
    dropped = set(skipped)
    return [
        Occurrence(event, start, end)
        for start, end in spans
        if start < until and end > since and start not in dropped
    ]


def _repeated(event: CalendarEvent, since: datetime, until: datetime) -> list[datetime]:
    """The starts of a recurring event's occurrences around [since, until) (a
    day of margin each side and the event's length before: the window is in
    instants, the rule in wall-clock time)."""
    tz = zone(event.time_zone)
    first = _wall_clock(event.starts_at, tz)
    length = _wall_clock(event.ends_at, tz) - first
    # recurs_until is the midnight after the last day: nothing starts at it.
    last = None
    if event.recurs_until is not None:
        last = _wall_clock(event.recurs_until, tz) - timedelta(seconds=1)
    rule = rrule(FREQUENCIES[Recurrence(event.recurrence)], dtstart=first, until=last)
    window = rule.between(
        _wall_clock(since, tz) - length - timedelta(days=1),
        _wall_clock(until, tz) + timedelta(days=1),
        inc=True,
    )
    return [_instant(start, tz) for start in window]


def _end_of(event: CalendarEvent, start: datetime) -> datetime:
    """A repeated occurrence lasts as long on the wall clock as the first."""
    tz = zone(event.time_zone)
    length = _wall_clock(event.ends_at, tz) - _wall_clock(event.starts_at, tz)
    return _instant(_wall_clock(start, tz) + length, tz)
