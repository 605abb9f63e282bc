"""The tasks assigned to the viewer across spaces ("my tasks"): late first,
open ones unless a status is asked for, of one space when asked."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.api.deps import Session, Viewer
from app.api.tasks import task_read
from app.models import TaskStatus
from app.services.tasks import reading
from app.services.tasks.reading import OPEN
from app.web.routes import render
from app.web.stream_shared import row_id

router = APIRouter()


@router.get("/tasks")
async def my_tasks_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    status: Annotated[str, Query(max_length=10)] = "",
    space: Annotated[str, Query(max_length=20)] = "",
):
    chosen = TaskStatus(status) if status in TaskStatus._value2member_map_ else None
    space_id = row_id(space)
    everything = await reading.my_tasks(
        session, viewer=viewer, statuses=(chosen,) if chosen else OPEN
    )
    shown = [view for view in everything if space_id is None or view.space.id == space_id]
    spaces = {view.space.id: view.space for view in everything}
    return render(
        request,
        "tasks/mine.html",
        tasks=[task_read(view) for view in shown],
        status=chosen.value if chosen else "",
        space_id=space_id,
        spaces=sorted(spaces.values(), key=lambda space: space.name.lower()),
        statuses=list(TaskStatus),
    )
