"""Reaching a board or a task: NotFound alike for what is missing and for what
the viewer may not read."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable, readable_spaces
from app.errors import NotFound
from app.models import Space, SpaceRole, Task, User
from app.services.posts import place_to_write
from app.services.spaces import role_in


@dataclass(frozen=True)
class Board:
    """A space whose content the viewer may read, and their role in it."""

    space: Space
    role: SpaceRole | None


async def open_board(session: AsyncSession, *, viewer: User, space_id: int) -> Board:
    """The board of a space whose content the viewer may read; NotFound otherwise."""
    space = await session.scalar(select(Space).where(Space.id == space_id, readable_spaces(viewer)))
    if space is None:
        raise NotFound()
    return Board(space, await role_in(session, space_id=space.id, user_id=viewer.id))


async def access_task(session: AsyncSession, *, viewer: User, task_id: int) -> Task:
    """The task if the viewer may read it."""
    task = await session.scalar(select(Task).where(Task.id == task_id, readable(viewer, Task)))
    if task is None:
        raise NotFound()
    return task


async def writable_task(session: AsyncSession, *, viewer: User, task_id: int) -> Task:
    """The task, once it is sure the viewer may read it and write in its space."""
    task = await access_task(session, viewer=viewer, task_id=task_id)
    await place_to_write(session, viewer=viewer, space_id=task.space_id)
    return task
