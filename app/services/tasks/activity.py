"""A board told live: each change to a task goes to the activity log."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Task
from app.realtime.events import record_event
from app.services.content import item_ref


async def announce(session: AsyncSession, task: Task, kind: str) -> None:
    """Records ``kind`` (task.created, task.changed, task.moved) in the
    activity log, told after commit to those who may read the task as it now
    stands: their open boards, their catch-up, the space's webhooks. Nothing
    of who changed it: a reader may not know of everyone who writes there."""
    await record_event(
        session,
        kind=kind,
        item=await item_ref(session, task),
        task_id=task.id,
        status=task.status.value,
    )
