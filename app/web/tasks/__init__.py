"""Pages of the tasks (they mirror app/api/tasks.py): ``board``, a project
space's board with its forms to add and move tasks (in place with
tasks_board.js: dragged, or moved from the keyboard); ``task``, a task's page
with its edit form, checklist and assignees; ``mine``, the tasks assigned to
the viewer."""

from fastapi import APIRouter

from app.web.tasks import board, mine, task

router = APIRouter(include_in_schema=False)
for part in (board, task, mine):
    router.include_router(part.router)
