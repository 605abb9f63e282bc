"""Late tasks: their assignees are told once when a task's due day has passed
and it is not done.

Once even with several workers running the jobs at the same moment: a task is
claimed, for the due day it has, by inserting its TaskOverdueReminder row in
the same transaction as the notifications; only the transaction whose insert
wins sends them. The due jobs claim these before any notification of the run
(app/services/lifecycle.py), in one order, for the reason
app/services/calendar/reminders.py gives: no two runs wait for each other in a
circle.
"""

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import insert_unless_taken
from app.models import NotificationKind, Task, TaskAssignee, TaskOverdueReminder
from app.services.content import item_ref
from app.services.notifications import notify_readers
from app.services.tasks.reading import OPEN


async def claim_overdue_tasks(session: AsyncSession, *, now: datetime) -> list[Task]:
    """The open tasks whose due day is past and whose assignees were not told
    of it yet, claimed by this run (those another run claimed first are not)."""
    reminded = select(TaskOverdueReminder).where(
        TaskOverdueReminder.task_id == Task.id, TaskOverdueReminder.due_on == Task.due_on
    )
    late = await session.scalars(
        select(Task)
        .where(
            and_(Task.status.in_(OPEN), Task.due_on < now.date()),
            ~reminded.exists(),
            Task.id.in_(select(TaskAssignee.task_id)),
        )
        .order_by(Task.id)
    )
    return [
        task
        for task in list(late)
        if await insert_unless_taken(
            session, TaskOverdueReminder(task_id=task.id, due_on=task.due_on, sent_at=now)
        )
    ]


async def remind_overdue_tasks(session: AsyncSession, tasks: list[Task]) -> int:
    """Tells the assignees who may read each claimed task that it is late;
    returns how many tasks were reminded."""
    for task in tasks:
        assignees = await session.scalars(
            select(TaskAssignee.user_id).where(TaskAssignee.task_id == task.id)
        )
        await notify_readers(
            session,
            item=await item_ref(session, task),
            task_id=task.id,
            kind=NotificationKind.TASK_OVERDUE,
            actor_id=None,
            user_ids=list(assignees),
            due_on=task.due_on.isoformat(),
        )
    return len(tasks)
