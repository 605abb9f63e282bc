"""Events, their answers and calendar feeds."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictBool

from app.levels import Level
from app.models import Recurrence, RsvpAnswer
from app.models.calendar import MAX_REMINDER_MINUTES
from app.schemas.account import UserPublic
from app.schemas.common import (
    NOT_BLANK,
    Audience,
    RowId,
    UtcDateTime,
    absent,
    given_then,
)
from app.schemas.file import Attachments, FileRead
from app.schemas.post import SpaceRef
from app.services.files.attachments import MAX_ATTACHMENTS

MAX_DESCRIPTION = 20_000

Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
# A day ("2026-12-10", an all-day event's) or a wall-clock time in the event's
# time zone, without offset ("2026-12-10T09:30"); which one, the event's
# all_day says (CalendarEventWrite's rule). A day the calendar lacks (30 February)
# passes the pattern and is refused with ``event_time``.
DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
TIME = r"T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?"
MOMENT_PATTERN = f"^{DAY}({TIME})?$"
LocalMoment = Annotated[
    str, Field(pattern=MOMENT_PATTERN, examples=["2026-12-10T09:30", "2026-12-10"])
]
TIME_ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"
# No space or control character: spelled as code points, which JSON Schema's
# regular expressions and Python's read alike (their \s differ).
LINK_PATTERN = r"^(https?://[^\x00-\x20\x7f]+)?$"


def _moments(pattern: str) -> dict:
    return {"properties": {"start": {"pattern": pattern}, "end": {"pattern": pattern}}}


TimeZoneName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=TIME_ZONE_PATTERN,
        examples=["Europe/Paris"],
    ),
]


class CalendarEventWrite(BaseModel):
    """An event as its planner writes it. ``start`` and ``end`` are wall-clock
    times in ``time_zone``; for an all-day event (``all_day``) they are days,
    ``end`` the last one. ``recurrence`` repeats it every week or month (the
    same weekday or day of the month) until ``repeat_until`` (a day, included)
    or without end."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "allOf": [
                given_then("all_day", True, _moments(f"^{DAY}$"), _moments(f"^{DAY}{TIME}$")),
                given_then("recurrence", None, {}, absent("repeat_until")),
            ]
        },
    }

    title: Title
    description: str = Field(default="", max_length=MAX_DESCRIPTION, description="Markdown.")
    time_zone: TimeZoneName
    all_day: StrictBool = False
    start: LocalMoment
    end: LocalMoment
    recurrence: Recurrence | None = None
    repeat_until: date | None = None
    place: str = Field(default="", max_length=200)
    video_url: str = Field(
        default="", max_length=500, pattern=LINK_PATTERN, description="A web link."
    )
    capacity: int | None = Field(
        default=None, ge=1, le=100_000, description="Seats; those answering going next wait."
    )
    reminder_minutes: int | None = Field(default=None, ge=0, le=MAX_REMINDER_MINUTES)
    level: Level | None = Field(
        default=None,
        description="Defaults to the space's default level, or internal; kept when changing.",
    )
    audience: Audience | None = None
    attachments: Attachments = Field(
        default_factory=list, description="Your new uploads to add after the event's files."
    )


class CalendarEventCreate(CalendarEventWrite):
    space_id: RowId | None = Field(default=None, description="None: a company-wide event.")


class CalendarEventChange(CalendarEventWrite):
    remove_attachments: list[RowId] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="Files the event has to take off (collected later, as any file taken off).",
    )


class AnswerCounts(BaseModel):
    going: int
    maybe: int
    declined: int
    waiting: int


class CalendarEventRead(BaseModel):
    id: int
    title: str
    description: str
    description_html: str
    space: SpaceRef | None
    author: UserPublic | None
    level: Level
    audience: list[int] | None
    time_zone: str
    all_day: bool
    starts_at: datetime = Field(description="The first occurrence's start.")
    ends_at: datetime
    recurrence: Recurrence | None
    repeat_until: date | None
    place: str
    video_url: str
    capacity: int | None
    seats_left: int | None
    reminder_minutes: int | None
    cancelled: bool
    created_at: datetime
    updated_at: datetime
    answers: AnswerCounts
    my_answer: RsvpAnswer | None
    waiting: bool = Field(description="Your answer is going and you wait for a seat.")
    attachments: list[FileRead] = []


class OccurrenceRead(BaseModel):
    starts_at: datetime
    ends_at: datetime
    event: CalendarEventRead


class AnswerWrite(BaseModel):
    model_config = {"extra": "forbid"}

    answer: RsvpAnswer


class CancelWrite(BaseModel):
    """Without ``occurrence``, the whole event; with it (an occurrence's start),
    that occurrence of a recurring event only."""

    model_config = {"extra": "forbid"}

    occurrence: UtcDateTime | None = None


class Invited(BaseModel):
    """How many members of the space were told of the event now: those who may
    read it and were neither invited before nor answered."""

    invited: int


class UnnamedCounts(BaseModel):
    going: int
    maybe: int
    waiting: int


class ParticipantsRead(BaseModel):
    """Who answered, among the people you may know of; ``unnamed`` counts the others."""

    going: list[UserPublic]
    maybe: list[UserPublic]
    waiting: list[UserPublic]
    unnamed: UnnamedCounts


class FeedWrite(BaseModel):
    model_config = {"extra": "forbid"}

    shows_titles: StrictBool = Field(
        default=False,
        description="Titles and details of events above public in the feed "
        "(otherwise only 'Busy' at their times).",
    )


class FeedRead(BaseModel):
    active: bool
    shows_titles: bool
    created_at: datetime | None


class FeedCreated(BaseModel):
    url: str = Field(description="The feed's secret address: shown this once.")
    shows_titles: bool
