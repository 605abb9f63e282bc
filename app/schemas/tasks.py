"""Tasks of project spaces, their checklists and a space's progress."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from app.levels import Level
from app.models import TaskStatus
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, Audience, RowId
from app.schemas.post import SpaceRef

MAX_DESCRIPTION = 20_000
MAX_ASSIGNEES = 50
# An index past any column's last task: a move there puts a task at its end.
END_OF_COLUMN = 100_000

Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]


class TaskWrite(BaseModel):
    """A task as it is written; changing one replaces all of it but its level
    (kept when absent)."""

    model_config = {"extra": "forbid"}

    title: Title
    description: str = Field(default="", max_length=MAX_DESCRIPTION, description="Markdown.")
    due_on: date | None = Field(default=None, description="The day it is due.")
    post_id: RowId | None = Field(default=None, description="A post of the same space.")
    page_id: RowId | None = Field(default=None, description="A wiki page of the same space.")
    calendar_event_id: RowId | None = Field(default=None, description="An event of the space.")
    level: Level | None = Field(default=None, description="Defaults to the space's default level.")
    audience: Audience | None = None


class TaskCreate(TaskWrite):
    assignees: list[RowId] = Field(
        default=[],
        max_length=MAX_ASSIGNEES,
        description="Members of the space who may read the task; each is told.",
    )


class TaskMove(BaseModel):
    """A column, and the place in it among the tasks you may read (0: first;
    past the last: at the end)."""

    model_config = {"extra": "forbid"}

    status: TaskStatus
    index: int = Field(ge=0, le=END_OF_COLUMN)


class ChecklistItemWrite(BaseModel):
    model_config = {"extra": "forbid"}

    text: str = Field(min_length=1, max_length=300, pattern=NOT_BLANK)


class ChecklistTick(BaseModel):
    model_config = {"extra": "forbid"}

    done: StrictBool


class ChecklistItemRead(BaseModel):
    id: int
    text: str
    done: bool


class LinkedPostRead(BaseModel):
    id: int
    excerpt: str


class LinkedPageRead(BaseModel):
    id: int
    title: str


class LinkedEventRead(BaseModel):
    id: int
    title: str
    starts_at: datetime


class TaskLinksRead(BaseModel):
    """What the task links to that you may read (null: nothing, or hidden)."""

    post: LinkedPostRead | None
    page: LinkedPageRead | None
    event: LinkedEventRead | None


class TaskRead(BaseModel):
    id: int
    title: str
    description: str
    description_html: str
    space: SpaceRef
    author: UserPublic | None
    level: Level
    audience: list[int] | None
    status: TaskStatus
    due_on: date | None
    late: bool = Field(description="Not done, and its due day has passed (UTC).")
    done_at: datetime | None
    created_at: datetime
    updated_at: datetime
    assignees: list[UserPublic] = Field(description="Those you may know of.")
    unnamed_assignees: int = Field(description="Assignees you may not know of.")
    checklist: list[ChecklistItemRead]
    links: TaskLinksRead


class MilestoneRead(BaseModel):
    kind: Literal["event", "task"]
    id: int
    title: str
    day: date
    starts_at: datetime | None = Field(description="An event's next occurrence.")


class ShareRead(BaseModel):
    person: UserPublic
    open_tasks: int


class ProgressRead(BaseModel):
    """Counted from the tasks and events you may read only."""

    total: int
    done: int
    late: int
    next_milestone: MilestoneRead | None
    shares: list[ShareRead] = Field(description="Open tasks per person you may know of.")
    others_open: int = Field(description="Open tasks of people you may not know of.")
    unassigned_open: int
