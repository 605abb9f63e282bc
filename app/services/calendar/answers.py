"""Answers to events: going, maybe or declined, one per person, with a waiting
list when the seats are taken. Answers to one event are counted one at a time
(the event locked on PostgreSQL; SQLite has one writer), so two answers at
once can never take the same last seat or count twice."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_among
from app.models import CalendarAnswer, RsvpAnswer, User
from app.models.base import utcnow
from app.services.calendar.events import (
    access_event,
    announce,
    answer_counts,
    check_not_cancelled,
    seat_those_waiting,
)


@dataclass(frozen=True)
class Participants:
    """Who answered what, among the people the reader may know of; ``unnamed``
    counts the others of each answer."""

    going: list[User]
    maybe: list[User]
    waiting: list[User]
    unnamed: dict[str, int]


async def answer_event(
    session: AsyncSession, *, viewer: User, event_id: int, answer: RsvpAnswer | None
) -> None:
    """Records the viewer's answer (None: withdraws it). Going to a full event
    puts them on its waiting list; leaving a seat gives it to the first waiting."""
    event = await access_event(session, viewer=viewer, event_id=event_id, for_update=True)
    check_not_cancelled(event)
    mine = await session.get(CalendarAnswer, (event.id, viewer.id))
    if answer is None:
        if mine is not None:
            await session.delete(mine)
    elif mine is None or mine.answer is not answer:
        if mine is None:
            mine = CalendarAnswer(event_id=event.id, user_id=viewer.id)
            session.add(mine)
        mine.answer = answer
        mine.answered_at = utcnow()
        # Waits for a seat, behind everyone already waiting.
        mine.waiting = answer is RsvpAnswer.GOING and event.capacity is not None
    await session.flush()
    await seat_those_waiting(session, event, actor=viewer)
    await session.flush()
    # Counts only: who answered is for the participant list, which names only
    # the people each reader may know of.
    counts = (await answer_counts(session, [event.id]))[event.id]
    await announce(session, event, "calendar_event.answered", answers=counts)


async def participants(session: AsyncSession, *, viewer: User, event_id: int) -> Participants:
    """The event's answers as its reader may see them: never the name of
    someone they may not know of (an external, of a company-wide event)."""
    event = await access_event(session, viewer=viewer, event_id=event_id)
    rows = list(
        await session.execute(
            select(CalendarAnswer, User)
            .join(User, User.id == CalendarAnswer.user_id)
            .where(CalendarAnswer.event_id == event.id)
            .order_by(CalendarAnswer.answered_at, CalendarAnswer.user_id)
        )
    )
    known = await knowable_among(session, viewer, [user.id for _answer, user in rows])
    named: dict[str, list[User]] = {"going": [], "maybe": [], "waiting": []}
    unnamed = {"going": 0, "maybe": 0, "waiting": 0}
    for answer, user in rows:
        if answer.answer is RsvpAnswer.DECLINED:
            continue
        group = "waiting" if answer.waiting else RsvpAnswer(answer.answer).value
        if user.id in known:
            named[group].append(user)
        else:
            unnamed[group] += 1
    return Participants(
        going=named["going"], maybe=named["maybe"], waiting=named["waiting"], unnamed=unnamed
    )
