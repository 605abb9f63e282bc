"""Tasks of project spaces: the board, one task, its checklist and assignees,
the tasks assigned to you and a space's progress."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import ItemId, Session, Viewer
from app.models import Task, TaskStatus
from app.schemas.account import UserPublic
from app.schemas.common import RowId
from app.schemas.post import SpaceRef
from app.schemas.tasks import (
    ChecklistItemRead,
    ChecklistItemWrite,
    ChecklistTick,
    LinkedEventRead,
    LinkedPageRead,
    LinkedPostRead,
    MilestoneRead,
    ProgressRead,
    ShareRead,
    TaskCreate,
    TaskLinksRead,
    TaskMove,
    TaskRead,
    TaskWrite,
)
from app.services.tasks import assignees, board, checklist, progress, reading
from app.services.tasks.board import Details
from app.services.tasks.links import Links
from app.services.tasks.reading import OPEN, TaskView

router = APIRouter(tags=["tasks"])


def task_read(view: TaskView) -> TaskRead:
    task, links = view.task, view.links
    return TaskRead(
        id=task.id,
        title=task.title,
        description=task.description,
        description_html=task.description_html,
        space=SpaceRef(id=view.space.id, name=view.space.name, slug=view.space.slug),
        author=UserPublic.model_validate(view.author) if view.author else None,
        level=task.level,
        audience=sorted(view.audience) if view.audience is not None else None,
        status=task.status,
        due_on=task.due_on,
        late=view.late,
        done_at=task.done_at,
        created_at=task.created_at,
        updated_at=task.updated_at,
        assignees=[UserPublic.model_validate(person) for person in view.assignees],
        unnamed_assignees=view.unnamed_assignees,
        checklist=[
            ChecklistItemRead(id=item.id, text=item.text, done=item.done) for item in view.checklist
        ],
        links=TaskLinksRead(
            post=LinkedPostRead(id=links.post.id, excerpt=links.post.excerpt)
            if links.post
            else None,
            page=LinkedPageRead(id=links.page.id, title=links.page.title) if links.page else None,
            event=LinkedEventRead(
                id=links.event.id, title=links.event.title, starts_at=links.event.starts_at
            )
            if links.event
            else None,
        ),
    )


def written(body: TaskWrite) -> Details:
    """What the services take of a task as written, by the API or the form."""
    return Details(
        title=body.title.strip(),
        description=body.description,
        due_on=body.due_on,
        links=Links(
            post_id=body.post_id, page_id=body.page_id, calendar_event_id=body.calendar_event_id
        ),
    )


async def _read(session, viewer, task: Task) -> TaskRead:
    return task_read(await reading.view_task(session, viewer=viewer, task_id=task.id))


async def add_written(session, viewer, space_id: int, body: TaskCreate) -> Task:
    """Adds the task as written, by the API or the form."""
    return await board.add_task(
        session,
        viewer=viewer,
        space_id=space_id,
        details=written(body),
        level=body.level,
        audience=body.audience,
        assignees=body.assignees,
    )


@router.get("/spaces/{space_id}/tasks", response_model=list[TaskRead])
async def list_tasks(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    status: Annotated[TaskStatus | None, Query(description="Only this column.")] = None,
    assignee_id: Annotated[RowId | None, Query(description="Only this person's.")] = None,
):
    """The tasks of the space's board you may read, column by column, in order."""
    found = await reading.list_tasks(
        session, viewer=viewer, space_id=space_id, status=status, assignee_id=assignee_id
    )
    return [task_read(view) for view in found]


@router.post("/spaces/{space_id}/tasks", response_model=TaskRead, status_code=201)
async def add_task(space_id: ItemId, body: TaskCreate, viewer: Viewer, session: Session):
    """A task at the end of the "to do" column of a project space."""
    return await _read(session, viewer, await add_written(session, viewer, space_id, body))


@router.get("/tasks/{task_id}", response_model=TaskRead)
async def read_task(task_id: ItemId, viewer: Viewer, session: Session):
    return task_read(await reading.view_task(session, viewer=viewer, task_id=task_id))


@router.put("/tasks/{task_id}", response_model=TaskRead)
async def change_task(task_id: ItemId, body: TaskWrite, viewer: Viewer, session: Session):
    """Replaces what the task says (members who may write in its space)."""
    task = await board.change_task(
        session,
        viewer=viewer,
        task_id=task_id,
        details=written(body),
        level=body.level,
        audience=body.audience,
    )
    return await _read(session, viewer, task)


@router.delete("/tasks/{task_id}", status_code=204, response_class=Response)
async def delete_task(task_id: ItemId, viewer: Viewer, session: Session) -> None:
    """Its creator, the space's moderators and administrators."""
    await board.delete_task(session, viewer=viewer, task_id=task_id)


@router.post("/tasks/{task_id}/move", response_model=TaskRead)
async def move_task(task_id: ItemId, body: TaskMove, viewer: Viewer, session: Session):
    """To a column and a place in it; a task moved to done keeps when."""
    task = await board.move_task(
        session, viewer=viewer, task_id=task_id, status=body.status, index=body.index
    )
    return await _read(session, viewer, task)


@router.put("/tasks/{task_id}/assignees/{user_id}", response_model=TaskRead)
async def assign_task(task_id: ItemId, user_id: ItemId, viewer: Viewer, session: Session):
    """A member of the space who may read the task; they are told."""
    task = await assignees.assign_task(session, viewer=viewer, task_id=task_id, user_id=user_id)
    return await _read(session, viewer, task)


@router.delete("/tasks/{task_id}/assignees/{user_id}", response_model=TaskRead)
async def unassign_task(task_id: ItemId, user_id: ItemId, viewer: Viewer, session: Session):
    task = await assignees.unassign_task(session, viewer=viewer, task_id=task_id, user_id=user_id)
    return await _read(session, viewer, task)


@router.post("/tasks/{task_id}/checklist", response_model=TaskRead, status_code=201)
async def add_item(task_id: ItemId, body: ChecklistItemWrite, viewer: Viewer, session: Session):
    await checklist.add_item(session, viewer=viewer, task_id=task_id, text=body.text.strip())
    return task_read(await reading.view_task(session, viewer=viewer, task_id=task_id))


@router.patch("/tasks/{task_id}/checklist/{item_id}", response_model=TaskRead)
async def tick_item(
    task_id: ItemId, item_id: ItemId, body: ChecklistTick, viewer: Viewer, session: Session
):
    task = await checklist.tick_item(
        session, viewer=viewer, task_id=task_id, item_id=item_id, done=body.done
    )
    return await _read(session, viewer, task)


@router.delete("/tasks/{task_id}/checklist/{item_id}", response_model=TaskRead)
async def remove_item(task_id: ItemId, item_id: ItemId, viewer: Viewer, session: Session):
    task = await checklist.remove_item(session, viewer=viewer, task_id=task_id, item_id=item_id)
    return await _read(session, viewer, task)


@router.get("/me/tasks", response_model=list[TaskRead])
async def my_tasks(
    viewer: Viewer,
    session: Session,
    status: Annotated[TaskStatus | None, Query(description="Default: to do and doing.")] = None,
    space_id: Annotated[RowId | None, Query(description="Only this space's.")] = None,
):
    """The tasks assigned to you that you may read: late first, then by due day."""
    found = await reading.my_tasks(
        session, viewer=viewer, statuses=(status,) if status else OPEN, space_id=space_id
    )
    return [task_read(view) for view in found]


@router.get("/spaces/{space_id}/progress", response_model=ProgressRead)
async def space_progress(space_id: ItemId, viewer: Viewer, session: Session):
    """How the work of the space stands, counted from what you may read."""
    found = await progress.space_progress(session, viewer=viewer, space_id=space_id)
    milestone = found.milestone
    next_milestone = None
    if milestone is not None:
        item = milestone.event or milestone.task
        next_milestone = MilestoneRead(
            kind="event" if milestone.event else "task",
            id=item.id,
            title=milestone.title,
            day=milestone.day,
            starts_at=milestone.starts_at,
        )
    return ProgressRead(
        total=found.total,
        done=found.done,
        late=found.late,
        next_milestone=next_milestone,
        shares=[
            ShareRead(person=UserPublic.model_validate(share.person), open_tasks=share.open_tasks)
            for share in found.shares
        ],
        others_open=found.others_open,
        unassigned_open=found.unassigned_open,
    )
