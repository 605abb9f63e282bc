"""A task's checklist: items added at its end, ticked, removed, by whoever
may change the task."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound
from app.i18n import _
from app.models import ChecklistItem, Task, User
from app.services.tasks.activity import announce
from app.services.tasks.finding import writable_task

MAX_ITEMS = 100


async def add_item(
    session: AsyncSession, *, viewer: User, task_id: int, text: str
) -> ChecklistItem:
    """An item at the end of the task's checklist."""
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    count, last = (
        await session.execute(
            select(func.count(), func.max(ChecklistItem.position)).where(
                ChecklistItem.task_id == task.id
            )
        )
    ).one()
    if count >= MAX_ITEMS:
        raise Invalid(_("A checklist holds 100 items at most."), code="checklist_full")
    item = ChecklistItem(task_id=task.id, text=text, position=0 if last is None else last + 1)
    session.add(item)
    await session.flush()
    await announce(session, task, "task.changed")
    return item


async def _item(session: AsyncSession, task: Task, item_id: int) -> ChecklistItem:
    item = await session.scalar(
        select(ChecklistItem).where(ChecklistItem.id == item_id, ChecklistItem.task_id == task.id)
    )
    if item is None:
        raise NotFound()
    return item


async def tick_item(
    session: AsyncSession, *, viewer: User, task_id: int, item_id: int, done: bool
) -> Task:
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    (await _item(session, task, item_id)).done = done
    await session.flush()
    await announce(session, task, "task.changed")
    return task


async def remove_item(session: AsyncSession, *, viewer: User, task_id: int, item_id: int) -> Task:
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    await session.delete(await _item(session, task, item_id))
    await session.flush()
    await announce(session, task, "task.changed")
    return task
