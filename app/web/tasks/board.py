"""A project space's board: three columns of the tasks the viewer may read,
a form to add one, and on each task the forms that move it (up, down, to
another column): plain forms without scripts, in place with tasks_board.js,
which also lets a task be dragged."""

from fastapi import APIRouter, Request

from app.access import default_level_for
from app.api.deps import ItemId, Session, Viewer
from app.api.tasks import add_written, task_read
from app.models import SpaceKind, TaskStatus, User
from app.schemas.tasks import END_OF_COLUMN, TaskCreate, TaskMove
from app.services import compose
from app.services.tasks import board, progress, reading
from app.services.tasks.finding import open_board
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.routes import render, see_other

router = APIRouter()

# Which field a refusal of the services is about.
TASK_FIELDS = {
    "write_up": "level",
    "unknown_link": "calendar_event_id",
    "unknown_assignee": "assignees",
    "not_project_space": "title",
}


def new_task_values(**values) -> dict:
    return {"title": "", "due_on": "", "level": "", **values}


async def show_board(request: Request, session, viewer: User, space_id: int, **context):
    found = await open_board(session, viewer=viewer, space_id=space_id)
    space = found.space
    views = await reading.list_tasks(session, viewer=viewer, space_id=space.id)
    columns = {status: [] for status in TaskStatus}
    for view in views:
        columns[view.task.status].append(task_read(view))
    values = context.pop("values", None) or new_task_values()
    values["level"] = values["level"] or default_level_for(viewer, space.default_level).value
    return render(
        request,
        "tasks/board.html",
        space=space,
        columns=columns,
        is_project=space.kind is SpaceKind.PROJECT,
        may_write=await board.may_write_on(session, viewer, space.id),
        progress=await progress.space_progress(session, viewer=viewer, space_id=space.id),
        levels=compose.writable_levels(viewer),
        values=values,
        end_of_column=END_OF_COLUMN,
        **context,
    )


@router.get("/spaces/{space_id}/tasks")
async def board_page(
    request: Request, space_id: ItemId, viewer: Viewer, session: Session, done: str = ""
):
    return await show_board(request, session, viewer, space_id, done=done[:20])


async def _board_again(request: Request, session, viewer: User, failed: FailedForm):
    space_id = int(request.path_params["space_id"])
    values = failed.over(new_task_values())
    return await show_board(request, session, viewer, space_id, values=values)


@router.post("/spaces/{space_id}/tasks")
@form_page(_board_again, fields=TASK_FIELDS)
async def add_task(request: Request, space_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        form = parsed(received, TaskCreate)
    task = await add_written(session, viewer, space_id, form)
    return see_other(f"/spaces/{space_id}/tasks?done=added#task-{task.id}")


async def _moved_again(request: Request, session, viewer: User, failed: FailedForm):
    """A refused move: the task's board, the refusal above."""
    view = await reading.view_task(
        session, viewer=viewer, task_id=int(request.path_params["task_id"])
    )
    return await show_board(request, session, viewer, view.space.id)


@router.post("/tasks/{task_id}/move")
@form_page(_moved_again)
async def move_task(request: Request, task_id: ItemId, viewer: Viewer, session: Session):
    """A move from the board (back to the task there) or from the task's page."""
    async with stream_form(request, session, request.app.state.settings) as received:
        move = parsed(received, TaskMove)
        from_page = received.fields.get("from") == ["task"]
    task = await board.move_task(
        session, viewer=viewer, task_id=task_id, status=move.status, index=move.index
    )
    if from_page:
        return see_other(f"/tasks/{task.id}?done=moved")
    return see_other(f"/spaces/{task.space_id}/tasks#task-{task.id}")
