"""Tasks as their readers are shown them: a board's columns, one task, and
"my tasks" across spaces. Only tasks the viewer may read; of their people,
only those the viewer may know of (the others are counted)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_among, readable
from app.db import rows_by_id
from app.models import ChecklistItem, Space, Task, TaskAssignee, TaskStatus, User
from app.models.base import utcnow
from app.services.content import audience_of
from app.services.tasks.finding import access_task, open_board
from app.services.tasks.links import ShownLinks, shown_links

OPEN = (TaskStatus.TODO, TaskStatus.DOING)


def today() -> date:
    """The day tasks fall due against: Ruche keeps no zone but UTC."""
    return utcnow().date()


def is_late(task: Task, day: date) -> bool:
    return task.status is not TaskStatus.DONE and task.due_on is not None and task.due_on < day


@dataclass(frozen=True)
class TaskView:
    task: Task
    space: Space
    author: User | None
    assignees: list[User]
    # Assignees the reader may not know of: counted, never named.
    unnamed_assignees: int
    checklist: list[ChecklistItem]
    links: ShownLinks
    audience: frozenset[int] | None
    late: bool


async def view_tasks(session: AsyncSession, *, viewer: User, tasks: list[Task]) -> list[TaskView]:
    """Tasks already found readable, in the same order, with what their reader
    is shown of them."""
    ids = [task.id for task in tasks]
    assigned: dict[int, list[int]] = {task_id: [] for task_id in ids}
    for task_id, user_id in await session.execute(
        select(TaskAssignee.task_id, TaskAssignee.user_id).where(TaskAssignee.task_id.in_(ids))
    ):
        assigned[task_id].append(user_id)
    everyone = {user_id for users in assigned.values() for user_id in users}
    known = await knowable_among(session, viewer, everyone)
    authors = {task.author_id for task in tasks} - {None}
    people = await rows_by_id(
        session, User, (known | await knowable_among(session, viewer, authors))
    )
    spaces = await rows_by_id(session, Space, {task.space_id for task in tasks})
    checklists: dict[int, list[ChecklistItem]] = {task_id: [] for task_id in ids}
    for item in await session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.task_id.in_(ids))
        .order_by(ChecklistItem.position, ChecklistItem.id)
    ):
        checklists[item.task_id].append(item)
    links = await shown_links(session, viewer=viewer, tasks=tasks)
    day = today()
    return [
        TaskView(
            task=task,
            space=spaces[task.space_id],
            author=people.get(task.author_id),
            assignees=sorted(
                (people[user_id] for user_id in assigned[task.id] if user_id in known),
                key=lambda person: (person.display_name, person.id),
            ),
            unnamed_assignees=sum(user_id not in known for user_id in assigned[task.id]),
            checklist=checklists[task.id],
            links=links[task.id],
            audience=await audience_of(session, task),
            late=is_late(task, day),
        )
        for task in tasks
    ]


async def view_task(session: AsyncSession, *, viewer: User, task_id: int) -> TaskView:
    task = await access_task(session, viewer=viewer, task_id=task_id)
    return (await view_tasks(session, viewer=viewer, tasks=[task]))[0]


STATUS_ORDER = case(
    {TaskStatus.TODO.value: 0, TaskStatus.DOING.value: 1, TaskStatus.DONE.value: 2},
    value=Task.status,
)


async def list_tasks(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    status: TaskStatus | None = None,
    assignee_id: int | None = None,
) -> list[TaskView]:
    """The tasks of a space's board the viewer may read, column by column, each
    in its order; of one status, or assigned to one person, when asked."""
    board = await open_board(session, viewer=viewer, space_id=space_id)
    query = select(Task).where(Task.space_id == board.space.id, readable(viewer, Task))
    if status is not None:
        query = query.where(Task.status == status)
    if assignee_id is not None:
        # A person the viewer may not know of is assigned nothing, as one that
        # does not exist.
        if not await knowable_among(session, viewer, [assignee_id]):
            return []
        query = query.where(
            Task.id.in_(select(TaskAssignee.task_id).where(TaskAssignee.user_id == assignee_id))
        )
    tasks = list(await session.scalars(query.order_by(STATUS_ORDER, Task.position, Task.id)))
    return await view_tasks(session, viewer=viewer, tasks=tasks)


async def my_tasks(
    session: AsyncSession,
    *,
    viewer: User,
    statuses: tuple[TaskStatus, ...] = OPEN,
    space_id: int | None = None,
) -> list[TaskView]:
    """The tasks assigned to the viewer that they may read (open ones unless
    told), across spaces or in one: late first, then by due day (those without
    one last)."""
    day = today()
    query = select(Task).where(
        Task.id.in_(select(TaskAssignee.task_id).where(TaskAssignee.user_id == viewer.id)),
        Task.status.in_(statuses),
        readable(viewer, Task),
    )
    if space_id is not None:
        query = query.where(Task.space_id == space_id)
    late_first = case((Task.due_on < day, 0), else_=1)
    no_day_last = case((Task.due_on.is_(None), 1), else_=0)
    tasks = list(
        await session.scalars(query.order_by(late_first, no_day_last, Task.due_on, Task.id))
    )
    return await view_tasks(session, viewer=viewer, tasks=tasks)
