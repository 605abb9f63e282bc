"""Who does a task: members of its space who may read it. Each person
assigned is told once, by a notification shown while they may read the task."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_people, readers_of
from app.db import insert_unless_taken
from app.errors import Invalid
from app.i18n import _
from app.models import Membership, NotificationKind, Task, TaskAssignee, User
from app.services.content import item_ref
from app.services.notifications import notify_readers
from app.services.tasks.activity import announce
from app.services.tasks.finding import writable_task


def members_of(task: Task):
    return select(Membership.user_id).where(Membership.space_id == task.space_id)


async def assign_people(
    session: AsyncSession, task: Task, user_ids: set[int], *, actor: User
) -> list[int]:
    """Assigns those of ``user_ids`` not assigned yet and tells them (not the
    actor); returns who was added. Each must be a member of the task's space
    who may read it; anyone else is refused as an account that does not exist."""
    if not user_ids:
        return []
    item = await item_ref(session, task)
    found = set(
        await session.scalars(
            select(User.id).where(
                User.id.in_(user_ids), User.id.in_(members_of(task)), readers_of(item)
            )
        )
    )
    if found != user_ids:
        raise Invalid(
            _("Only members of the space who may read the task can be assigned to it."),
            code="unknown_assignee",
        )
    added = [
        user_id
        for user_id in sorted(user_ids)
        if await insert_unless_taken(session, TaskAssignee(task_id=task.id, user_id=user_id))
    ]
    if added:
        await notify_readers(
            session,
            item=item,
            task_id=task.id,
            kind=NotificationKind.TASK_ASSIGNED,
            actor_id=actor.id,
            user_ids=added,
        )
    return added


async def assign_task(session: AsyncSession, *, viewer: User, task_id: int, user_id: int) -> Task:
    """Assigns a person to the task; assigning them again changes nothing."""
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    if await assign_people(session, task, {user_id}, actor=viewer):
        await announce(session, task, "task.changed")
    return task


async def unassign_task(session: AsyncSession, *, viewer: User, task_id: int, user_id: int) -> Task:
    task = await writable_task(session, viewer=viewer, task_id=task_id)
    removed = await session.execute(
        delete(TaskAssignee).where(TaskAssignee.task_id == task.id, TaskAssignee.user_id == user_id)
    )
    if removed.rowcount:
        await announce(session, task, "task.changed")
    return task


async def assignable_people(session: AsyncSession, *, viewer: User, task: Task) -> list[User]:
    """The members of the task's space who may read it, whom a form offers to
    assign (the first two hundred by name)."""
    return list(
        await session.scalars(
            select(User)
            .where(
                User.id.in_(members_of(task)),
                readers_of(await item_ref(session, task)),
                knowable_people(viewer),
            )
            .order_by(User.display_name, User.id)
            .limit(200)
        )
    )
