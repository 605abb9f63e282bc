"""A project space's progress, as each reader may know it: counted only from
the tasks and events they may read (a contractor's totals are not an
employee's), naming only the people they may know of."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_among, readable
from app.db import rows_by_id
from app.models import CalendarEvent, Task, TaskAssignee, TaskStatus, User
from app.models.base import utcnow
from app.services.calendar.events import calendar
from app.services.calendar.occurrences import MAX_WINDOW
from app.services.tasks.finding import open_board
from app.services.tasks.reading import OPEN, today


@dataclass(frozen=True)
class Milestone:
    """What comes next: an event's next occurrence, or the nearest due day of
    an open task, whichever is first (an event on the same day wins)."""

    title: str
    day: date
    event: CalendarEvent | None = None
    task: Task | None = None
    starts_at: datetime | None = None


@dataclass(frozen=True)
class Share:
    person: User
    open_tasks: int


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    late: int
    milestone: Milestone | None
    shares: list[Share]
    # Open tasks of people the reader may not know of, and of nobody.
    others_open: int
    unassigned_open: int


async def _next_milestone(
    session: AsyncSession, viewer: User, space_id: int, day: date
) -> Milestone | None:
    now = utcnow()
    coming = [
        found
        for found in await calendar(
            session, viewer=viewer, since=now, until=now + MAX_WINDOW, space_id=space_id
        )
        if found.event.cancelled_at is None and found.starts_at >= now
    ]
    task = await session.scalar(
        select(Task)
        .where(
            Task.space_id == space_id,
            Task.status.in_(OPEN),
            Task.due_on >= day,
            readable(viewer, Task),
        )
        .order_by(Task.due_on, Task.id)
        .limit(1)
    )
    if coming and (task is None or coming[0].starts_at.date() <= task.due_on):
        first = coming[0]
        return Milestone(
            title=first.event.title,
            day=first.starts_at.date(),
            event=first.event,
            starts_at=first.starts_at,
        )
    if task is not None:
        return Milestone(title=task.title, day=task.due_on, task=task)
    return None


async def space_progress(session: AsyncSession, *, viewer: User, space_id: int) -> Progress:
    board = await open_board(session, viewer=viewer, space_id=space_id)
    day = today()
    seen = select(Task).where(Task.space_id == board.space.id, readable(viewer, Task)).subquery()
    is_open = seen.c.status.in_(OPEN)
    total, done, late = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(seen.c.status == TaskStatus.DONE),
                func.count().filter(is_open, seen.c.due_on < day),
            ).select_from(seen)
        )
    ).one()
    per_person = dict(
        (
            await session.execute(
                select(TaskAssignee.user_id, func.count())
                .join(seen, seen.c.id == TaskAssignee.task_id)
                .where(is_open)
                .group_by(TaskAssignee.user_id)
            )
        ).all()
    )
    unassigned = await session.scalar(
        select(func.count())
        .select_from(seen)
        .where(is_open, seen.c.id.not_in(select(TaskAssignee.task_id)))
    )
    known = await knowable_among(session, viewer, per_person)
    people = await rows_by_id(session, User, known)
    shares = sorted(
        (
            Share(people[user_id], count)
            for user_id, count in per_person.items()
            if user_id in known
        ),
        key=lambda share: (-share.open_tasks, share.person.display_name, share.person.id),
    )
    return Progress(
        total=total,
        done=done,
        late=late,
        milestone=await _next_milestone(session, viewer, board.space.id, day),
        shares=shares,
        others_open=sum(count for user_id, count in per_person.items() if user_id not in known),
        unassigned_open=unassigned,
    )
