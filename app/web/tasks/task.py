"""A task's page: what it says, its links (those its reader may follow), its
checklist and assignees with the forms that change them, the edit form and
deleting. A hidden task is not found, as a missing one."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.api.deps import ItemId, Session, Viewer
from app.api.tasks import task_read, written
from app.models import TaskStatus, User
from app.schemas.common import RowId
from app.schemas.tasks import ChecklistItemWrite, TaskWrite
from app.services import compose
from app.services.tasks import assignees, board, checklist, reading
from app.services.tasks.links import linkable
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.routes import render, see_other
from app.web.tasks.board import TASK_FIELDS

router = APIRouter()


class Tick(BaseModel):
    done: bool = False


class Assign(BaseModel):
    user_id: RowId


def edit_values(task) -> dict:
    return {
        "title": task.title,
        "description": task.description,
        "due_on": task.due_on.isoformat() if task.due_on else "",
        "level": task.level.value,
        "post_id": str(task.links.post.id) if task.links.post else "",
        "page_id": str(task.links.page.id) if task.links.page else "",
        "calendar_event_id": str(task.links.event.id) if task.links.event else "",
    }


async def show_task(request: Request, session, viewer: User, task_id: int, **context):
    view = await reading.view_task(session, viewer=viewer, task_id=task_id)
    task = task_read(view)
    may_write = await board.may_write_on(session, viewer, view.space.id)
    return render(
        request,
        "tasks/task.html",
        task=task,
        statuses=list(TaskStatus),
        may_write=may_write,
        may_delete=await board.may_delete(session, viewer, view.task),
        assignable=await assignees.assignable_people(session, viewer=viewer, task=view.task)
        if may_write
        else [],
        linkable=await linkable(session, viewer=viewer, space_id=view.space.id)
        if may_write
        else None,
        levels=compose.writable_levels(viewer),
        values=context.pop("values", None) or edit_values(task),
        **context,
    )


@router.get("/tasks/{task_id}")
async def task_page(
    request: Request, task_id: ItemId, viewer: Viewer, session: Session, done: str = ""
):
    return await show_task(request, session, viewer, task_id, done=done[:20])


async def _task_again(request: Request, session, viewer: User, failed: FailedForm):
    task_id = int(request.path_params["task_id"])
    view = await reading.view_task(session, viewer=viewer, task_id=task_id)
    values = failed.over(edit_values(task_read(view)))
    return await show_task(request, session, viewer, task_id, values=values)


async def _fields(request: Request, session):
    async with stream_form(request, session, request.app.state.settings) as received:
        return received


@router.post("/tasks/{task_id}/edit")
@form_page(_task_again, fields=TASK_FIELDS)
async def change_task(request: Request, task_id: ItemId, viewer: Viewer, session: Session):
    """Changes what the form shows; the audience the API may have set is kept."""
    form = parsed(await _fields(request, session), TaskWrite)
    view = await reading.view_task(session, viewer=viewer, task_id=task_id)
    await board.change_task(
        session,
        viewer=viewer,
        task_id=task_id,
        details=written(form),
        level=form.level,
        audience=sorted(view.audience) if view.audience is not None else None,
    )
    return see_other(f"/tasks/{task_id}?done=changed")


@router.post("/tasks/{task_id}/delete")
@form_page(_task_again)
async def delete_task(request: Request, task_id: ItemId, viewer: Viewer, session: Session):
    await _fields(request, session)
    task = await reading.view_task(session, viewer=viewer, task_id=task_id)
    await board.delete_task(session, viewer=viewer, task_id=task_id)
    return see_other(f"/spaces/{task.space.id}/tasks?done=deleted")


@router.post("/tasks/{task_id}/checklist")
@form_page(_task_again)
async def add_item(request: Request, task_id: ItemId, viewer: Viewer, session: Session):
    item = parsed(await _fields(request, session), ChecklistItemWrite)
    await checklist.add_item(session, viewer=viewer, task_id=task_id, text=item.text.strip())
    return see_other(f"/tasks/{task_id}#checklist")


@router.post("/tasks/{task_id}/checklist/{item_id}/tick")
@form_page(_task_again)
async def tick_item(
    request: Request, task_id: ItemId, item_id: ItemId, viewer: Viewer, session: Session
):
    tick = parsed(await _fields(request, session), Tick)
    await checklist.tick_item(
        session, viewer=viewer, task_id=task_id, item_id=item_id, done=tick.done
    )
    return see_other(f"/tasks/{task_id}#item-{item_id}")


@router.post("/tasks/{task_id}/checklist/{item_id}/remove")
@form_page(_task_again)
async def remove_item(
    request: Request, task_id: ItemId, item_id: ItemId, viewer: Viewer, session: Session
):
    await _fields(request, session)
    await checklist.remove_item(session, viewer=viewer, task_id=task_id, item_id=item_id)
    return see_other(f"/tasks/{task_id}#checklist")


@router.post("/tasks/{task_id}/assignees")
@form_page(_task_again, fields={"unknown_assignee": "user_id"})
async def assign_task(request: Request, task_id: ItemId, viewer: Viewer, session: Session):
    chosen = parsed(await _fields(request, session), Assign)
    await assignees.assign_task(session, viewer=viewer, task_id=task_id, user_id=chosen.user_id)
    return see_other(f"/tasks/{task_id}?done=assigned#assignees")


@router.post("/tasks/{task_id}/assignees/{user_id}/remove")
@form_page(_task_again)
async def unassign_task(
    request: Request, task_id: ItemId, user_id: ItemId, viewer: Viewer, session: Session
):
    await _fields(request, session)
    await assignees.unassign_task(session, viewer=viewer, task_id=task_id, user_id=user_id)
    return see_other(f"/tasks/{task_id}#assignees")
