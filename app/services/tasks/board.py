"""A project space's board: adding, changing, moving and deleting tasks.

Who changes a task: whoever may write in its space (its members; in an open
space any employee); who deletes it: its creator, the space's owners and
moderators, administrators. A task's place in its column is a position that
readers never see as a number (it would count the tasks hidden from them):
a move names the place among the tasks its mover may read.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_no_write_up, default_level_for, readable
from app.errors import Conflict, Forbidden, Invalid
from app.i18n import _
from app.levels import Level
from app.markdown import render
from app.models import Space, SpaceKind, Task, TaskStatus, User
from app.models.base import utcnow
from app.services.content import set_audience
from app.services.posts import check_may_moderate_in, place_to_write
from app.services.tasks.activity import announce
from app.services.tasks.assignees import assign_people
from app.services.tasks.finding import access_task, writable_task
from app.services.tasks.links import Links, check_links, links_kept


@dataclass(frozen=True)
class Details:
    """What a task says: its title, description (Markdown), due day and links."""

    title: str
    description: str = ""
    due_on: date | None = None
    links: Links = field(default_factory=Links)


def check_project(space: Space) -> None:
    if space.kind is not SpaceKind.PROJECT:
        raise Invalid(_("Tasks belong to project spaces."), code="not_project_space")


async def may_write_on(session: AsyncSession, viewer: User, space_id: int) -> bool:
    """Whether the viewer may add and change the tasks of the space (a page
    offers to then)."""
    try:
        await place_to_write(session, viewer=viewer, space_id=space_id)
    except (Forbidden, Conflict):
        return False
    return True


async def may_delete(session: AsyncSession, viewer: User, task: Task) -> bool:
    try:
        await check_may_delete(session, viewer, task)
    except (Forbidden, Conflict):
        return False
    return True


async def check_may_delete(session: AsyncSession, viewer: User, task: Task) -> None:
    space, role = await place_to_write(session, viewer=viewer, space_id=task.space_id)
    if task.author_id != viewer.id:
        check_may_moderate_in(viewer, space, role)


def _apply(task: Task, details: Details) -> None:
    task.title = details.title
    task.description = details.description
    task.description_html = render(details.description).html
    task.due_on = details.due_on
    task.post_id = details.links.post_id
    task.page_id = details.links.page_id
    task.calendar_event_id = details.links.calendar_event_id
    task.updated_at = utcnow()


async def _last_position(session: AsyncSession, space_id: int, status: TaskStatus) -> int:
    last = await session.scalar(
        select(func.max(Task.position)).where(Task.space_id == space_id, Task.status == status)
    )
    return -1 if last is None else last


async def add_task(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    details: Details,
    level: Level | None = None,
    audience: list[int] | None = None,
    assignees: Iterable[int] = (),
) -> Task:
    """A task at the end of the "to do" column of a project space the viewer
    may write in, at a level they are cleared for (by default the space's),
    assigned to ``assignees``, who are told."""
    space, _role = await place_to_write(session, viewer=viewer, space_id=space_id)
    check_project(space)
    level = level or default_level_for(viewer, space.default_level)
    check_no_write_up(viewer, level)
    await check_links(session, viewer=viewer, space_id=space.id, links=details.links)
    task = Task(
        author_id=viewer.id,
        space_id=space.id,
        level=level,
        status=TaskStatus.TODO,
        position=await _last_position(session, space.id, TaskStatus.TODO) + 1,
        created_at=utcnow(),
    )
    _apply(task, details)
    session.add(task)
    await session.flush()
    await set_audience(session, task, audience, viewer=viewer)
    await assign_people(session, task, set(assignees), actor=viewer)
    await announce(session, task, "task.created")
    return task


async def change_task(
    session: AsyncSession,
    *,
    viewer: User,
    task_id: int,
    details: Details,
    level: Level | None = None,
    audience: list[int] | None = None,
) -> Task:
    """Replaces what a task says and its audience (None: none); its level
    when given. A link the viewer may not read stays (they cannot see it to
    keep it)."""
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    await check_links(session, viewer=viewer, space_id=task.space_id, links=details.links)
    links = await links_kept(session, viewer=viewer, task=task, links=details.links)
    _apply(task, replace(details, links=links))
    if level is not None:
        check_no_write_up(viewer, level)
        task.level = level
    await set_audience(session, task, audience, viewer=viewer)
    await session.flush()
    await announce(session, task, "task.changed")
    return task


async def move_task(
    session: AsyncSession, *, viewer: User, task_id: int, status: TaskStatus, index: int
) -> Task:
    """Puts a task in the column of ``status``, before the task at ``index``
    among those of the column the viewer may read (at its end past the last).
    The column is numbered again, hidden tasks keeping their order."""
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    column = list(
        await session.scalars(
            select(Task)
            .where(Task.space_id == task.space_id, Task.status == status, Task.id != task.id)
            .order_by(Task.position, Task.id)
        )
    )
    seen = set(
        await session.scalars(
            select(Task.id).where(
                Task.id.in_([other.id for other in column]), readable(viewer, Task)
            )
        )
    )
    shown = [other for other in column if other.id in seen]
    place = column.index(shown[index]) if index < len(shown) else len(column)
    column.insert(place, task)
    for position, other in enumerate(column):
        other.position = position
    if task.status is not status:
        task.done_at = utcnow() if status is TaskStatus.DONE else None
        task.status = status
    task.updated_at = utcnow()
    await session.flush()
    await announce(session, task, "task.moved")
    return task


async def delete_task(session: AsyncSession, *, viewer: User, task_id: int) -> None:
    task = await access_task(session, viewer=viewer, task_id=task_id)
    await check_may_delete(session, viewer, task)
    await session.delete(task)
    await session.flush()
