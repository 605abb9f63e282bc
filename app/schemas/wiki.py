"""Wiki pages, their revisions and diffs."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.levels import Level
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, Audience, RowId, given_then, present
from app.schemas.file import Attachments, FileRead
from app.services.wiki.templates import TEMPLATES
from app.services.wiki.writing import MAX_BODY, MAX_MESSAGE, MAX_TITLE

# Revision numbers are an INTEGER column: a larger number must not reach the driver.
MAX_REVISION = 2**31 - 1
RevisionNumber = Annotated[int, Field(ge=1, le=MAX_REVISION)]

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE, pattern=NOT_BLANK)]
Body = Annotated[str, Field(max_length=MAX_BODY)]
Message = Field(default="", max_length=MAX_MESSAGE, description="What this save changed (history).")
# Bounds a removal list; a page may show more files than one save adds.
MAX_SHOWN_FILES = 1000
RemovedFiles = Annotated[
    list[RowId],
    Field(
        max_length=MAX_SHOWN_FILES,
        description="Files the page shows now that the new revision leaves out "
        "(the earlier revisions keep them).",
    ),
]


class PageCreate(BaseModel):
    model_config = {
        "extra": "forbid",
        # A template gives the title; without one, the page needs its own.
        "json_schema_extra": given_then("template", None, {}, present("title")),
    }

    title: Title | None = Field(default=None, description="Required without a template.")
    body: Body | None = Field(
        default=None, description="Markdown; the template's text when absent."
    )
    parent_id: RowId | None = None
    level: Level | None = Field(
        default=None, description="Defaults to the wiki's level, or the parent's if higher."
    )
    audience: Audience | None = None
    message: str = Message
    template: Literal[tuple(TEMPLATES)] | None = None  # type: ignore[valid-type]
    attachments: Attachments = Field(default_factory=list)


class PageUpdate(BaseModel):
    """``base_revision``: the revision the edit started from; a newer one
    answers 409 ``edit_conflict`` with ``current``, ``diff`` and ``merged``.
    Omitted fields are unchanged; ``audience: null`` removes the audience. The
    new revision shows the files of ``base_revision`` but ``remove_attachments``,
    then ``attachments``; a new file named like one shown takes its place."""

    model_config = {"extra": "forbid"}

    base_revision: RevisionNumber
    title: Title | None = None
    body: Body | None = None
    message: str = Message
    level: Level | None = None
    audience: Audience | None = None
    attachments: Attachments = Field(default_factory=list)
    remove_attachments: RemovedFiles = Field(default_factory=list)


class PageMove(BaseModel):
    model_config = {"extra": "forbid"}

    parent_id: RowId | None = None
    position: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="0: first among the siblings you may read; beyond the last: last.",
    )


class RevisionRestore(BaseModel):
    model_config = {"extra": "forbid"}

    base_revision: RevisionNumber
    message: str = Message


class Watching(BaseModel):
    watching: bool


class PageRead(BaseModel):
    id: int
    space_id: int | None
    title: str
    slug: str
    url: str
    parent_id: int | None
    position: int = Field(
        description="Place among the siblings you may read (0: first); hidden ones are not counted."
    )
    level: Level
    audience: list[int] | None = Field(
        description="Who may read it besides its author, among the people you may know of; "
        "null: no audience."
    )
    audience_others: int = Field(
        default=0, description="How many more people the audience names, whom you may not know of."
    )
    revision: int
    author_id: int | None
    created_at: datetime
    updated_at: datetime
    updated_by_id: int | None
    deleted_at: datetime | None = None


class PageDetail(PageRead):
    body: str
    body_html: str = Field(description="Links resolved for you: red ones lead to a page to create.")
    attachments: list[FileRead] = Field(
        description="The files the current revision shows; ``attachment:<name>`` in the text."
    )
    watching: bool
    can_edit: bool
    can_moderate: bool


class RevisionRead(BaseModel):
    number: int
    title: str
    message: str
    author: UserPublic | None
    created_at: datetime
    restored_from: int | None


class RevisionDetail(RevisionRead):
    body: str
    body_html: str
    attachments: list[FileRead] = Field(description="The files this revision showed.")


class DiffSegment(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class DiffRead(BaseModel):
    page_id: int
    old: RevisionRead
    new: RevisionRead
    segments: list[DiffSegment]


class TemplateRead(BaseModel):
    name: str
    label: str
    title: str
    body: str


class SearchHit(PageRead):
    snippet: str
